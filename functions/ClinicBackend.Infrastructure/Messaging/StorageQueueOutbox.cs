using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Time;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Infrastructure.Messaging;

/// <summary>
/// The outbox on an Azure Storage queue (local runs, tests): a message stays invisible until its send time
/// (at most <paramref name="maxDelay"/>, the queue allows 7 days; the dispatcher defers early arrivals),
/// leases hide a received message while it is handled, and dead letters go to the poison queue.
/// </summary>
public sealed class StorageQueueOutbox(QueueClient queue, QueueClient poison, TimeProvider time, TimeSpan maxDelay, ILogger? logger = null) : ISmsOutbox
{
    public static readonly TimeSpan StorageLimit = TimeSpan.FromDays(7);
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private readonly QueueClient _queue = queue;
    private readonly QueueClient _poison = poison;
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private volatile bool _created;

    public async Task EnqueueAsync(OutboxMessage message, Instant sendAt, CancellationToken ct)
    {
        await EnsureQueuesAsync(ct);
        await _queue.SendMessageAsync(OutboxJson.Serialize(message), VisibilityDelay(sendAt - time.Now()), TimeSpan.FromSeconds(-1), ct);
    }

    public Task<IReadOnlyList<IOutboxDelivery>> ReceiveAsync(int max, CancellationToken ct) => ReceiveFromAsync(_queue, max, deadLetters: false, ct);

    /// <summary>From the poison queue, where <see cref="IOutboxDelivery.DeadLetterAsync"/> puts messages with their reason.</summary>
    public Task<IReadOnlyList<IOutboxDelivery>> ReceiveDeadLetteredAsync(int max, CancellationToken ct) => ReceiveFromAsync(_poison, max, deadLetters: true, ct);

    /// <summary>Received messages; an unreadable one is deleted (its text, if any, is re-found from the ledger by the reconciler).</summary>
    private async Task<IReadOnlyList<IOutboxDelivery>> ReceiveFromAsync(QueueClient from, int max, bool deadLetters, CancellationToken ct)
    {
        await EnsureQueuesAsync(ct);
        var deliveries = new List<IOutboxDelivery>();
        foreach (var received in (await from.ReceiveMessagesAsync(Math.Clamp(max, 1, 32), Lease, ct)).Value)
        {
            if (OutboxJson.TryRead(received.MessageText, deadLetters) is { } message)
            {
                deliveries.Add(new Delivery(this, from, received, message));
            }
            else
            {
                logger?.LogWarning("Deleted unreadable outbox message {QueueMessageId} from {Queue}.", received.MessageId, from.Name);
                await from.DeleteMessageAsync(received.MessageId, received.PopReceipt, ct);
            }
        }
        return deliveries;
    }

    private TimeSpan VisibilityDelay(Duration delay)
    {
        var wanted = delay.ToTimeSpan();
        var cap = maxDelay < StorageLimit ? maxDelay : StorageLimit;
        return wanted <= TimeSpan.Zero ? TimeSpan.Zero : wanted > cap ? cap : wanted;
    }

    private async Task EnsureQueuesAsync(CancellationToken ct)
    {
        if (_created)
        {
            return;
        }
        await _createLock.WaitAsync(ct);
        try
        {
            if (!_created)
            {
                await _queue.CreateIfNotExistsAsync(cancellationToken: ct);
                await _poison.CreateIfNotExistsAsync(cancellationToken: ct);
                _created = true;
            }
        }
        finally
        {
            _createLock.Release();
        }
    }

    private sealed class Delivery(StorageQueueOutbox outbox, QueueClient from, QueueMessage received, OutboxMessage message) : IOutboxDelivery
    {
        private string _popReceipt = received.PopReceipt;

        public OutboxMessage Message => message;

        public int DeliveryCount => (int)received.DequeueCount;

        public Task CompleteAsync(CancellationToken ct) => from.DeleteMessageAsync(received.MessageId, _popReceipt, ct);

        public async Task RetryAsync(int generation, Duration delay, CancellationToken ct)
        {
            var updated = await from.UpdateMessageAsync(received.MessageId, _popReceipt, OutboxJson.Serialize(message with { Generation = generation }), outbox.VisibilityDelay(delay), ct);
            _popReceipt = updated.Value.PopReceipt;
        }

        public async Task DeadLetterAsync(string reason, CancellationToken ct)
        {
            await outbox._poison.SendMessageAsync(OutboxJson.SerializeDeadLetter(message, reason), cancellationToken: ct);
            await CompleteAsync(ct);
        }
    }
}
