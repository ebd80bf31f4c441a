using ClinicBackend.Application.Operations;
using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Functions.Triggers;
using ClinicBackend.Infrastructure.Events;
using NodaTime;
using static ClinicBackend.Testing.TwilioStandIn;

namespace ClinicBackend.Testing.Drills;

/// <summary>How big a drill is: small in the test suite, larger under the benchmarks' <c>faults</c> command.</summary>
public enum DrillScale
{
    Suite,
    Full,
}

/// <summary>
/// The fault drills of issue #11, "every text exactly once". Each books Wednesday sessions on Monday, so each patient
/// expects one day-before reminder on Tuesday 2026-12-01 at the clinic's reminder time (17:00 New York = 22:00Z
/// unless told), breaks something, runs the app's timer functions on a fake clock, and counts what reached the
/// Twilio stand-in. The test suite and the <c>faults</c> command run these same methods. (One file over 300 lines: the
/// nine drills side by side, each short.)
/// </summary>
public static partial class FaultDrills
{
    /// <summary>Tuesday 17:00 in New York: the reminders of Wednesday's sessions fall due.</summary>
    public static readonly DateTimeOffset Due = new(2026, 12, 1, 22, 0, 0, TimeSpan.Zero);

    /// <summary>Past the reconciler's grace (10 min) and a stale claim (5 min) after the first send.</summary>
    private static readonly DateTimeOffset AfterGrace = Due + OutboxReconciler.Grace.ToTimeSpan() + TimeSpan.FromMinutes(1);

    public delegate Task<DrillResult> Drill(DrillScale scale, string? storage);

    /// <summary>Every drill, in the issue's order (c in two parts; d2 a second moment for the process to die), then issue #28's restore drill (r).</summary>
    public static IReadOnlyList<Drill> All =>
    [
        TimeoutAfterAcceptAsync, ThrottledAndFailingMinuteAsync, StorageStoppedMidDispatchAsync, StorageStoppedMidPlanningAsync,
        CrashBeforeRecordAsync, CrashWhileSettlingAsync, DeadLetteredWakeUpAsync, WrongTokenAsync, EventBacklogAsync, RestoreAsync,
    ];

    public static async Task<IReadOnlyList<DrillResult>> RunAllAsync(DrillScale scale, string? storage, Action<string>? log = null)
    {
        var results = new List<DrillResult>();
        foreach (var drill in All)
        {
            var result = await drill(scale, storage);
            log?.Invoke(result.ToString());
            results.Add(result);
        }
        return results;
    }

    private static int Size(DrillScale scale, int suite, int full) => scale == DrillScale.Suite ? suite : full;

    /// <summary>(a) Twilio takes the text, then answers only after the client gave up: the lookup finds it; it is not sent again.</summary>
    public static async Task<DrillResult> TimeoutAfterAcceptAsync(DrillScale scale, string? storage = null)
    {
        var (texts, stalls) = (Size(scale, 6, 40), Size(scale, 2, 6));
        await using var drill = await DrillApp.StartAsync(storage, new Dictionary<string, string?> { ["Twilio:RequestTimeout"] = "00:00:01" });
        await drill.BookAsync(await drill.AddClinicAsync(), texts);
        drill.Twilio.Then(Enumerable.Repeat<Answer>(new Answer.AcceptThenStall(TimeSpan.FromSeconds(3)), stalls).ToArray());

        await drill.DispatchAtAsync(Due.AddSeconds(30));
        var timedOut = (await drill.LedgerAsync()).Count(r => r.Status == SmsStatus.Unsettled && r.ErrorCode == "timeout");
        // Past the first backoff (30-36 s), and the minute a breaker would hold the rest.
        await drill.DispatchAtAsync(Due.AddMinutes(2));
        await drill.DispatchAtAsync(Due.AddMinutes(3));
        return await drill.ResultAsync("a", "Twilio accepts, answers after the timeout",
            // At least the stalled ones: on a slow machine an ordinary answer may miss the 1 s too, which is the same fault.
            new DrillCheck("timed out", timedOut >= stalls, $"{timedOut} sends ended unsettled by the timeout ({stalls} stalled)"),
            new DrillCheck("looked up, not resent", drill.Twilio.Requests == texts && drill.Twilio.ListRequests >= stalls,
                $"{drill.Twilio.ListRequests} lookups, {drill.Twilio.Requests} send requests for {texts} texts"));
    }

    /// <summary>
    /// (b) Twilio answers every send and every lookup 429 or 500 (alternately) for a fake-clock minute, then recovers;
    /// DispatchSms runs every 20 fake seconds. Four clinics remind at 17:00, 17:01, 17:02 and 17:03. Order: the clock
    /// stands still during a run, so a text's acceptance time names its run; for texts a and b where b fell due at
    /// least two minutes after a, b is never sent in an earlier run than a (no such pair), and within one run b is
    /// accepted before a only as one of the texts in flight together: fewer than <see cref="DispatchSettings.DefaultConcurrency"/>
    /// such texts are accepted ahead of any a in its run.
    /// </summary>
    public static async Task<DrillResult> ThrottledAndFailingMinuteAsync(DrillScale scale, string? storage = null)
    {
        var perClinic = Size(scale, 5, 25);
        await using var drill = await DrillApp.StartAsync(storage);
        var dueAt = new Dictionary<string, DateTimeOffset>();
        for (var minute = 0; minute < 4; minute++)
        {
            var clinic = await drill.AddClinicAsync($"17:0{minute}");
            dueAt[clinic.ClinicId] = Due.AddMinutes(minute);
            await drill.BookAsync(clinic, perClinic);
        }
        var refused = 0;
        bool Failing() => drill.App.Clock.GetUtcNow() >= Due && drill.App.Clock.GetUtcNow() < Due.AddMinutes(1);
        Answer.Error Refusal() => Interlocked.Increment(ref refused) % 2 == 1 ? (Answer.Error)Error(429) : (Answer.Error)Error(500);
        drill.Twilio.Rule = _ => Failing() ? Refusal() : null;
        drill.Twilio.ListRule = () => Failing() ? Refusal() : null; // lookups fail too
        for (var at = Due; at <= Due.AddMinutes(6); at = at.AddSeconds(20))
        {
            await drill.DispatchAtAsync(at);
            if (at > Due.AddMinutes(3) && drill.Twilio.Accepted.Count >= drill.Texts.Count)
            {
                break; // all sent, and one run after the last clinic's texts fell due
            }
        }

        var dueOf = drill.Texts.ToDictionary(t => t.Phone, t => dueAt[t.ClinicId]);
        var accepted = drill.Twilio.Accepted.Where(a => dueOf.ContainsKey(a.To)).ToList();
        var (acrossRuns, mostOvertakes) = (0, 0);
        for (var i = 0; i < accepted.Count; i++)
        {
            var a = accepted[i];
            acrossRuns += accepted.Count(b => dueOf[b.To] >= dueOf[a.To].AddMinutes(2) && b.At < a.At);
            mostOvertakes = Math.Max(mostOvertakes, accepted.Take(i).Count(b => dueOf[b.To] >= dueOf[a.To].AddMinutes(2) && b.At == a.At));
        }
        var attempts = (await drill.LedgerAsync()).Max(r => r.Attempts);
        return await drill.ResultAsync("b", "429 and 500 for a minute, then recovery",
            new DrillCheck("outage", refused > 0, $"{refused} sends and lookups refused (429/500) in the failing minute; at most {attempts} attempts for a text"),
            new DrillCheck("order across runs", acrossRuns == 0, $"{acrossRuns} pairs where the later-due text (2+ min) went in an earlier run"),
            new DrillCheck("order within a run", mostOvertakes < DispatchSettings.DefaultConcurrency,
                $"at most {mostOvertakes} texts due 2+ min later overtook a text in its run (< {DispatchSettings.DefaultConcurrency})"));
    }

    /// <summary>
    /// (c1) Azurite stops in the middle of a dispatch run (right after Twilio accepted the k-th text, before the
    /// record), then starts again on the same ports and data. The accepted texts whose record was lost stay
    /// "sending"; after the stale-claim time and the reconciler's grace they are found in Twilio and recorded.
    /// </summary>
    public static async Task<DrillResult> StorageStoppedMidDispatchAsync(DrillScale scale, string? storage = null)
    {
        var (texts, stopAfter) = (Size(scale, 12, 60), Size(scale, 4, 20));
        await using var lease = await AzuriteControl.LeaseAsync();
        var azurite = lease.Azurite;
        await using var drill = await DrillApp.StartAsync(azurite.ConnectionString, services: (services, _) =>
        {
            services.AddFastFailingStorage(azurite.ConnectionString);
            services.Decorate<ISmsGateway>((inner, _) => new DrillGateway(inner, async n =>
            {
                if (n == stopAfter)
                {
                    await azurite.StopAsync();
                }
            }));
        });
        await drill.BookAsync(await drill.AddClinicAsync(), texts);

        drill.App.Clock.SetUtcNow(Due.AddSeconds(30));
        var failedRun = !await drill.App.TryRunFunctionAsync("DispatchSms");
        var acceptedWhileStopping = drill.Twilio.Accepted.Count;
        await azurite.RestartAsync();
        var outage = azurite.Timings;
        var unrecorded = (await drill.LedgerAsync()).Count(r => r.Status == SmsStatus.Sending);
        await drill.DispatchAtAsync(Due.AddMinutes(2));
        await drill.DispatchAtAsync(AfterGrace);
        await drill.DispatchAtAsync(AfterGrace.AddMinutes(1));
        return await drill.ResultAsync("c1", "Azurite stopped mid-dispatch, restarted",
            new DrillCheck("stopped mid-run", acceptedWhileStopping >= stopAfter && unrecorded > 0,
                $"stopped after {stopAfter} accepted ({acceptedWhileStopping} accepted in that run{(failedRun ? ", which failed" : "")}, {unrecorded} left sending unrecorded; stop {outage.Stop.TotalSeconds:F1} s, restart {outage.Restart.TotalSeconds:F1} s)"),
            new DrillCheck("settled by lookup", drill.Twilio.Requests == texts, $"{drill.Twilio.ListRequests} lookups, {drill.Twilio.Requests} send requests for {texts} texts"));
    }

    /// <summary>
    /// (c2) Azurite stops in the middle of the nightly planning run (right after the k-th ledger row was committed,
    /// before its wake-up was enqueued), then starts again. Booking planned nothing here (as bookings made before
    /// reminders were planned with them). The next nightly run plans the rest; the row without a wake-up is re-enqueued
    /// by the reconciler once overdue.
    /// </summary>
    public static async Task<DrillResult> StorageStoppedMidPlanningAsync(DrillScale scale, string? storage = null)
    {
        var (perClinic, stopAfter) = (Size(scale, 6, 30), Size(scale, 4, 20));
        var planned = 0;
        await using var lease = await AzuriteControl.LeaseAsync();
        var azurite = lease.Azurite;
        await using var drill = await DrillApp.StartAsync(azurite.ConnectionString, services: (services, _) =>
        {
            services.AddFastFailingStorage(azurite.ConnectionString);
            services.Decorate<ISessionObserver>((inner, _) => new NoPlanningAtBooking(inner));
            services.Decorate<IDocumentStore>((inner, _) => new DrillStore(inner, async (_, changes) =>
            {
                if (changes.Any(c => c is Change.Insert && c.Key.StartsWith("msg|", StringComparison.Ordinal)) && Interlocked.Increment(ref planned) == stopAfter)
                {
                    await azurite.StopAsync();
                }
            }));
        });
        await drill.BookAsync(await drill.AddClinicAsync(), perClinic);
        await drill.BookAsync(await drill.AddClinicAsync(), perClinic);
        var plannedAtBooking = (await drill.LedgerAsync()).Count;

        drill.App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 5, 30, 0, TimeSpan.Zero)); // 00:30 in New York
        await drill.App.TryRunFunctionAsync("NightlyReminders");
        var summary = drill.Summaries(RunLog.NightlyRemindersRan).SingleOrDefault();
        await azurite.RestartAsync();
        var outage = azurite.Timings;
        var plannedInFirstRun = (await drill.LedgerAsync()).Count;
        await drill.App.RunFunctionAsync("NightlyReminders");
        var plannedAfter = (await drill.LedgerAsync()).Count;
        await drill.DispatchAtAsync(Due.AddSeconds(30));
        var sentOnTime = drill.Twilio.Accepted.Count;
        await drill.DispatchAtAsync(AfterGrace);
        await drill.DispatchAtAsync(AfterGrace.AddMinutes(1));
        var ledger = await drill.LedgerAsync();
        var failed = summary?.GetStructuredStateValue("ClinicsFailed");
        var firstRun = summary is null ? "that run failed" : failed != "0" ? $"that run counted {failed} clinic(s) failed" : "that run finished";
        return await drill.ResultAsync("c2", "Azurite stopped mid-planning, restarted",
            new DrillCheck("stopped mid-run", plannedAtBooking == 0 && plannedInFirstRun >= stopAfter && (plannedInFirstRun < drill.Texts.Count || sentOnTime < drill.Texts.Count),
                $"{plannedInFirstRun} of {drill.Texts.Count} planned before the stop ({firstRun}; stop {outage.Stop.TotalSeconds:F1} s, restart {outage.Restart.TotalSeconds:F1} s), {plannedAfter} after the next run"),
            new DrillCheck("planned once", plannedAfter == drill.Texts.Count && ledger.Count == drill.Texts.Count, $"{ledger.Count} ledger rows"),
            new DrillCheck("wake-ups lost", sentOnTime < drill.Texts.Count, $"{sentOnTime} sent at 17:00, the rest (no wake-up) after the reconciler's grace"));
    }

    /// <summary>
    /// (d) The process dies right after Twilio accepted the k-th text, before its record: from then on nothing it does
    /// reaches storage, the outbox or Twilio (the texts in flight with it stop wherever they were). A new process
    /// runs on: once the claims are stale and the reconciler's grace has passed, texts Twilio has are found by the
    /// lookup and recorded, texts it never got are sent, each once.
    /// </summary>
    public static async Task<DrillResult> CrashBeforeRecordAsync(DrillScale scale, string? storage = null)
    {
        var (texts, killAt) = (Size(scale, 8, 40), Size(scale, 3, 12));
        var life = new ProcessLife();
        await using var drill = await DrillApp.StartAsync(storage, services: (services, _) =>
        {
            services.Decorate<ISmsGateway>((inner, _) => new DrillGateway(inner, n =>
            {
                if (n == killAt)
                {
                    life.Kill();
                }
                return Task.CompletedTask;
            }, life));
            services.Decorate<IDocumentStore>((inner, _) => new DrillStore(inner, life: life));
            services.Decorate<ISmsOutbox>((inner, _) => new MortalOutbox(inner, life));
        });
        await drill.BookAsync(await drill.AddClinicAsync(), texts);

        drill.App.Clock.SetUtcNow(Due.AddSeconds(30));
        var runDied = !await drill.App.TryRunFunctionAsync("DispatchSms");
        life.Restart();
        var ledger = await drill.LedgerAsync();
        var unrecorded = ledger.Count(r => r.Status == SmsStatus.Sending && drill.Twilio.Accepted.Any(a => a.To == r.To && a.Body == r.Body));
        var claimedNotSent = ledger.Count(r => r.Status == SmsStatus.Sending) - unrecorded;
        await drill.DispatchAtAsync(Due.AddMinutes(2)); // the claims are not stale yet: nothing happens to them
        var stillSending = (await drill.LedgerAsync()).Count(r => r.Status == SmsStatus.Sending);
        await drill.DispatchAtAsync(AfterGrace);
        await drill.DispatchAtAsync(AfterGrace.AddMinutes(1));
        return await drill.ResultAsync("d", "process dies between acceptance and record",
            new DrillCheck("died mid-run", runDied && unrecorded >= 1,
                $"died at acceptance number {killAt}: {unrecorded} accepted and left 'sending', {claimedNotSent} claimed but never sent, {ledger.Count(r => r.Status == SmsStatus.Planned)} not claimed"),
            new DrillCheck("left alone until stale", stillSending == unrecorded + claimedNotSent, $"{stillSending} still 'sending' 90 s later"),
            new DrillCheck("found, not resent", drill.Twilio.Requests == texts, $"{drill.Twilio.ListRequests} lookups, {drill.Twilio.Requests} send requests for {texts} texts"));
    }

    /// <summary>
    /// (d2) The process dies while settling: Twilio answered 500 (no text taken), and on the next run the lookup did
    /// not find the text, so its row went back to "planned"; the process dies right after that write. The text must
    /// still go once, the same day, and not be held back by its own claim on the patient's text of the day.
    /// </summary>
    public static async Task<DrillResult> CrashWhileSettlingAsync(DrillScale scale, string? storage = null)
    {
        var texts = Size(scale, 4, 20);
        var life = new ProcessLife();
        var kills = 0;
        await using var drill = await DrillApp.StartAsync(storage, services: (services, _) =>
        {
            services.Decorate<ISmsGateway>((inner, _) => new DrillGateway(inner, _ => Task.CompletedTask, life));
            services.Decorate<ISmsOutbox>((inner, _) => new MortalOutbox(inner, life));
            services.Decorate<IDocumentStore>((inner, _) => new DrillStore(inner, (_, changes) =>
            {
                if (changes.Any(c => c is Change.Replace { Value: SmsMessage { Status: SmsStatus.Planned, Reason: { } reason } }
                        && reason.StartsWith("not found in Twilio", StringComparison.Ordinal)) && Interlocked.Increment(ref kills) == 1)
                {
                    life.Kill();
                }
                return Task.CompletedTask;
            }, life));
        });
        await drill.BookAsync(await drill.AddClinicAsync(), texts);
        drill.Twilio.Rule = _ => drill.App.Clock.GetUtcNow() < Due.AddMinutes(1) ? Error(500) : null;

        await drill.DispatchAtAsync(Due.AddSeconds(30)); // 500s: unsettled (or held by the breaker)
        var unsettled = (await drill.LedgerAsync()).Count(r => r.Status == SmsStatus.Unsettled);
        drill.App.Clock.SetUtcNow(Due.AddMinutes(2));
        var runDied = !await drill.App.TryRunFunctionAsync("DispatchSms");
        life.Restart();
        await drill.DispatchAtAsync(Due.AddMinutes(3));
        await drill.DispatchAtAsync(AfterGrace);
        await drill.DispatchAtAsync(AfterGrace.AddMinutes(1));
        var late = (await drill.LedgerAsync()).Where(r => r.Status is SmsStatus.Planned or SmsStatus.Skipped).Select(r => $"{r.Status}: {r.Reason}").FirstOrDefault();
        return await drill.ResultAsync("d2", "process dies while settling a text",
            new DrillCheck("died mid-settle", unsettled > 0 && runDied && kills >= 1, $"{unsettled} texts unsettled by the 500s; the settling run died after a row went back to planned"),
            new DrillCheck("not held by its own claim", late is null, late is null ? "none held back or dropped" : late));
    }

    /// <summary>
    /// (e) Wake-ups lost from the outbox: some dead-lettered (the broker gave up on them), some simply gone from the
    /// main queue. Dead letters are read back in the next run; the lost ones are re-enqueued once overdue.
    /// </summary>
    public static async Task<DrillResult> DeadLetteredWakeUpAsync(DrillScale scale, string? storage = null)
    {
        var (texts, deadLettered, lost) = (Size(scale, 6, 40), Size(scale, 2, 10), Size(scale, 2, 10));
        await using var drill = await DrillApp.StartAsync(storage);
        await drill.BookAsync(await drill.AddClinicAsync(), texts);

        drill.App.Clock.SetUtcNow(Due.AddSeconds(30));
        var taken = await drill.TakeWakeUpsAsync();
        foreach (var (delivery, i) in taken.Select((d, i) => (d, i)))
        {
            if (i < deadLettered)
            {
                await delivery.DeadLetterAsync("drill: the broker gave up on it", default);
            }
            else if (i < deadLettered + lost)
            {
                await delivery.CompleteAsync(default); // gone from the main queue, not dead-lettered
            }
            else
            {
                await DrillApp.ReleaseAsync(delivery);
            }
        }
        await drill.App.RunFunctionAsync("DispatchSms");
        var sentInFirstRun = drill.Twilio.Accepted.Count;
        await drill.DispatchAtAsync(AfterGrace);
        var poison = await new Azure.Storage.Queues.QueueClient(drill.App.ConnectionString, $"{drill.App.Prefix}sms-outbox-poison").GetPropertiesAsync();
        return await drill.ResultAsync("e", "wake-ups dead-lettered or lost",
            new DrillCheck("taken", taken.Count == texts, $"{deadLettered} dead-lettered, {lost} lost of {taken.Count} wake-ups"),
            new DrillCheck("dead letters read back", sentInFirstRun == texts - lost && poison.Value.ApproximateMessagesCount == 0,
                $"{sentInFirstRun} sent in the next run, the lost ones after the grace; {poison.Value.ApproximateMessagesCount} dead letters left"));
    }

    /// <summary>
    /// (f) Twilio refuses the auth token for a fake minute (two runs): nothing fails or is flagged, each run logs one
    /// TwilioAuthenticationFailed error (EventId 9001); the first run after the token is right sends everything.
    /// </summary>
    public static async Task<DrillResult> WrongTokenAsync(DrillScale scale, string? storage = null)
    {
        var texts = Size(scale, 8, 40);
        await using var drill = await DrillApp.StartAsync(storage);
        await drill.BookAsync(await drill.AddClinicAsync(), texts);

        drill.Twilio.RejectCredentials = true;
        var errorsPerRun = new List<int>();
        foreach (var at in new[] { Due.AddSeconds(30), Due.AddSeconds(60) })
        {
            var before = drill.LogCount(OperationalEvents.TwilioAuthenticationFailed);
            await drill.DispatchAtAsync(at);
            errorsPerRun.Add(drill.LogCount(OperationalEvents.TwilioAuthenticationFailed) - before);
        }
        var ledger = await drill.LedgerAsync();
        var (failed, planned, acceptedWhileRefused) = (ledger.Count(r => r.Status == SmsStatus.Failed), ledger.Count(r => r.Status == SmsStatus.Planned), drill.Twilio.Accepted.Count);
        drill.Twilio.RejectCredentials = false;
        var errorsBefore = drill.LogCount(OperationalEvents.TwilioAuthenticationFailed);
        await drill.DispatchAtAsync(Due.AddSeconds(90));
        var sentByFixedRun = drill.Twilio.Accepted.Count;
        var errorsAfterFix = drill.LogCount(OperationalEvents.TwilioAuthenticationFailed) - errorsBefore;
        return await drill.ResultAsync("f", "wrong auth token for a minute",
            new DrillCheck("one error per run", errorsPerRun.All(n => n == 1) && errorsAfterFix == 0,
                $"EventId 9001 errors per refused run: {string.Join(", ", errorsPerRun)}; after the fix: {errorsAfterFix}"),
            new DrillCheck("held, not failed", failed == 0 && planned == texts && acceptedWhileRefused == 0,
                $"while refused: {planned} planned, {failed} failed, {acceptedWhileRefused} sent"),
            new DrillCheck("sent when fixed", sentByFixedRun == texts, $"{sentByFixedRun} sent by the first run with the right token"));
    }

    /// <summary>
    /// (g) The event broker was down: one clinic has 600 flag events pending (plus its bookings'). The relay sends
    /// them in batches that fit Service Bus's 256 KB, at most <see cref="EventRelay.DrainBatch"/> per clinic and run.
    /// A second clinic's storage throws, and the broker has dead-lettered its text's wake-up (as it does after
    /// repeated failed deliveries): it fails alone, counted in each run's summary; the first clinic's texts and
    /// events still go, and the second clinic's text goes once its storage is back.
    /// </summary>
    public static async Task<DrillResult> EventBacklogAsync(DrillScale scale, string? storage = null)
    {
        var (texts, events) = (Size(scale, 4, 20), 600);
        var sender = new RecordingServiceBusSender();
        SwitchableSink sink = null!;
        DrillStore store = null!;
        await using var drill = await DrillApp.StartAsync(storage, services: (services, _) =>
        {
            services.Decorate<IClinicEventSink>((_, _) => sink = new SwitchableSink(new ServiceBusEventSink(sender)) { Down = true });
            services.Decorate<IDocumentStore>((inner, _) => store = new DrillStore(inner));
        });
        var clinic = await drill.AddClinicAsync();
        await drill.BookAsync(clinic, texts);
        var broken = await drill.AddClinicAsync();
        await drill.BookAsync(broken, 1);
        var data = drill.App.Services.GetRequiredService<ClinicData>();
        var now = Instant.FromDateTimeOffset(TestApp.Monday);
        foreach (var chunk in Enumerable.Range(0, events).Chunk(20))
        {
            // Written as any flag is, while the broker is down: the events stay pending.
            var commit = new ClinicCommit(clinic.ClinicId, Actors.System, now);
            foreach (var i in chunk)
            {
                await FlagWrites.RaiseAsync(data, commit, Flag.For(FlagKinds.PatientMessage, $"drill-{i}", FlagSeverity.Normal, drill.Texts[i % texts].PatientId, null, now,
                    "A reply to look at, written during the broker outage."), default);
            }
            await store.CommitAsync(clinic.ClinicId, commit.Changes, default);
        }
        foreach (var delivery in await drill.TakeWakeUpsAsync())
        {
            await (delivery.Message.ClinicId == broken.ClinicId ? delivery.DeadLetterAsync("drill: delivered 10 times, failed each time", default) : DrillApp.ReleaseAsync(delivery));
        }
        // Each booking's own publishing attempt runs in the background: wait until all have been refused.
        for (var waited = 0; sink.Refused < drill.Texts.Count && waited < 100; waited++)
        {
            await Task.Delay(100);
        }
        var pending = (await store.QueryPrefixAsync<ClinicEvent>(clinic.ClinicId, Keys.PendingEventPrefix, default)).Select(e => e.Value.Id).ToHashSet();
        sink.Down = false;
        store.BrokenPartition = broken.ClinicId;

        var relayedPerRun = new List<int>();
        var failedRuns = 0;
        foreach (var at in new[] { Due.AddSeconds(30), Due.AddSeconds(90) })
        {
            var before = sender.Sent.Count;
            drill.App.Clock.SetUtcNow(at);
            failedRuns += await drill.App.TryRunFunctionAsync("DispatchSms") ? 0 : 1;
            relayedPerRun.Add(sender.Sent.Skip(before).Sum(b => b.Count(m => pending.Contains(m.MessageId))));
        }
        var firstClinicSent = drill.Twilio.Accepted.Count(a => drill.Texts.Any(t => t.ClinicId == clinic.ClinicId && t.Phone == a.To));
        var summaries = drill.Summaries(RunLog.DispatchSmsRan);
        var failedCounted = summaries.Count(s => s.GetStructuredStateValue("ClinicsFailed") == "1");
        var brokenNamed = drill.Logs.GetSnapshot().Count(r => r.Id == OperationalEvents.ClinicRunFailed && r.GetStructuredStateValue("ClinicId") == broken.ClinicId);
        store.BrokenPartition = null;
        await drill.DispatchAtAsync(AfterGrace);
        await drill.DispatchAtAsync(AfterGrace.AddMinutes(1));

        var batches = sender.Sent.ToList();
        var relayed = batches.SelectMany(b => b).GroupBy(m => m.MessageId).ToDictionary(g => g.Key, g => g.Count());
        var left = (await store.QueryPrefixAsync<ClinicEvent>(clinic.ClinicId, Keys.PendingEventPrefix, default)).Count;
        var largest = batches.Count == 0 ? 0 : batches.Max(b => b.Sum(m => (long)m.Body.ToMemory().Length));
        return await drill.ResultAsync("g", "600 events backlog; a clinic's storage throws",
            new DrillCheck("relayed once", pending.Count >= events && pending.All(id => relayed.GetValueOrDefault(id) == 1) && left == 0,
                $"{pending.Count} pending events relayed once each, in runs of {string.Join(" + ", relayedPerRun)}, {left} left"),
            new DrillCheck("bounded batches", largest <= sender.MaxBatchBytes && relayedPerRun.All(n => n <= EventRelay.DrainBatch),
                $"{batches.Count} batches of {string.Join("/", batches.Select(b => b.Count))} events, largest {largest / 1024.0:F0} KB of {sender.MaxBatchBytes / 1024} KB"),
            new DrillCheck("other clinic unharmed", failedRuns == 0 && firstClinicSent == texts,
                $"{failedRuns} runs failed as a whole; {firstClinicSent} of {texts} texts of the healthy clinic sent while the other was broken"),
            new DrillCheck("failed clinic counted", failedCounted == 2 && brokenNamed >= 2,
                $"both runs' summaries count one failed clinic ({failedCounted} of 2); {brokenNamed} ClinicRunFailed errors name the broken clinic"));
    }

    public static string Table(IEnumerable<DrillResult> results) =>
        string.Join(Environment.NewLine, new[] { DrillResult.Header }.Concat(results.Select(r => r.ToString())));
}
