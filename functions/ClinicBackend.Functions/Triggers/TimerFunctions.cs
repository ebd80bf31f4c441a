using ClinicBackend.Application.Runs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Functions.Triggers;

/// <summary>The scheduled runs. Schedules come from the settings named in the contract; every run is safe to repeat.</summary>
public sealed class TimerFunctions(ScheduledRuns runs, ILogger<TimerFunctions> logger)
{
    [Function("NightlyReminders")]
    public async Task NightlyReminders([TimerTrigger("%Schedules__NightlyReminders%")] TimerInfo timer, CancellationToken ct)
    {
        var summary = await runs.PlanRemindersAsync(ct);
        logger.LogInformation("NightlyReminders (past due: {PastDue}): {Summary}", timer.IsPastDue, summary);
    }

    [Function("DispatchSms")]
    public async Task DispatchSms([TimerTrigger("%Schedules__DispatchSms%")] TimerInfo timer, CancellationToken ct)
    {
        var summary = await runs.DispatchAsync(ct);
        logger.LogInformation("DispatchSms (past due: {PastDue}): {Summary}", timer.IsPastDue, summary);
    }

    [Function("EscalateFlags")]
    public async Task EscalateFlags([TimerTrigger("%Schedules__EscalateFlags%")] TimerInfo timer, CancellationToken ct)
    {
        var summary = await runs.EscalateAsync(ct);
        logger.LogInformation("EscalateFlags (past due: {PastDue}): {Summary}", timer.IsPastDue, summary);
    }

    [Function("ExpireOffers")]
    public async Task ExpireOffers([TimerTrigger("%Schedules__ExpireOffers%")] TimerInfo timer, CancellationToken ct)
    {
        var summary = await runs.ExpireOffersAsync(ct);
        logger.LogInformation("ExpireOffers (past due: {PastDue}): {Summary}", timer.IsPastDue, summary);
    }

    [Function("SweepMissedSessions")]
    public async Task SweepMissedSessions([TimerTrigger("%Schedules__SweepMissedSessions%")] TimerInfo timer, CancellationToken ct)
    {
        var summary = await runs.SweepAsync(ct);
        logger.LogInformation("SweepMissedSessions (past due: {PastDue}): {Summary}", timer.IsPastDue, summary);
    }

    [Function("ExportRecords")]
    public async Task ExportRecords([TimerTrigger("%Schedules__ExportRecords%")] TimerInfo timer, CancellationToken ct)
    {
        var summary = await runs.ExportRecordsAsync(ct);
        logger.LogInformation("ExportRecords (past due: {PastDue}): {Summary}", timer.IsPastDue, summary);
    }
}
