using ClinicBackend.Application.Access;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Sessions;

namespace ClinicBackend.Application.Sessions;

/// <summary>A change to one session, decided on the session as read: its row and its chair claims go into the unit of work.</summary>
public delegate Task<Result<Session>> SessionDecision(Clinic clinic, Stored<Session> current, ClinicCommit commit);

/// <summary>
/// Loads a session for a caller (access, version), lets a decision change it, commits the change with its
/// index rows, audit and event, and hands the result to the side effects. Lost races are decided again.
/// </summary>
public sealed class SessionUpdater(ClinicUpdates updates, ISessionObserver observer)
{
    public Task<Result<Session>> ChangeAsync(Caller caller, string clinicId, string sessionId, int? ifMatch, string action,
        SessionDecision decide, CancellationToken ct) =>
        updates.ChangeAsync<Session, Session>(caller, clinicId, Need.Staff, Entities.Session, sessionId, ifMatch, async change =>
        {
            var (clinic, session, commit) = change;
            var decided = await decide(clinic, session, commit);
            if (!decided.IsSuccess || decided.Value.Version == session.Value.Version)
            {
                return decided;
            }
            if (SessionWrites.TooLarge(decided.Value) is { } tooLarge)
            {
                return tooLarge;
            }
            SessionWrites.Apply(commit, session, decided.Value, action);
            WaitlistWrites.NoteFreedSlot(commit, clinic, session.Value, decided.Value);
            if (decided.Value.IsUpcoming && decided.Value.ScheduleVersion != session.Value.ScheduleVersion)
            {
                observer.OnScheduled(commit, clinic, decided.Value);
            }
            return decided;
        }, ct, committed: (clinic, commit, changed) => observer.SessionsChangedAsync(commit, clinic, [changed], ct));
}
