using System.Diagnostics;
using ClinicBackend.Application.Escalation;
using ClinicBackend.Application.Operations;
using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Records;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Application.Sweep;
using ClinicBackend.Application.Waitlist;

namespace ClinicBackend.Application.Runs;

/// <summary>What a run did in all clinics together, and the clinics it failed for (each logged as ClinicRunFailed).</summary>
public interface IRunTotals
{
    IReadOnlyList<string> FailedClinics { get; }
}

/// <summary>The totals of a run whose clinics each give a <typeparamref name="T"/>.</summary>
public sealed record RunTotals<T>(T Totals, IReadOnlyList<string> FailedClinics) : IRunTotals;

/// <summary>What DispatchSms did: the outbox reconciled, the texts dispatched, the clinic events relayed.</summary>
public sealed record DispatchRunTotals(ReconcileSummary Outbox, DispatchSummary Texts, int EventsRelayed, IReadOnlyList<string> FailedClinics) : IRunTotals;

/// <summary>
/// What the timer functions run, across every clinic; one clinic's failure never stops the others. Each run's
/// duration and failed clinics go to <see cref="ClinicMetrics"/>.
/// </summary>
public sealed class ScheduledRuns(ClinicData data, ReminderPlanner reminders, OutboxReconciler reconciler, SmsDispatcher dispatcher, SweepService sweep, EscalationService escalation, WaitlistOffers waitlist, CourseHolds courses,
    RecordExports records, ClinicMetrics metrics)
{
    /// <summary>DispatchSms runs every minute; it stops taking new work after this, well inside the function timeout.</summary>
    public static readonly TimeSpan DispatchBudget = TimeSpan.FromSeconds(50);

    public Task<RunTotals<PlanSummary>> PlanRemindersAsync(CancellationToken ct) =>
        MeasureAsync("NightlyReminders", async () => Total(await reminders.PlanAllAsync(ct), PlanSummary.Zero, (a, b) => a + b));

    /// <summary>
    /// Re-enqueues texts whose wake-up was lost, sends what is due, then publishes any clinic events a crash or
    /// outage left pending.
    /// </summary>
    public Task<DispatchRunTotals> DispatchAsync(CancellationToken ct) =>
        MeasureAsync("DispatchSms", async () =>
        {
            var reconciled = await reconciler.ReconcileAllAsync(ct);
            var sms = await dispatcher.DispatchAsync(DispatchBudget, ct);
            var relayed = await data.ForEachClinicAsync("RelayEvents", (clinic, token) => data.Events.DrainClinicAsync(clinic.Id, token), ct);
            return new DispatchRunTotals(reconciled.Results.Aggregate(ReconcileSummary.Zero, (a, b) => a + b), sms, relayed.Results.Sum(),
                [.. reconciled.FailedClinics.Union(relayed.FailedClinics).Order(StringComparer.Ordinal)]);
        });

    /// <summary>Pages the next on-call contact of every urgent flag nobody took in time.</summary>
    public Task<RunTotals<EscalationSummary>> EscalateAsync(CancellationToken ct) =>
        MeasureAsync("EscalateFlags", async () => Total(await escalation.RunAllAsync(ct), EscalationSummary.Zero, (a, b) => a + b));

    /// <summary>
    /// Finishes what ran out of time: course bookings whose request died (rolled back or forward), offers whose
    /// time is up; then passes freed chairs to the next patient on the waitlist.
    /// </summary>
    public Task<RunTotals<ExpiryRunSummary>> ExpireOffersAsync(CancellationToken ct) =>
        MeasureAsync("ExpireOffers", async () => Total(await data.ForEachClinicAsync("ExpireOffers", async (clinic, token) =>
        {
            var finished = await courses.FinishAbandonedAsync(clinic, token);
            return await waitlist.ExpireAsync(clinic, token) with { CoursesFinished = finished };
        }, ct), ExpiryRunSummary.Zero, (a, b) => a + b));

    /// <summary>Every clinic's rows to the records container, once a UTC day (a clinic exported today is left alone).</summary>
    public Task<RunTotals<ExportSummary>> ExportRecordsAsync(CancellationToken ct) =>
        MeasureAsync("ExportRecords", async () => Total(await records.ExportAllAsync(ct), ExportSummary.Zero, (a, b) => a + b));

    public Task<RunTotals<SweepSummary>> SweepAsync(CancellationToken ct) =>
        MeasureAsync("SweepMissedSessions", async () => Total(await sweep.SweepAllAsync(ct), SweepSummary.Zero, (a, b) => a + b));

    private static RunTotals<T> Total<T>(ClinicRunReport<T> report, T zero, Func<T, T, T> add) =>
        new(report.Results.Aggregate(zero, add), report.FailedClinics);

    private async Task<T> MeasureAsync<T>(string run, Func<Task<T>> work) where T : IRunTotals
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var totals = await work();
            metrics.RunEnded(run, Stopwatch.GetElapsedTime(started), finished: true, totals.FailedClinics.Count);
            return totals;
        }
        catch
        {
            metrics.RunEnded(run, Stopwatch.GetElapsedTime(started), finished: false, clinicsFailed: 0);
            throw;
        }
    }
}
