using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Runs;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.LocalHost;
using ClinicBackend.Testing;
using NodaTime;

namespace ClinicBackend.Benchmarks;

/// <summary>
/// What one run of each timer costs in storage work (requests, rows read, rows written, queue puts), idle and
/// around the 17:00 reminder burst, for a number of clinics with 40 sessions each: counts for docs/scale.md,
/// which do not depend on the emulator's speed. No goals: it only prints.
/// </summary>
public static class TimerBenchmark
{
    private const int SessionsPerClinic = 40;

    private sealed record Work(long Requests, long RowsRead, long RowsWritten, long QueueCalls)
    {
        public string PerClinic(int clinics) =>
            $"{Requests,6} requests ({Results.F((double)Requests / clinics),5} a clinic), {RowsRead,6} rows read, {RowsWritten,6} written, {QueueCalls,5} queue calls";
    }

    public static async Task<IReadOnlyList<string>> RunAsync(AzuriteProcess azurite, int clinics)
    {
        var lines = new List<string> { $"timers: {clinics} clinics x {SessionsPerClinic} sessions (New York), one run each; storage work counted, not timed" };
        await using var twilio = await TwilioStandIn.StartAsync();
        await using var host = await BenchmarkHost.StartAsync(azurite, twilio.Settings(), Seed.RemindersDue, countStorage: true);
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var runs = host.Services.GetRequiredService<ScheduledRuns>();
        await ReminderBenchmark.SeedUpcomingAsync(store, clinics, SessionsPerClinic, 0, 0, Seed.Wednesday);
        host.Probe.Tracing = true;
        var texts = clinics * SessionsPerClinic;

        Take(host);
        await runs.PlanRemindersAsync(default);
        lines.Add(Line($"NightlyReminders, {texts} reminders to plan", Take(host), clinics));
        await runs.PlanRemindersAsync(default);
        lines.Add(Line("NightlyReminders, all planned already (as booking does)", Take(host), clinics));
        await runs.EscalateAsync(default);
        lines.Add(Line("EscalateFlags, nothing due", Take(host), clinics));
        await runs.ExpireOffersAsync(default);
        lines.Add(Line("ExpireOffers, nothing due", Take(host), clinics));

        var summary = await runs.DispatchAsync(default);
        var burst = Take(host);
        lines.Add(Line($"DispatchSms, {texts} reminders due", burst, clinics));
        lines.Add($"  {summary.Texts}; {twilio.Accepted.Count} accepted by the stand-in; {Results.F((double)burst.Requests / Math.Max(1, twilio.Accepted.Count))} requests a text");

        // The reconciler reads pending rows due a minute ago or more: 3 minutes on, every text planned above is.
        host.Clock.Set(Seed.RemindersDue.AddMinutes(3));
        await runs.DispatchAsync(default);
        var after = Take(host);
        lines.Add(Line("DispatchSms, next run (sent texts left the pending index)", after, clinics));
        lines.Add($"  {Results.F((double)after.Requests / Math.Max(1, twilio.Accepted.Count))} requests a text sent before");
        host.Clock.Set(Seed.RemindersDue.AddMinutes(4));
        await runs.DispatchAsync(default);
        lines.Add(Line("DispatchSms, nothing due", Take(host), clinics));

        // The evening's sweeps: from 20:00 the ride check reads tomorrow's unconfirmed sessions and their reminders.
        var table = new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString).GetTableClient(host.TableName);
        host.Clock.Set(new DateTimeOffset(2026, 12, 2, 1, 15, 0, TimeSpan.Zero));
        var sweep = await runs.SweepAsync(default);
        await ReminderBenchmark.EventsRelayedAsync(table, clinics);
        lines.Add(Line("SweepMissedSessions at 20:15, nobody confirmed", Take(host), clinics));
        lines.Add($"  {sweep.Totals}");
        host.Clock.Set(new DateTimeOffset(2026, 12, 2, 2, 15, 0, TimeSpan.Zero));
        sweep = await runs.SweepAsync(default);
        await ReminderBenchmark.EventsRelayedAsync(table, clinics);
        lines.Add(Line("SweepMissedSessions at 21:15, flags raised already", Take(host), clinics));
        lines.Add($"  {sweep.Totals}");

        // Twilio's status callbacks for each text sent: "sent", then "delivered".
        var delivery = host.Services.GetRequiredService<DeliveryStatusService>();
        var sent = new List<(TextRef Text, string Sid)>();
        for (var c = 0; c < clinics; c++)
        {
            var clinic = Seed.NewClinic($"bc{c:D3}");
            for (var i = 0; i < SessionsPerClinic; i++)
            {
                var session = Seed.NewSession(clinic, Seed.NewPatient(clinic.Id, i).Id, Seed.Wednesday.At(new LocalTime(6 + i % 14, 0)), i);
                var text = new TextRef(clinic.Id, session.PatientId, SmsMessage.ReminderId(session.Id, 1, SmsKinds.DayBefore));
                if ((await store.GetAsync<SmsMessage>(text.ClinicId, Keys.Message(text.PatientId, text.MessageId), default))?.Value.TwilioSid is { } sid)
                {
                    sent.Add((text, sid));
                }
            }
        }
        Take(host);
        foreach (var status in new[] { SmsStatus.Sent, SmsStatus.Delivered })
        {
            await Parallel.ForEachAsync(sent, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (s, ct) =>
                await delivery.RecordAsync(s.Text, new Dictionary<string, string> { ["MessageSid"] = s.Sid, ["MessageStatus"] = status }, ct));
        }
        var callbacks = Take(host);
        lines.Add(Line($"status callbacks 'sent' and 'delivered' for {sent.Count} texts", callbacks, clinics));
        lines.Add($"  {Results.F((double)callbacks.Requests / Math.Max(1, sent.Count * 2))} requests a callback");
        return lines;
    }

    private static string Line(string what, Work work, int clinics) => $"{what,-58} {work.PerClinic(clinics)}";

    /// <summary>The storage work counted since the last call, from the probe's trace.</summary>
    private static Work Take(BenchmarkHost host)
    {
        var (requests, rowsRead, written, queue) = (0L, 0L, 0L, 0L);
        while (host.Probe.Calls.TryDequeue(out var call))
        {
            if (call.Op == StorageCall.Kind.Queue)
            {
                queue++;
                continue;
            }
            requests++;
            rowsRead += call.Rows;
            written += call.Changes?.Count ?? 0;
        }
        host.Probe.Reset();
        return new Work(requests, rowsRead, written, queue);
    }
}
