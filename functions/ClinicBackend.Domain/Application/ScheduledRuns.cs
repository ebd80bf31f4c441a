using ClinicBackend.Events;

namespace ClinicBackend.Application;

/// <summary>What the timer functions run, across every clinic.</summary>
public sealed class ScheduledRuns(ClinicData data, EventRelay events)
{
    public Task<string> PlanRemindersAsync(CancellationToken ct) => Task.FromResult("nothing planned yet");

    public async Task<string> DispatchAsync(CancellationToken ct)
    {
        var clinics = await data.ClinicIdsAsync(ct);
        var relayed = await events.DrainAsync(clinics, ct);
        return $"{relayed} clinic events relayed";
    }

    public Task<string> SweepAsync(CancellationToken ct) => Task.FromResult("nothing swept yet");
}
