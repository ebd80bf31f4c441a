using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sweep;

namespace ClinicBackend.Application.Runs;

/// <summary>What the timer functions run, across every clinic.</summary>
public sealed class ScheduledRuns(ClinicData data, ReminderPlanner reminders, SmsDispatcher dispatcher, SweepService sweep)
{
    /// <summary>DispatchSms runs every minute; it stops taking new work after this, well inside the function timeout.</summary>
    public static readonly TimeSpan DispatchBudget = TimeSpan.FromSeconds(50);

    public async Task<string> PlanRemindersAsync(CancellationToken ct) => (await reminders.PlanAllAsync(ct)).ToString();

    /// <summary>Sends due texts, then publishes any clinic events a crash or outage left pending.</summary>
    public async Task<string> DispatchAsync(CancellationToken ct)
    {
        var sms = await dispatcher.DispatchAsync(DispatchBudget, ct);
        var relayed = await data.Events.DrainAsync(await data.ClinicIdsAsync(ct), ct);
        return $"{sms}; {relayed} clinic events relayed";
    }

    public async Task<string> SweepAsync(CancellationToken ct) => (await sweep.SweepAllAsync(ct)).ToString();
}
