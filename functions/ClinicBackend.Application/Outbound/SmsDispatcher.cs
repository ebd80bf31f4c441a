using System.Collections.Concurrent;
using System.Threading.Channels;
using ClinicBackend.Application.Operations;
using ClinicBackend.Domain.Messaging;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Application.Outbound;

/// <summary>What became of one outbox message in a dispatch run.</summary>
public enum DispatchOutcome
{
    Sent,
    Simulated,
    Skipped,
    Deferred,
    Retried,
    Failed,
    DeadLettered,
    /// <summary>Already handled (sent, skipped or failed) by an earlier delivery.</summary>
    Duplicate,
    /// <summary>No ledger row: nothing to send.</summary>
    Missing,
    /// <summary>Another dispatcher claimed the row, or used the patient's text of the day, first.</summary>
    Raced,
    /// <summary>Kept planned: Twilio refused our credentials.</summary>
    Held,
    /// <summary>Storage trouble and the like: the message comes back.</summary>
    Error,
}

public sealed record DispatchSummary(IReadOnlyDictionary<DispatchOutcome, int> Counts)
{
    public int this[DispatchOutcome outcome] => Counts.GetValueOrDefault(outcome);

    public int Received => Counts.Values.Sum();

    /// <summary>For people reading a benchmark's output: "received 3, sent 2, deferred 1". Logs take the counts as named fields.</summary>
    public override string ToString() =>
        string.Join(", ", Enum.GetValues<DispatchOutcome>().Where(o => this[o] > 0).Select(o => $"{Names(o)} {this[o]}").Prepend($"received {Received}"));

    private static string Names(DispatchOutcome o) => Domain.Common.Names.Kebab(o);
}

/// <summary>
/// How many texts one dispatcher works on at once (setting <c>Outbox__DispatchConcurrency</c>). A text holds its place
/// through its storage round trips (read, claim, record, complete), its wait for a send slot and Twilio's answer
/// (100-300 ms): at 100 texts a second that is 25-45 texts, and the pacer needs a few more waiting to fill every slot.
/// The sends themselves stay paced, so a higher setting adds texts waiting, not load on Twilio or storage.
/// </summary>
public sealed record DispatchSettings(int Concurrency = DispatchSettings.DefaultConcurrency)
{
    public const int DefaultConcurrency = 64;
    public const int MaxConcurrency = 256;
}

/// <summary>
/// The outbox pump: receives due messages in batches and hands each to the <see cref="DueTextHandler"/>, at most
/// <see cref="DispatchSettings.Concurrency"/> at a time, with the next batch received while earlier texts are still
/// being sent, until the run's budget is used up, the outbox has nothing new, or Twilio refuses our credentials.
/// The budget only stops the receiving: every message already taken is finished.
/// </summary>
public sealed class SmsDispatcher(ISmsOutbox outbox, DueTextHandler handler, DispatchSettings settings, ILogger<SmsDispatcher> logger)
{
    public const int BatchSize = 32;
    public const int Receivers = 2;

    public async Task<DispatchSummary> DispatchAsync(TimeSpan budget, CancellationToken ct)
    {
        var counts = new ConcurrentDictionary<DispatchOutcome, int>();
        var run = new DispatchRun(budget);
        // A batch waits in the channel while the next ones are received, so senders do not wait for a receive to come
        // back; two receives at a time, as one from a long storage queue can take longer than a batch takes to send.
        // At most three batches are leased and not yet worked on.
        var received = Channel.CreateBounded<IOutboxDelivery>(BatchSize);
        var receiving = ReceiveAsync(received.Writer, run, ct);
        await Parallel.ForEachAsync(received.Reader.ReadAllAsync(CancellationToken.None), new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = CancellationToken.None },
            async (delivery, _) =>
            {
                var outcome = await HandleSafelyAsync(delivery, run, ct);
                counts.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            });
        await receiving;
        if (run.Unauthorized)
        {
            logger.Alert(OperationalEvents.TwilioAuthenticationFailed,
                "TwilioAuthenticationFailed: Twilio refused the account's credentials (401/20003). No text was sent; {Held} stay planned and go on the first run after Twilio__AuthToken is fixed.",
                run.TextsHeldForCredentials);
        }
        return new DispatchSummary(counts);
    }

    /// <summary>
    /// Batches from the outbox, each by due time, by <see cref="Receivers"/> receivers, each until the budget is used
    /// up, Twilio refuses our credentials, the outbox is empty, or a batch holds nothing but messages this run already
    /// handled (deferred ones visible again). The budget is looked at before each receive and never cancels one under
    /// way: a receive cut off after the queue leased its messages would leave them unworked until their lease ran out.
    /// Every message received is handed on; a receive that fails ends the run with its error.
    /// </summary>
    private async Task ReceiveAsync(ChannelWriter<IOutboxDelivery> handlers, DispatchRun run, CancellationToken ct)
    {
        var seen = new ConcurrentDictionary<string, bool>();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Receivers).Select(_ => ReceiveBatchesAsync(handlers, seen, run, ct)));
            handlers.Complete();
        }
        catch (Exception e)
        {
            handlers.Complete(e); // the handlers finish what they have, then the run ends with the error
        }
    }

    private async Task ReceiveBatchesAsync(ChannelWriter<IOutboxDelivery> handlers, ConcurrentDictionary<string, bool> seen, DispatchRun run, CancellationToken ct)
    {
        while (!run.PastBudget && !run.Unauthorized)
        {
            var batch = await outbox.ReceiveAsync(BatchSize, ct);
            var fresh = batch.Count(delivery => seen.TryAdd($"{delivery.Message.ClinicId}.{delivery.Message.MessageId}", true));
            foreach (var delivery in batch.OrderBy(d => d.Message.DueAt ?? NodaTime.Instant.MinValue))
            {
                await handlers.WriteAsync(delivery, ct);
            }
            if (fresh == 0)
            {
                return;
            }
        }
    }

    private async Task<DispatchOutcome> HandleSafelyAsync(IOutboxDelivery delivery, DispatchRun run, CancellationToken ct)
    {
        try
        {
            return await handler.HandleAsync(delivery, run, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Dispatching message {MessageId} of clinic {ClinicId} failed; it will be received again.", delivery.Message.MessageId, delivery.Message.ClinicId);
            return DispatchOutcome.Error;
        }
    }
}
