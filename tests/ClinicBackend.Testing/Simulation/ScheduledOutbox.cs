using ClinicBackend.Domain.Messaging;
using NodaTime;

namespace ClinicBackend.Testing.Simulation;

/// <summary>
/// The outbox as Service Bus keeps it in Azure: each message invisible until its send time, here on the app's (fake)
/// clock, in memory. The local host's storage queue counts its delays in real time, which a simulated quarter skips.
/// </summary>
public sealed class ScheduledOutbox(TimeProvider clock) : ISmsOutbox
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<(OutboxMessage Message, int Deliveries), (Instant At, long Order)> _waiting = new();
    private readonly List<Delivery> _dead = [];
    private long _order;

    private Instant Now => Instant.FromDateTimeOffset(clock.GetUtcNow());

    public Task EnqueueAsync(OutboxMessage message, Instant sendAt, CancellationToken ct)
    {
        Add(message, 0, sendAt);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<IOutboxDelivery>> ReceiveAsync(int max, CancellationToken ct)
    {
        var due = new List<IOutboxDelivery>();
        lock (_lock)
        {
            while (due.Count < max && _waiting.TryPeek(out _, out var key) && key.At <= Now)
            {
                var (message, deliveries) = _waiting.Dequeue();
                due.Add(new Delivery(this, message, deliveries + 1));
            }
        }
        return Task.FromResult<IReadOnlyList<IOutboxDelivery>>(due);
    }

    public Task<IReadOnlyList<IOutboxDelivery>> ReceiveDeadLetteredAsync(int max, CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<IOutboxDelivery>>([.. _dead.Take(max)]);
        }
    }

    private void Add(OutboxMessage message, int deliveries, Instant at)
    {
        lock (_lock)
        {
            _waiting.Enqueue((message, deliveries), (at, _order++));
        }
    }

    private sealed class Delivery(ScheduledOutbox outbox, OutboxMessage message, int deliveries) : IOutboxDelivery
    {
        public OutboxMessage Message { get; } = message;
        public int DeliveryCount { get; } = deliveries;

        public Task CompleteAsync(CancellationToken ct)
        {
            lock (outbox._lock)
            {
                outbox._dead.Remove(this);
            }
            return Task.CompletedTask;
        }

        public Task RetryAsync(int generation, Duration delay, CancellationToken ct)
        {
            outbox.Add(Message with { Generation = generation }, DeliveryCount, outbox.Now + delay);
            return Task.CompletedTask;
        }

        public Task DeadLetterAsync(string reason, CancellationToken ct)
        {
            lock (outbox._lock)
            {
                outbox._dead.Add(this);
            }
            return Task.CompletedTask;
        }
    }
}
