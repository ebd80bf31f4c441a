using System.Collections.Concurrent;
using Azure.Data.Tables;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Queues;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.LocalHost;

namespace ClinicBackend.Testing.Drills;

public static class DrillServices
{
    /// <summary>Replaces the registered <typeparamref name="T"/> by <paramref name="wrap"/> around it.</summary>
    public static IServiceCollection Decorate<T>(this IServiceCollection services, Func<T, IServiceProvider, T> wrap) where T : class
    {
        var inner = services.Last(d => d.ServiceType == typeof(T));
        services.AddSingleton(sp => wrap((T)(inner.ImplementationInstance ?? inner.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!)), sp));
        return services;
    }

    /// <summary>
    /// Storage clients that give up on a stopped Azurite within about a second (the app's own wait 3 retries with
    /// Azure's default backoff, several seconds per call), so a drill with storage down takes seconds.
    /// </summary>
    public static IServiceCollection AddFastFailingStorage(this IServiceCollection services, string connectionString)
    {
        var table = new TableClientOptions();
        table.Retry.MaxRetries = 2;
        table.Retry.Delay = TimeSpan.FromMilliseconds(50);
        table.Retry.MaxDelay = TimeSpan.FromMilliseconds(200);
        table.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
        var queue = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        queue.Retry.MaxRetries = 2;
        queue.Retry.Delay = TimeSpan.FromMilliseconds(50);
        queue.Retry.MaxDelay = TimeSpan.FromMilliseconds(200);
        queue.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
        services.AddSingleton(new TableServiceClient(connectionString, table));
        services.AddSingleton(new QueueServiceClient(connectionString, queue));
        return services;
    }
}

/// <summary>
/// The drills' own Azurite (not the shared one other tests use), on a temporary folder, that can be stopped and
/// started again on the same ports and data. One at a time, started on first use and kept until
/// <see cref="ShutdownAsync"/> (or the process exits); a drill leases it alone, since it stops and restarts it.
/// </summary>
public sealed class AzuriteControl : IAsyncDisposable
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Task<AzuriteControl>? _instance;
    private AzuriteProcess _current;
    private int _stops;

    private AzuriteControl(AzuriteProcess current) => _current = current;

    public string ConnectionString => _current.ConnectionString;

    /// <summary>The drills' Azurite, running, for this drill alone until the lease is disposed.</summary>
    public static async Task<Lease> LeaseAsync()
    {
        await Gate.WaitAsync();
        try
        {
            _instance ??= StartAsync();
            var control = await _instance;
            if (Volatile.Read(ref control._stops) != 0)
            {
                await control.RestartAsync(); // a drill that failed left it stopped
            }
            return new Lease(control);
        }
        catch
        {
            _instance = _instance is { IsFaulted: true } ? null : _instance;
            Gate.Release();
            throw;
        }
    }

    /// <summary>Stops the drills' Azurite and deletes its data, if one was started.</summary>
    public static async Task ShutdownAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (Interlocked.Exchange(ref _instance, null) is { IsCompletedSuccessfully: true } started)
            {
                await (await started).DisposeAsync();
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    public sealed class Lease(AzuriteControl azurite) : IAsyncDisposable
    {
        public AzuriteControl Azurite => azurite;

        public ValueTask DisposeAsync()
        {
            Gate.Release();
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<AzuriteControl> StartAsync()
    {
        var control = new AzuriteControl(await AzuriteProcess.StartAsync(Path.Combine(Path.GetTempPath(), "clinic-drill-azurite-" + Guid.NewGuid().ToString("N")), defaultPorts: false));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => ShutdownAsync().Wait(TimeSpan.FromSeconds(15));
        return control;
    }

    /// <summary>How long the last stop and restart took.</summary>
    public (TimeSpan Stop, TimeSpan Restart) Timings { get; private set; }

    /// <summary>Stops it, once per start however many callers ask.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stops, 1) == 0)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await _current.StopAsync();
            Timings = (System.Diagnostics.Stopwatch.GetElapsedTime(started), default);
        }
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        _current = await AzuriteProcess.StartAsync(_current.DataFolder, _current.BlobPort, _current.QueuePort, _current.TablePort);
        Timings = Timings with { Restart = System.Diagnostics.Stopwatch.GetElapsedTime(started) };
        Interlocked.Exchange(ref _stops, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _current.DisposeAsync();
        try
        {
            Directory.Delete(_current.DataFolder, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

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

    public Task OnCompletedAsync(ClinicCommit commit, Session fulfilled, CancellationToken ct) => inner.OnCompletedAsync(commit, fulfilled, ct);

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
