using System.Text.Json.Nodes;
using Azure.Messaging.ServiceBus;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Infrastructure.Events;
using ClinicBackend.Infrastructure.Messaging;
using Microsoft.Extensions.Time.Testing;
using NodaTime;

namespace ClinicBackend.Integration.Tests.Messaging;

/// <summary>The Service Bus adapters, tested through the SDK's mockable clients (no emulator runs here).</summary>
public sealed class ServiceBusAdapterTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private sealed class RecordingSender(long maxBatchBytes = 256 * 1024) : ServiceBusSender
    {
        public List<ServiceBusMessage> Sent { get; } = [];
        public List<int> BatchSizes { get; } = [];
        private readonly Dictionary<ServiceBusMessageBatch, List<ServiceBusMessage>> _batches = [];

        /// <summary>A batch that, like the broker's, takes messages only while their bodies fit the size limit.</summary>
        public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CancellationToken cancellationToken = default)
        {
            var store = new List<ServiceBusMessage>();
            long size = 0;
            var batch = ServiceBusModelFactory.ServiceBusMessageBatch(maxBatchBytes, store, new CreateMessageBatchOptions(), m =>
            {
                if (size + m.Body.ToMemory().Length > maxBatchBytes)
                {
                    return false;
                }
                size += m.Body.ToMemory().Length;
                return true;
            });
            _batches[batch] = store;
            return ValueTask.FromResult(batch);
        }

        public override Task SendMessagesAsync(ServiceBusMessageBatch messageBatch, CancellationToken cancellationToken = default)
        {
            BatchSizes.Add(messageBatch.Count);
            Sent.AddRange(_batches[messageBatch]);
            return Task.CompletedTask;
        }

        public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
        {
            Sent.Add(message);
            return Task.CompletedTask;
        }

        public override Task SendMessagesAsync(IEnumerable<ServiceBusMessage> messages, CancellationToken cancellationToken = default)
        {
            Sent.AddRange(messages);
            return Task.CompletedTask;
        }
    }

    private sealed class ScriptedReceiver(params ServiceBusReceivedMessage[] messages) : ServiceBusReceiver
    {
        public List<string> Completed { get; } = [];
        public List<(string Id, string Reason, string? Description)> DeadLettered { get; } = [];

        public override Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ServiceBusReceivedMessage>>(messages.Take(maxMessages).ToList());

        public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
        {
            Completed.Add(message.MessageId);
            return Task.CompletedTask;
        }

        public override Task DeadLetterMessageAsync(ServiceBusReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default)
        {
            DeadLettered.Add((message.MessageId, deadLetterReason, deadLetterErrorDescription));
            return Task.CompletedTask;
        }
    }

    private static ServiceBusReceivedMessage Received(OutboxMessage message, int deliveryCount = 1) =>
        ServiceBusModelFactory.ServiceBusReceivedMessage(
            body: BinaryData.FromString(System.Text.Json.JsonSerializer.Serialize(message, ClinicBackend.Application.Persistence.DocumentJson.Options)),
            messageId: message.DeduplicationId, deliveryCount: deliveryCount);

    [Fact]
    public async Task Enqueue_schedules_at_the_send_time_with_the_ledger_key_as_message_id()
    {
        var sender = new RecordingSender();
        var outbox = new ServiceBusOutbox(sender, new ScriptedReceiver(), new ScriptedReceiver(), new FakeTimeProvider(Now));
        var message = new OutboxMessage("riverside", "patient000000001", "r-session000000001-v1-day-before");
        await outbox.EnqueueAsync(message, Instant.FromDateTimeOffset(Now.AddHours(5)), default);
        await outbox.EnqueueAsync(message with { MessageId = "r-session000000002-v1-day-before" }, Instant.FromDateTimeOffset(Now.AddMinutes(-1)), default);

        Assert.Equal("riverside.r-session000000001-v1-day-before", sender.Sent[0].MessageId);
        Assert.Equal(Now.AddHours(5), sender.Sent[0].ScheduledEnqueueTime);
        Assert.Equal(default, sender.Sent[1].ScheduledEnqueueTime); // already due: no schedule
        var body = JsonNode.Parse(sender.Sent[0].Body.ToString())!;
        Assert.Equal("patient000000001", body["patientId"]!.ToString());
    }

    [Fact]
    public async Task Retry_schedules_the_given_generation_under_a_new_id_then_completes()
    {
        var sender = new RecordingSender();
        var message = new OutboxMessage("riverside", "patient000000001", "r-s-v1-day-before", Generation: 2);
        var receiver = new ScriptedReceiver(Received(message, deliveryCount: 1));
        var outbox = new ServiceBusOutbox(sender, receiver, new ScriptedReceiver(), new FakeTimeProvider(Now));
        var delivery = Assert.Single(await outbox.ReceiveAsync(10, default));
        Assert.Equal(message, delivery.Message);
        await delivery.RetryAsync(3, Duration.FromMinutes(4), default);

        var copy = Assert.Single(sender.Sent);
        Assert.Equal("riverside.r-s-v1-day-before.3", copy.MessageId); // not dropped by duplicate detection
        Assert.Equal(Now.AddMinutes(4), copy.ScheduledEnqueueTime);
        Assert.Equal(["riverside.r-s-v1-day-before.2"], receiver.Completed);
    }

    [Fact]
    public async Task An_unreadable_message_is_completed_and_the_rest_delivered()
    {
        var good = new OutboxMessage("riverside", "p", "m");
        var garbage = ServiceBusModelFactory.ServiceBusReceivedMessage(body: BinaryData.FromString("{not json"), messageId: "garbage");
        var receiver = new ScriptedReceiver(garbage, Received(good));
        var outbox = new ServiceBusOutbox(new RecordingSender(), receiver, new ScriptedReceiver(), new FakeTimeProvider(Now));
        Assert.Equal(good, Assert.Single(await outbox.ReceiveAsync(10, default)).Message);
        Assert.Equal(["garbage"], receiver.Completed);
    }

    [Fact]
    public async Task Dead_lettering_uses_the_queue_dead_letter_sub_queue()
    {
        var message = new OutboxMessage("riverside", "p", "m");
        var receiver = new ScriptedReceiver(Received(message, deliveryCount: 3));
        var outbox = new ServiceBusOutbox(new RecordingSender(), receiver, new ScriptedReceiver(), new FakeTimeProvider(Now));
        var delivery = Assert.Single(await outbox.ReceiveAsync(10, default));
        Assert.Equal(3, delivery.DeliveryCount);
        await delivery.DeadLetterAsync("gave up after 8 attempts", default);
        Assert.Equal(("riverside.m", "undeliverable", "gave up after 8 attempts"), Assert.Single(receiver.DeadLettered));
    }

    [Fact]
    public async Task Dead_letters_are_read_back_from_the_sub_queue_and_completed_there()
    {
        var message = new OutboxMessage("riverside", "p", "m", Generation: 4);
        var queue = new ScriptedReceiver();
        var deadLetters = new ScriptedReceiver(Received(message, deliveryCount: 10));
        var outbox = new ServiceBusOutbox(new RecordingSender(), queue, deadLetters, new FakeTimeProvider(Now));
        Assert.Empty(await outbox.ReceiveAsync(10, default));
        var dead = Assert.Single(await outbox.ReceiveDeadLetteredAsync(10, default));
        Assert.Equal(message, dead.Message);
        await dead.CompleteAsync(default);
        Assert.Equal(["riverside.m.4"], deadLetters.Completed);
        Assert.Empty(queue.Completed);
    }

    [Fact]
    public async Task Six_hundred_events_go_in_batches_that_fit_the_broker_limit()
    {
        var sender = new RecordingSender(maxBatchBytes: 64 * 1024);
        var events = Enumerable.Range(0, 600).Select(i => new ClinicEvent
        {
            Id = $"flag-{i}-raised",
            Source = "/clinics/riverside",
            Type = EventTypes.FlagRaised,
            Subject = $"flags/{i}",
            Time = Instant.FromDateTimeOffset(Now),
            Data = new JsonObject { ["detail"] = new string('x', 400) },
            ClinicId = "riverside",
        }).ToList();
        await new ServiceBusEventSink(sender).PublishAsync(events, default);
        Assert.Equal(600, sender.BatchSizes.Sum());
        Assert.True(sender.BatchSizes.Count > 1, "more than one batch");
        Assert.All(sender.BatchSizes, n => Assert.True(n * 400 < 64 * 1024, $"a batch of {n} events exceeds the limit"));
    }

    [Fact]
    public async Task Clinic_events_go_to_the_topic_as_CloudEvents_with_their_own_id()
    {
        var sender = new RecordingSender();
        var sink = new ServiceBusEventSink(sender);
        await sink.PublishAsync([new ClinicEvent
        {
            Id = "flag-abc-raised",
            Source = "/clinics/riverside",
            Type = EventTypes.FlagRaised,
            Subject = "flags/abc",
            Time = Instant.FromDateTimeOffset(Now),
            Data = new JsonObject { ["kind"] = "crisis" },
            ClinicId = "riverside",
        }], default);
        Assert.Equal([1], sender.BatchSizes);
        var sent = Assert.Single(sender.Sent);
        Assert.Equal("flag-abc-raised", sent.MessageId);
        Assert.StartsWith("application/cloudevents+json", sent.ContentType);
        var cloudEvent = JsonNode.Parse(sent.Body.ToString())!;
        Assert.Equal("1.0", cloudEvent["specversion"]!.ToString());
        Assert.Equal("clinic.flag.raised", cloudEvent["type"]!.ToString());
        Assert.Equal("/clinics/riverside", cloudEvent["source"]!.ToString());
        Assert.Equal("crisis", cloudEvent["data"]!["kind"]!.ToString());
    }
}
