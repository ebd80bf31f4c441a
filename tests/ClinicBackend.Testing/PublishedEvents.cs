using System.Text.Json.Nodes;
using Azure.Storage.Queues;

namespace ClinicBackend.Testing;

/// <summary>The CloudEvents the app published to its local event queue.</summary>
public static class PublishedEvents
{
    /// <summary>Takes every event off the app's queue (after a moment for publishes that run in the background).</summary>
    public static async Task<List<JsonNode>> DrainAsync(TestApp app)
    {
        await Task.Delay(300);
        var queue = new QueueClient(app.ConnectionString, $"{app.Prefix}clinic-events", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var events = new List<JsonNode>();
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32)).Value;
            if (batch.Length == 0)
            {
                return events;
            }
            foreach (var message in batch)
            {
                events.Add(JsonNode.Parse(message.MessageText)!);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }
}
