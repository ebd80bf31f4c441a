using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Monitoring;
using ClinicBackend.Domain.Sessions;

namespace ClinicBackend.Testing.Drills;

/// <summary>
/// The app's process as far as a drill can kill it: once dead, every Twilio, storage and outbox call the app makes
/// throws, as nothing a dead process would do happens; a restart brings it back (a new process on the same data).
/// </summary>
public sealed class ProcessLife
{
    private volatile bool _dead;

    public bool Dead => _dead;

    public void Kill() => _dead = true;

    public void Restart() => _dead = false;

    public void ThrowIfDead()
    {
        if (_dead)
        {
            throw new SimulatedCrashException("Drill: the process is dead.");
        }
    }
}

/// <summary>Thrown where the drill's process is dead: nothing after it happens.</summary>
public sealed class SimulatedCrashException(string message) : Exception(message);

/// <summary>
/// Twilio's answer passes through, then <paramref name="afterAccept"/> runs with the count of accepted texts: the moment
/// between Twilio's acceptance and the record. A dead <paramref name="life"/> makes every call throw, the answer too.
/// </summary>
public sealed class DrillGateway(ISmsGateway inner, Func<int, Task> afterAccept, ProcessLife? life = null) : ISmsGateway
{
    private int _accepted;

    public async Task<SendResult> SendAsync(SmsRequest request, CancellationToken ct)
    {
        life?.ThrowIfDead();
        var result = await inner.SendAsync(request, ct);
        if (result is SendResult.Accepted)
        {
            await afterAccept(Interlocked.Increment(ref _accepted));
        }
        life?.ThrowIfDead();
        return result;
    }

    public Task<LookupResult> FindAsync(SentTextQuery query, CancellationToken ct)
    {
        life?.ThrowIfDead();
        return inner.FindAsync(query, ct);
    }
}

/// <summary>The outbox of a process that can die: while it is dead, every call and every delivery's settlement throws.</summary>
public sealed class MortalOutbox(ISmsOutbox inner, ProcessLife life) : ISmsOutbox
{
    public Task EnqueueAsync(OutboxMessage message, NodaTime.Instant sendAt, CancellationToken ct)
    {
        life.ThrowIfDead();
        return inner.EnqueueAsync(message, sendAt, ct);
    }

    public async Task<IReadOnlyList<IOutboxDelivery>> ReceiveAsync(int max, CancellationToken ct)
    {
        life.ThrowIfDead();
        return (await inner.ReceiveAsync(max, ct)).Select(d => (IOutboxDelivery)new Delivery(d, life)).ToList();
    }

    public async Task<IReadOnlyList<IOutboxDelivery>> ReceiveDeadLetteredAsync(int max, CancellationToken ct)
    {
        life.ThrowIfDead();
        return (await inner.ReceiveDeadLetteredAsync(max, ct)).Select(d => (IOutboxDelivery)new Delivery(d, life)).ToList();
    }

    private sealed class Delivery(IOutboxDelivery inner, ProcessLife life) : IOutboxDelivery
    {
        public OutboxMessage Message => inner.Message;

        public int DeliveryCount => inner.DeliveryCount;

        public Task CompleteAsync(CancellationToken ct)
        {
            life.ThrowIfDead();
            return inner.CompleteAsync(ct);
        }

        public Task RetryAsync(int generation, NodaTime.Duration delay, CancellationToken ct)
        {
            life.ThrowIfDead();
            return inner.RetryAsync(generation, delay, ct);
        }

        public Task DeadLetterAsync(string reason, CancellationToken ct)
        {
            life.ThrowIfDead();
            return inner.DeadLetterAsync(reason, ct);
        }
    }
}

/// <summary>
/// A store that runs <paramref name="afterCommit"/> after each commit that went through, throws for one partition when
/// told, and throws for every call while <paramref name="life"/> is dead.
/// </summary>
public sealed class DrillStore(IDocumentStore inner, Func<string, IReadOnlyList<Change>, Task>? afterCommit = null, ProcessLife? life = null) : IDocumentStore
{
    /// <summary>Every call for this partition throws, as if its storage were broken.</summary>
    public string? BrokenPartition { get; set; }

    public Task<Stored<T>?> GetAsync<T>(string partition, string key, CancellationToken ct)
    {
        Check(partition);
        return inner.GetAsync<T>(partition, key, ct);
    }

    public Task<IReadOnlyList<Stored<T>>> QueryPrefixAsync<T>(string partition, string prefix, CancellationToken ct, int? take = null)
    {
        Check(partition);
        return inner.QueryPrefixAsync<T>(partition, prefix, ct, take);
    }

    public Task<IReadOnlyList<Stored<T>>> QueryRangeAsync<T>(string partition, string fromKey, string toKey, CancellationToken ct, int? take = null)
    {
        Check(partition);
        return inner.QueryRangeAsync<T>(partition, fromKey, toKey, ct, take);
    }

    public Task<WrittenRows<T>> QueryWrittenSinceAsync<T>(string partition, string fromKey, string toKey, DateTimeOffset? since, CancellationToken ct)
    {
        Check(partition);
        return inner.QueryWrittenSinceAsync<T>(partition, fromKey, toKey, since, ct);
    }

    public async Task<IReadOnlyList<string?>> CommitAsync(string partition, IReadOnlyList<Change> changes, CancellationToken ct)
    {
        Check(partition);
        var etags = await inner.CommitAsync(partition, changes, ct);
        if (afterCommit is not null)
        {
            await afterCommit(partition, changes);
        }
        return etags;
    }

    public Task<bool> PingAsync(CancellationToken ct) => inner.PingAsync(ct);

    private void Check(string partition)
    {
        life?.ThrowIfDead();
        if (partition == BrokenPartition)
        {
            throw new InvalidOperationException($"Drill: the storage of partition {partition} is broken.");
        }
    }
}

/// <summary>Booking plans no reminder (as bookings made before reminders were planned with them): the nightly run must plan it.</summary>
public sealed class NoPlanningAtBooking(ISessionObserver inner) : ISessionObserver
{
    public void OnScheduled(ClinicCommit commit, Clinic clinic, Session scheduled)
    {
    }

    public Task SessionsChangedAsync(ClinicCommit committed, Clinic clinic, IReadOnlyList<Session> sessions, CancellationToken ct) => Task.CompletedTask;

    public Task OnObservedAsync(ClinicCommit commit, Clinic clinic, Session session, Observation observation, CancellationToken ct) =>
        inner.OnObservedAsync(commit, clinic, session, observation, ct);

    public Task OnCompletedAsync(ClinicCommit commit, Clinic clinic, Session fulfilled, CancellationToken ct) => inner.OnCompletedAsync(commit, clinic, fulfilled, ct);

    public Task OnRemsFormFiledAsync(ClinicCommit commit, Session filed, CancellationToken ct) => inner.OnRemsFormFiledAsync(commit, filed, ct);
}

/// <summary>An event sink that fails while <see cref="Down"/> (the outage that leaves events pending).</summary>
public sealed class SwitchableSink(IClinicEventSink inner) : IClinicEventSink
{
    private int _refused;

    public bool Down { get; set; }

    /// <summary>How many publishing attempts were refused while down.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public Task PublishAsync(IReadOnlyList<ClinicEvent> events, CancellationToken ct)
    {
        if (Down)
        {
            Interlocked.Increment(ref _refused);
            throw new InvalidOperationException("Drill: the event broker is down.");
        }
        return inner.PublishAsync(events, ct);
    }
}

/// <summary>
/// A Service Bus sender without a broker: its batches take messages only while their bodies fit
/// <paramref name="maxBatchBytes"/> (256 KB on the Standard tier; the broker also counts each message's headers,
/// which the SDK's real batch measures); every batch sent is recorded.
/// </summary>
public sealed class RecordingServiceBusSender(long maxBatchBytes = 256 * 1024) : ServiceBusSender
{
    private readonly ConcurrentDictionary<ServiceBusMessageBatch, List<ServiceBusMessage>> _batches = new();

    public long MaxBatchBytes => maxBatchBytes;

    /// <summary>Batches sent, in order: their messages.</summary>
    public ConcurrentQueue<IReadOnlyList<ServiceBusMessage>> Sent { get; } = new();

    public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CancellationToken cancellationToken = default)
    {
        var messages = new List<ServiceBusMessage>();
        long size = 0;
        var batch = ServiceBusModelFactory.ServiceBusMessageBatch(maxBatchBytes, messages, new CreateMessageBatchOptions(), m =>
        {
            var length = m.Body.ToMemory().Length;
            if (size + length > maxBatchBytes)
            {
                return false;
            }
            size += length;
            return true;
        });
        _batches[batch] = messages;
        return ValueTask.FromResult(batch);
    }

    public override Task SendMessagesAsync(ServiceBusMessageBatch messageBatch, CancellationToken cancellationToken = default)
    {
        _batches.TryRemove(messageBatch, out var messages);
        Sent.Enqueue(messages!.ToList());
        return Task.CompletedTask;
    }
}
