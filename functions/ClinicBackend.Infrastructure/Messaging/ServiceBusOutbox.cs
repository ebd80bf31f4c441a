using Azure.Messaging.ServiceBus;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Time;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Infrastructure.Messaging;

/// <summary>
/// The outbox on a Service Bus queue: scheduled enqueue at the send time, <c>MessageId</c> = the ledger key
/// (plus the generation) for duplicate detection, peek-lock leases, and the queue's dead-letter sub-queue.
/// A retry schedules the next generation and completes the current message; if the process dies between
/// the two, both arrive and the ledger claim lets only one through. Dead letters are read back from the
/// queue's dead-letter sub-queue by the reconciler.
/// </summary>
public sealed class ServiceBusOutbox(ServiceBusSender sender, ServiceBusReceiver receiver, ServiceBusReceiver deadLetters, TimeProvider time, ILogger? logger = null) : ISmsOutbox
{
    public static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(2);
    private readonly ServiceBusReceiver _receiver = receiver;
    private readonly TimeProvider _time = time;

    public Task EnqueueAsync(OutboxMessage message, Instant sendAt, CancellationToken ct) => SendAsync(message, sendAt, ct);

    public Task<IReadOnlyList<IOutboxDelivery>> ReceiveAsync(int max, CancellationToken ct) => ReceiveFromAsync(_receiver, max, ct);

    /// <summary>From the queue's dead-letter sub-queue (a receiver opened with <c>SubQueue.DeadLetter</c>).</summary>
    public Task<IReadOnlyList<IOutboxDelivery>> ReceiveDeadLetteredAsync(int max, CancellationToken ct) => ReceiveFromAsync(deadLetters, max, ct);

    /// <summary>Received messages; an unreadable one is completed (its text, if any, is re-found from the ledger by the reconciler).</summary>
    private async Task<IReadOnlyList<IOutboxDelivery>> ReceiveFromAsync(ServiceBusReceiver from, int max, CancellationToken ct)
    {
        var deliveries = new List<IOutboxDelivery>();
        foreach (var received in await from.ReceiveMessagesAsync(max, ReceiveWait, ct))
        {
            if (OutboxJson.TryRead(received.Body.ToString(), deadLetter: false) is { } message)
            {
                deliveries.Add(new Delivery(this, from, received, message));
            }
            else
            {
                logger?.LogWarning("Completed unreadable outbox message {QueueMessageId} from {Queue}.", received.MessageId, from.EntityPath);
                await from.CompleteMessageAsync(received, ct);
            }
        }
        return deliveries;
    }

    private async Task SendAsync(OutboxMessage message, Instant sendAt, CancellationToken ct)
    {
        var busMessage = new ServiceBusMessage(OutboxJson.Serialize(message))
        {
            MessageId = message.DeduplicationId,
            ContentType = "application/json",
            Subject = "sms",
        };
        if (sendAt > _time.Now())
        {
            busMessage.ScheduledEnqueueTime = sendAt.ToDateTimeOffset();
        }
        await sender.SendMessageAsync(busMessage, ct);
    }

    private sealed class Delivery(ServiceBusOutbox outbox, ServiceBusReceiver from, ServiceBusReceivedMessage received, OutboxMessage message) : IOutboxDelivery
    {
        public OutboxMessage Message => message;

        public int DeliveryCount => received.DeliveryCount;

        public Task CompleteAsync(CancellationToken ct) => from.CompleteMessageAsync(received, ct);

        public async Task RetryAsync(int generation, Duration delay, CancellationToken ct)
        {
            await outbox.SendAsync(message with { Generation = generation }, outbox._time.Now() + delay, ct);
            await from.CompleteMessageAsync(received, ct);
        }

        public Task DeadLetterAsync(string reason, CancellationToken ct) =>
            from.DeadLetterMessageAsync(received, "undeliverable", reason, ct);
    }
}
