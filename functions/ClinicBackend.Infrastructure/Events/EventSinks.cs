using Azure.Messaging.ServiceBus;
using Azure.Storage.Queues;
using ClinicBackend.Domain.Events;

namespace ClinicBackend.Infrastructure.Events;

/// <summary>
/// Clinic events to a Service Bus topic, in batches the broker accepts (at most its message size limit each);
/// the event id is the MessageId, so duplicate detection drops repeats.
/// </summary>
public sealed class ServiceBusEventSink(ServiceBusSender sender) : IClinicEventSink
{
    public async Task PublishAsync(IReadOnlyList<ClinicEvent> events, CancellationToken ct)
    {
        var pending = new Queue<ClinicEvent>(events);
        while (pending.Count > 0)
        {
            using var batch = await sender.CreateMessageBatchAsync(ct);
            while (pending.Count > 0 && batch.TryAddMessage(ToMessage(pending.Peek())))
            {
                pending.Dequeue();
            }
            if (batch.Count == 0)
            {
                throw new InvalidOperationException($"Clinic event {pending.Peek().Id} is larger than a Service Bus message may be.");
            }
            await sender.SendMessagesAsync(batch, ct);
        }
    }

    private static ServiceBusMessage ToMessage(ClinicEvent e) => new(CloudEventJson.Serialize(e))
    {
        MessageId = e.Id,
        ContentType = CloudEventJson.ContentType,
        Subject = e.Type,
        ApplicationProperties = { ["clinicId"] = e.ClinicId },
    };
}

/// <summary>Clinic events to an Azure Storage queue (local runs and tests).</summary>
public sealed class StorageQueueEventSink(QueueClient queue) : IClinicEventSink
{
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private volatile bool _created;

    public async Task PublishAsync(IReadOnlyList<ClinicEvent> events, CancellationToken ct)
    {
        if (!_created)
        {
            await _createLock.WaitAsync(ct);
            try
            {
                await queue.CreateIfNotExistsAsync(cancellationToken: ct);
                _created = true;
            }
            finally
            {
                _createLock.Release();
            }
        }
        foreach (var e in events)
        {
            await queue.SendMessageAsync(CloudEventJson.Serialize(e), ct);
        }
    }
}
