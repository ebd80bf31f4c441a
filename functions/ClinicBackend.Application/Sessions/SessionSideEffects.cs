using ClinicBackend.Application.Access;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Events;
using ClinicBackend.Application.Messaging;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sweep;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Application.Sessions;

/// <summary>What follows a session change besides the change itself.</summary>
public sealed class SessionSideEffects(ClinicData data, EventRelay events, ReminderPlanner reminders, TimeProvider time, ILogger<SessionSideEffects> logger)
    : ISessionObserver
{
    public async Task SessionsChangedAsync(Clinic clinic, IReadOnlyList<Session> sessions, IReadOnlyList<ClinicEvent> recorded, CancellationToken ct)
    {
        events.PublishSoon(recorded);
        foreach (var session in sessions.Where(s => s.IsUpcoming))
        {
            try
            {
                await reminders.PlanDayBeforeAsync(clinic, session, time.Now(), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The change is committed; the nightly run plans what this could not.
                logger.LogWarning(e, "Planning the reminder of session {SessionId} failed; the nightly run will plan it.", session.Id);
            }
        }
    }

    public Task OnCompletedAsync(ClinicCommit commit, Session fulfilled, CancellationToken ct) =>
        Watches.OnFulfilledAsync(commit, data.Store, fulfilled, ct);

    public Task OnRemsFormFiledAsync(ClinicCommit commit, Session filed, CancellationToken ct) =>
        Watches.OnRemsFormFiledAsync(commit, data.Store, filed, ct);
}
