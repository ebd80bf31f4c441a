using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.LocalHost;
using ClinicBackend.Testing;

namespace ClinicBackend.Benchmarks;

/// <summary>
/// Dispatch throughput against a Twilio stand-in that allows N texts a second and answers 429 beyond, and a
/// ceiling that does a send's storage work with the SDK alone: receive, read the ledger row, read patient,
/// session and quota at once, claim (the row and the quota row in one transaction), record, delete the message.
/// </summary>
public static class DispatchBenchmark
{
    /// <summary>
    /// The stand-in's limit a second, the texts due, how long the stand-in takes to answer each create (Twilio takes
    /// 100-300 ms), and how many clinics the texts belong to (each its own number and partition).
    /// </summary>
    public sealed record Setup(int PerSecond, int Texts, int AnswerMs, int Clinics)
    {
        /// <summary>The goal's name: the limit, and the answer delay and clinics when they differ from the defaults.</summary>
        public string Name => $"dispatch, limit {PerSecond}/s" + (AnswerMs > 0 ? $", {AnswerMs} ms answers" : "") + $", {Clinics} clinics";
    }

    /// <summary>Dispatch as <paramref name="setup"/> says; with <paramref name="ceiling"/> also the SDK ceiling for as many texts.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(AzuriteProcess azurite, Setup setup, bool ceiling)
    {
        var (lines, rate) = await DispatchAsync(azurite, setup);
        lines.AddRange(await PacingAloneAsync(azurite, setup, rate));
        var perSecond = setup.PerSecond;
        if (ceiling)
        {
            var (bare, line) = await CeilingAsync(azurite, setup.Texts, setup.Clinics);
            lines.Add(line);
            lines.Add($"dispatch at a {perSecond}/s limit runs at {Results.Percent(rate / bare)} of the SDK ceiling (goal: at least 50%)");
            Results.Add($"{setup.Name} / SDK ceiling of a send's storage work", $"{Results.Percent(rate / bare)} ({Results.F(rate)}/s vs {Results.F(bare)}/s)", ">= 50%", rate / bare >= 0.5);
        }
        return lines;
    }

    private static async Task<(List<string> Lines, double Rate)> DispatchAsync(AzuriteProcess azurite, Setup setup)
    {
        var (perSecond, texts) = (setup.PerSecond, setup.Texts);
        await WarmUpAsync(azurite);
        await using var twilio = await TwilioStandIn.StartAsync();
        twilio.PerSecondLimit = perSecond;
        twilio.CreateDelay = TimeSpan.FromMilliseconds(setup.AnswerMs);
        await using var host = await BenchmarkHost.StartAsync(azurite, twilio.Settings(), Seed.RemindersDue, countStorage: true);
        await PlanAsync(host, texts, setup.Clinics);
        host.Probe.Reset();
        var dispatcher = host.Services.GetRequiredService<SmsDispatcher>();
        var watch = Stopwatch.StartNew();
        var runs = 0;
        var limiter = host.Services.GetRequiredService<SendRateLimiter>();
        using var sampling = new CancellationTokenSource();
        var timeline = SampleEachSecondAsync(() => (twilio.Accepted.Count, twilio.Throttled, limiter.CurrentRate, twilio.InFlight, limiter.Waiting), sampling.Token);
        while (twilio.Accepted.Count < texts && watch.Elapsed < TimeSpan.FromMinutes(3))
        {
            var summary = await dispatcher.DispatchAsync(TimeSpan.FromSeconds(50), default);
            if (runs < 3)
            {
                Console.WriteLine($"  run {runs}: {summary} after {watch.Elapsed.TotalSeconds:F1} s");
            }
            runs++;
            if (summary.Received == 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(1)); // texts deferred after 429s come due later; the timer would run each minute
            }
        }
        var elapsed = watch.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        var seconds = await timeline;
        var (receives, requestMs) = (host.Probe.ReceiveMs, host.Probe.MeanRequestMs);
        var (requests, _) = host.Probe.Reset();
        var sent = twilio.Accepted.Count;
        var distinct = twilio.Accepted.Select(t => t.StatusCallback).Distinct().Count(); // one callback URL per ledger row
        var rate = sent / elapsed;
        var (doubled, lost) = (sent - distinct, texts - distinct);
        var ofLimit = rate / perSecond;
        if (perSecond <= 100)
        {
            Results.Add(setup.Name, $"{Results.Percent(ofLimit)} of the limit ({Results.F(rate)}/s; at most {twilio.MaxInFlight} in flight, {twilio.Throttled} answers 429)", ">= 90%", ofLimit >= 0.9);
        }
        Results.Add($"{setup.Name}: texts doubled / lost", $"{doubled} / {lost} of {texts}", "0 / 0", doubled == 0 && lost == 0);
        var byClinic = twilio.Accepted.GroupBy(t => t.From).OrderBy(g => g.Key).Select(g => g.Count());
        return (
        [
            $"dispatch: stand-in allows {perSecond}/s and answers each create after {setup.AnswerMs} ms; {texts} texts of {setup.Clinics} clinics",
            $"          {sent} accepted in {elapsed:F1} s over {runs} run(s) = {rate:F1}/s = {Results.Percent(ofLimit)} of the limit" + (perSecond <= 100 ? " (goal: at least 90%)" : ""),
            $"          {twilio.Throttled} requests answered 429 ({Results.F((double)twilio.Requests / Math.Max(1, sent), "F2")} send requests per text); {doubled} doubled; {lost} lost; "
                + $"at most {twilio.MaxInFlight} sends in flight; limiter settled at {limiter.CurrentRate:F1}/s; {Results.F((double)requests / Math.Max(1, sent))} storage requests per text",
            $"          accepted by clinic: {string.Join(", ", byClinic)}; a storage request took {requestMs:F0} ms on average; "
                + $"{receives.Count} outbox receives took {Measure.Median(receives):F0} ms (median), {(receives.Count == 0 ? 0 : receives.Max()):F0} ms at most",
            "          each second (accepted/429, and at its end pace/in flight/waiting for a slot): " + string.Join(" ", seconds),
        ], rate);
    }

    /// <summary>
    /// The same texts sent by as many senders as the dispatcher has, through the app's gateway and a new pacer, with
    /// no storage work: what the pacing alone (slow start, cuts, in-run 429 retries) lets through the stand-in. The
    /// gap between this and the dispatch is what storage and the outbox's receives take.
    /// </summary>
    private static async Task<List<string>> PacingAloneAsync(AzuriteProcess azurite, Setup setup, double dispatchRate)
    {
        await using var twilio = await TwilioStandIn.StartAsync();
        twilio.PerSecondLimit = setup.PerSecond;
        twilio.CreateDelay = TimeSpan.FromMilliseconds(setup.AnswerMs);
        await using var host = await BenchmarkHost.StartAsync(azurite, twilio.Settings(), Seed.RemindersDue);
        var gateway = host.Services.GetRequiredService<ISmsGateway>();
        var limiter = new SendRateLimiter(TimeProvider.System);
        var next = -1;
        var watch = Stopwatch.StartNew();
        using var sampling = new CancellationTokenSource();
        var timeline = SampleEachSecondAsync(() => (twilio.Accepted.Count, twilio.Throttled, limiter.CurrentRate, twilio.InFlight, limiter.Waiting), sampling.Token);
        var senders = host.Services.GetRequiredService<DispatchSettings>().Concurrency;
        await Parallel.ForEachAsync(Enumerable.Range(0, senders), new ParallelOptions { MaxDegreeOfParallelism = senders }, async (_, ct) =>
        {
            for (var i = Interlocked.Increment(ref next); i < setup.Texts; i = Interlocked.Increment(ref next))
            {
                var request = new SmsRequest("+1212555" + (i % setup.Clinics).ToString("D4", CultureInfo.InvariantCulture), $"+1646555{i:D4}", "Reminder", new Uri($"https://clinic.example.org/texts/{i}"));
                while (await TextSender.SendPacedAsync(gateway, limiter, request, () => false, ct) is SendResult.Throttled)
                {
                }
            }
        });
        var elapsed = watch.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        var seconds = await timeline;
        var rate = twilio.Accepted.Count / elapsed;
        return
        [
            $"pacing alone (no storage, same senders and stand-in): {twilio.Accepted.Count} accepted in {elapsed:F1} s = {rate:F1}/s = {Results.Percent(rate / setup.PerSecond)} of the limit; "
                + $"{twilio.Throttled} answered 429; at most {twilio.MaxInFlight} in flight; the dispatch reached {Results.Percent(dispatchRate / rate)} of this",
            "          each second (accepted/429, and at its end pace/in flight/waiting for a slot): " + string.Join(" ", seconds),
        ];
    }

    /// <summary>
    /// One small unlimited dispatch in a host of its own, so that the measured run starts with the process's code
    /// compiled, as a worker that has been running its minute timer has; its limiter and connections are new.
    /// </summary>
    private static async Task WarmUpAsync(AzuriteProcess azurite)
    {
        await using var twilio = await TwilioStandIn.StartAsync();
        await using var host = await BenchmarkHost.StartAsync(azurite, twilio.Settings(), Seed.RemindersDue);
        await PlanAsync(host, 100, 10);
        await host.Services.GetRequiredService<SmsDispatcher>().DispatchAsync(TimeSpan.FromSeconds(50), default);
    }

    /// <summary>
    /// Texts accepted and refused in each second of the run, and at its end the limiter's pace, the sends in flight at
    /// the stand-in and the senders waiting for a slot (none while the pace is not reached: something else holds them back).
    /// </summary>
    private static async Task<List<string>> SampleEachSecondAsync(Func<(int Accepted, int Throttled, double Pace, int InFlight, int Waiting)> sample, CancellationToken stop)
    {
        var seconds = new List<string>();
        var (accepted, throttled, _, _, _) = sample();
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await tick.WaitForNextTickAsync(stop))
            {
                var now = sample();
                seconds.Add($"{now.Accepted - accepted}/{now.Throttled - throttled}/{now.Pace:F0}/{now.InFlight}/{now.Waiting}");
                (accepted, throttled) = (now.Accepted, now.Throttled);
            }
        }
        catch (OperationCanceledException)
        {
        }
        return seconds;
    }

    /// <summary>A send's storage work with the SDK alone, as many at once as the dispatcher works on, for every planned text.</summary>
    private static async Task<(double Rate, string Line)> CeilingAsync(AzuriteProcess azurite, int texts, int clinics)
    {
        await using var host = await BenchmarkHost.StartAsync(azurite, now: Seed.RemindersDue);
        await PlanAsync(host, texts, clinics);
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(host.TableName);
        var prefix = host.TableName[..^"ClinicData".Length];
        var queue = new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).GetQueueClient(prefix + "sms-outbox");
        var concurrency = host.Services.GetRequiredService<DispatchSettings>().Concurrency;
        var done = 0;
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(ReceiveAllAsync(queue), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (message, _) =>
        {
            await SendStorageWorkAsync(table, queue, message);
            Interlocked.Increment(ref done);
        });
        var rate = done / watch.Elapsed.TotalSeconds;
        return (rate, $"SDK ceiling: a send's storage work for {done} texts, {concurrency} at once, in {watch.Elapsed.TotalSeconds:F1} s = {rate:F1}/s");
    }

    private static async Task SendStorageWorkAsync(TableClient table, QueueClient queue, QueueMessage message)
    {
        var text = JsonSerializer.Deserialize<OutboxMessage>(message.MessageText, DocumentJson.Options)!;
        var ledger = (await table.GetEntityAsync<TableEntity>(text.ClinicId, Keys.Message(text.PatientId, text.MessageId))).Value;
        var sms = JsonSerializer.Deserialize<SmsMessage>(ledger.GetString("Data"), DocumentJson.Options)!;
        var today = sms.At.InUtc().Date;
        var quota = table.GetEntityIfExistsAsync<TableEntity>(text.ClinicId, Keys.SmsQuota(text.PatientId));
        await Task.WhenAll(
            table.GetEntityIfExistsAsync<TableEntity>(text.ClinicId, Keys.Patient(text.PatientId)),
            table.GetEntityIfExistsAsync<TableEntity>(text.ClinicId, Keys.Session(sms.SessionId!)),
            quota);
        var claimed = sms with { Status = SmsStatus.Sending, ClaimedAt = sms.At, Attempts = 1, QuotaDate = today };
        var used = StorageWork.Entity(text.ClinicId, Keys.SmsQuota(text.PatientId), SmsQuota.None.Use(sms.Id, sms.At, today));
        var claim = await table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, StorageWork.Entity(text.ClinicId, ledger.RowKey, claimed), ledger.ETag),
            await quota is { HasValue: true } found
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, used, found.Value!.ETag)
                : new TableTransactionAction(TableTransactionActionType.Add, used),
        ]);
        await table.UpdateEntityAsync(StorageWork.Entity(text.ClinicId, ledger.RowKey, claimed with { Status = SmsStatus.Queued, TwilioSid = "SM" + new string('0', 32) }),
            claim.Value[0].Headers.ETag!.Value, TableUpdateMode.Replace);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
    }

    private static async IAsyncEnumerable<QueueMessage> ReceiveAllAsync(QueueClient queue, [EnumeratorCancellation] CancellationToken ct = default)
    {
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(2), ct)).Value;
            if (batch.Length == 0)
            {
                yield break;
            }
            foreach (var message in batch)
            {
                yield return message;
            }
        }
    }

    /// <summary>Wednesday's sessions in <paramref name="clinics"/> clinics, and their reminders planned (due now).</summary>
    private static async Task PlanAsync(BenchmarkHost host, int texts, int clinics)
    {
        await ReminderBenchmark.SeedUpcomingAsync(host.Services.GetRequiredService<IDocumentStore>(), clinics, texts / clinics, 0, 0, Seed.Wednesday);
        await host.Services.GetRequiredService<ReminderPlanner>().PlanAllAsync(default);
    }
}
