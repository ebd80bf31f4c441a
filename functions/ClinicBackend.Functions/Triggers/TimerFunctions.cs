using ClinicBackend.Application.Runs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Functions.Triggers;

/// <summary>The scheduled runs. Schedules come from the settings named in the contract; every run is safe to repeat.</summary>
public sealed class TimerFunctions(ScheduledRuns runs, ILogger<TimerFunctions> logger)
{
    [Function("NightlyReminders")]
    public async Task NightlyReminders([TimerTrigger("%Schedules__NightlyReminders%")] TimerInfo timer, CancellationToken ct) =>
        logger.Ran(await runs.PlanRemindersAsync(ct), timer.IsPastDue);

    [Function("DispatchSms")]
    public async Task DispatchSms([TimerTrigger("%Schedules__DispatchSms%")] TimerInfo timer, CancellationToken ct) =>
        logger.Ran(await runs.DispatchAsync(ct), timer.IsPastDue);

    [Function("EscalateFlags")]
    public async Task EscalateFlags([TimerTrigger("%Schedules__EscalateFlags%")] TimerInfo timer, CancellationToken ct) =>
        logger.Ran(await runs.EscalateAsync(ct), timer.IsPastDue);

    [Function("ExpireOffers")]
    public async Task ExpireOffers([TimerTrigger("%Schedules__ExpireOffers%")] TimerInfo timer, CancellationToken ct) =>
        logger.Ran(await runs.ExpireOffersAsync(ct), timer.IsPastDue);

    [Function("SweepMissedSessions")]
    public async Task SweepMissedSessions([TimerTrigger("%Schedules__SweepMissedSessions%")] TimerInfo timer, CancellationToken ct) =>
        logger.Ran(await runs.SweepAsync(ct), timer.IsPastDue);

    [Function("ExportRecords")]
    public async Task ExportRecords([TimerTrigger("%Schedules__ExportRecords%")] TimerInfo timer, CancellationToken ct) =>
        logger.Ran(await runs.ExportRecordsAsync(ct), timer.IsPastDue);
}
