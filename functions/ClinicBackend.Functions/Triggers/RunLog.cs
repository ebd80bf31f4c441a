using ClinicBackend.Application.Escalation;
using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Records;
using ClinicBackend.Application.Runs;
using ClinicBackend.Application.Sweep;
using ClinicBackend.Application.Waitlist;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Functions.Triggers;

/// <summary>
/// Each timer run's summary: one line whose every figure is a named field (customDimensions in Application Insights),
/// under an event id of its own. Clinics a run failed for are counted here and named in their ClinicRunFailed errors.
/// </summary>
public static partial class RunLog
{
    public static readonly EventId NightlyRemindersRan = new(1001, nameof(NightlyRemindersRan));
    public static readonly EventId DispatchSmsRan = new(1002, nameof(DispatchSmsRan));
    public static readonly EventId EscalateFlagsRan = new(1003, nameof(EscalateFlagsRan));
    public static readonly EventId ExpireOffersRan = new(1004, nameof(ExpireOffersRan));
    public static readonly EventId SweepMissedSessionsRan = new(1005, nameof(SweepMissedSessionsRan));
    public static readonly EventId ExportRecordsRan = new(1006, nameof(ExportRecordsRan));

    public static void Ran(this ILogger logger, RunTotals<PlanSummary> run, bool pastDue) =>
        NightlyReminders(logger, run.Totals.Planned, run.Totals.AlreadyPlanned, run.Totals.TooLate, run.Totals.Sessions, run.Totals.Clinics, run.FailedClinics.Count, pastDue);

    public static void Ran(this ILogger logger, DispatchRunTotals run, bool pastDue)
    {
        var (outbox, texts) = (run.Outbox, run.Texts);
        DispatchSms(logger, outbox.Overdue, outbox.Reenqueued, outbox.Cleaned, outbox.DeadLetters,
            texts.Received, texts[DispatchOutcome.Sent], texts[DispatchOutcome.Simulated], texts[DispatchOutcome.Skipped], texts[DispatchOutcome.Deferred],
            texts[DispatchOutcome.Retried], texts[DispatchOutcome.Failed], texts[DispatchOutcome.DeadLettered], texts[DispatchOutcome.Duplicate],
            texts[DispatchOutcome.Missing], texts[DispatchOutcome.Raced], texts[DispatchOutcome.Held], texts[DispatchOutcome.Error],
            run.EventsRelayed, run.FailedClinics.Count, pastDue);
    }

    public static void Ran(this ILogger logger, RunTotals<EscalationSummary> run, bool pastDue) =>
        EscalateFlags(logger, run.Totals.Due, run.Totals.Paged, run.Totals.Exhausted, run.FailedClinics.Count, pastDue);

    public static void Ran(this ILogger logger, RunTotals<ExpiryRunSummary> run, bool pastDue) =>
        ExpireOffers(logger, run.Totals.Expired, run.Totals.Offered, run.Totals.CoursesFinished, run.FailedClinics.Count, pastDue);

    public static void Ran(this ILogger logger, RunTotals<SweepSummary> run, bool pastDue) =>
        SweepMissedSessions(logger, run.Totals.Missed, run.Totals.Overdue, run.Totals.RemsDue, run.Totals.RemsUrgent, run.Totals.RideUnconfirmed,
            run.Totals.Clinics, run.FailedClinics.Count, pastDue);

    public static void Ran(this ILogger logger, RunTotals<ExportSummary> run, bool pastDue) =>
        ExportRecords(logger, run.Totals.Exported, run.Totals.Rows, run.Totals.AlreadyThere, run.FailedClinics.Count, pastDue);

    [LoggerMessage(1001, LogLevel.Information, "NightlyReminders: {Planned} reminders planned, {AlreadyPlanned} planned before, {TooLate} too late, " +
        "for {Sessions} sessions in {Clinics} clinics; {ClinicsFailed} clinics failed; past due: {PastDue}", EventName = nameof(NightlyRemindersRan))]
    private static partial void NightlyReminders(ILogger logger, int planned, int alreadyPlanned, int tooLate, int sessions, int clinics, int clinicsFailed, bool pastDue);

    [LoggerMessage(1002, LogLevel.Information, "DispatchSms: outbox {Overdue} overdue, {Reenqueued} re-enqueued, {Cleaned} done and cleaned, " +
        "{DeadLettersResolved} dead letters resolved; texts {Received} received, {Sent} sent, {Simulated} simulated, {Skipped} skipped, " +
        "{Deferred} deferred, {Retried} retried, {Failed} failed, {DeadLettered} dead-lettered, {Duplicate} duplicate, {Missing} missing, " +
        "{Raced} raced, {Held} held, {Errors} errors; {EventsRelayed} clinic events relayed; {ClinicsFailed} clinics failed; past due: {PastDue}",
        EventName = nameof(DispatchSmsRan))]
    private static partial void DispatchSms(ILogger logger, int overdue, int reenqueued, int cleaned, int deadLettersResolved,
        int received, int sent, int simulated, int skipped, int deferred, int retried, int failed, int deadLettered, int duplicate,
        int missing, int raced, int held, int errors, int eventsRelayed, int clinicsFailed, bool pastDue);

    [LoggerMessage(1003, LogLevel.Information, "EscalateFlags: {Due} flags due, {Paged} paged, {Exhausted} exhausted; {ClinicsFailed} clinics failed; " +
        "past due: {PastDue}", EventName = nameof(EscalateFlagsRan))]
    private static partial void EscalateFlags(ILogger logger, int due, int paged, int exhausted, int clinicsFailed, bool pastDue);

    [LoggerMessage(1004, LogLevel.Information, "ExpireOffers: {Expired} offers closed, {Offered} freed chairs offered, {CoursesFinished} overdue " +
        "course bookings finished; {ClinicsFailed} clinics failed; past due: {PastDue}", EventName = nameof(ExpireOffersRan))]
    private static partial void ExpireOffers(ILogger logger, int expired, int offered, int coursesFinished, int clinicsFailed, bool pastDue);

    [LoggerMessage(1005, LogLevel.Information, "SweepMissedSessions: {Missed} sessions missed, {Overdue} cadence lapses, {RemsDue} REMS forms due, " +
        "{RemsUrgent} REMS forms urgent, {RideUnconfirmed} rides unconfirmed, in {Clinics} clinics; {ClinicsFailed} clinics failed; past due: {PastDue}",
        EventName = nameof(SweepMissedSessionsRan))]
    private static partial void SweepMissedSessions(ILogger logger, int missed, int overdue, int remsDue, int remsUrgent, int rideUnconfirmed, int clinics,
        int clinicsFailed, bool pastDue);

    [LoggerMessage(1006, LogLevel.Information, "ExportRecords: {Exported} clinics exported ({Rows} rows), {AlreadyThere} exported before today; " +
        "{ClinicsFailed} clinics failed; past due: {PastDue}", EventName = nameof(ExportRecordsRan))]
    private static partial void ExportRecords(ILogger logger, int exported, long rows, int alreadyThere, int clinicsFailed, bool pastDue);
}
