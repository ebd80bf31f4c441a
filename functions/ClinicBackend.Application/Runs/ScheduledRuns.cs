using ClinicBackend.Application.Escalation;
using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Records;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Application.Sweep;
using ClinicBackend.Application.Waitlist;

namespace ClinicBackend.Application.Runs;

/// <summary>What the timer functions run, across every clinic; one clinic's failure never stops the others.</summary>
public sealed class ScheduledRuns(ClinicData data, ReminderPlanner reminders, OutboxReconciler reconciler, SmsDispatcher dispatcher, SweepService sweep, EscalationService escalation, WaitlistOffers waitlist, CourseHolds courses,
    RecordExports records)
{
    /// <summary>DispatchSms runs every minute; it stops taking new work after this, well inside the function timeout.</summary>
    public static readonly TimeSpan DispatchBudget = TimeSpan.FromSeconds(50);

    public async Task<string> PlanRemindersAsync(CancellationToken ct)
    {
        var report = await reminders.PlanAllAsync(ct);
        return $"{report.Results.Aggregate(PlanSummary.Zero, (a, b) => a + b)}{report.Failures}";
    }

    /// <summary>
    /// Re-enqueues texts whose wake-up was lost, sends what is due, then publishes any clinic events a crash or
    /// outage left pending.
    /// </summary>
    public async Task<string> DispatchAsync(CancellationToken ct)
    {
        var reconciled = await reconciler.ReconcileAllAsync(ct);
        var sms = await dispatcher.DispatchAsync(DispatchBudget, ct);
        var relayed = await data.ForEachClinicAsync("RelayEvents", (clinic, token) => data.Events.DrainClinicAsync(clinic.Id, token), ct);
        return $"outbox: {reconciled.Results.Aggregate(ReconcileSummary.Zero, (a, b) => a + b)}{reconciled.Failures}; texts: {sms}; "
            + $"{relayed.Results.Sum()} clinic events relayed{relayed.Failures}";
    }

    /// <summary>Pages the next on-call contact of every urgent flag nobody took in time.</summary>
    public async Task<string> EscalateAsync(CancellationToken ct)
    {
        var report = await escalation.RunAllAsync(ct);
        return $"{report.Results.Aggregate(EscalationSummary.Zero, (a, b) => a + b)}{report.Failures}";
    }

    /// <summary>
    /// Finishes what ran out of time: course bookings whose request died (rolled back or forward), offers whose
    /// time is up; then passes freed chairs to the next patient on the waitlist.
    /// </summary>
    public async Task<string> ExpireOffersAsync(CancellationToken ct)
    {
        var report = await data.ForEachClinicAsync("ExpireOffers", async (clinic, token) =>
        {
            var finished = await courses.FinishAbandonedAsync(clinic, token);
            return await waitlist.ExpireAsync(clinic, token) with { CoursesFinished = finished };
        }, ct);
        return $"{report.Results.Aggregate(ExpiryRunSummary.Zero, (a, b) => a + b)}{report.Failures}";
    }

    /// <summary>Every clinic's rows to the records container, once a UTC day (a clinic exported today is left alone).</summary>
    public async Task<string> ExportRecordsAsync(CancellationToken ct)
    {
        var report = await records.ExportAllAsync(ct);
        return $"{report.Results.Aggregate(ExportSummary.Zero, (a, b) => a + b)}{report.Failures}";
    }

    public async Task<string> SweepAsync(CancellationToken ct)
    {
        var report = await sweep.SweepAllAsync(ct);
        return $"{report.Results.Aggregate(SweepSummary.Zero, (a, b) => a + b)}{report.Failures}";
    }
}
