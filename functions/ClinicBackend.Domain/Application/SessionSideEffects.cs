using ClinicBackend.Clinics;
using ClinicBackend.Events;
using ClinicBackend.Sessions;
using ClinicBackend.Sweep;

namespace ClinicBackend.Application;

/// <summary>What follows a session change besides the change itself.</summary>
public sealed class SessionSideEffects(ClinicData data, EventRelay events) : ISessionObserver
{
    public Task SessionsChangedAsync(Clinic clinic, IReadOnlyList<Session> sessions, IReadOnlyList<ClinicEvent> recorded, CancellationToken ct)
    {
        events.PublishSoon(recorded);
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync(ClinicCommit commit, Session fulfilled, CancellationToken ct) =>
        Watches.OnFulfilledAsync(commit, data.Store, fulfilled, ct);

    public Task OnRemsFormFiledAsync(ClinicCommit commit, Session filed, CancellationToken ct) =>
        Watches.OnRemsFormFiledAsync(commit, data.Store, filed, ct);
}
