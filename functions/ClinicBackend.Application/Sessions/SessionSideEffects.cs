using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sweep;
using ClinicBackend.Application.Waitlist;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Application.Sessions;

/// <summary>What else happens around session changes: reminders and the sweep's watches.</summary>
public interface ISessionObserver
{
    /// <summary>Inside the unit of work that books a session or moves it (a new schedule version): its reminder commits with it.</summary>
    void OnScheduled(ClinicCommit commit, Clinic clinic, Session scheduled);

    /// <summary>
    /// After <paramref name="committed"/>: plan the reminders of the changed sessions it did not plan itself, and, when
    /// it freed chair-time, offer freed chairs to the waitlist (best effort: the nightly run plans what this misses,
    /// ExpireOffers offers what is left). A change that frees nothing (a booking) reads no freed chair.
    /// </summary>
    Task SessionsChangedAsync(ClinicCommit committed, Clinic clinic, IReadOnlyList<Session> sessions, CancellationToken ct);

    /// <summary>Inside the completing unit of work (the cadence and monitoring-form watches).</summary>
    Task OnCompletedAsync(ClinicCommit commit, Session fulfilled, CancellationToken ct);

    /// <summary>Inside the filing unit of work (resolve the form-due flag).</summary>
    Task OnRemsFormFiledAsync(ClinicCommit commit, Session filed, CancellationToken ct);
}

public sealed class SessionSideEffects(ClinicData data, ReminderPlanner reminders, WaitlistOffers waitlist, TimeProvider time, ILogger<SessionSideEffects> logger)
    : ISessionObserver
{
    public void OnScheduled(ClinicCommit commit, Clinic clinic, Session scheduled) => ReminderPlanner.PlanDayBefore(commit, clinic, scheduled);

    public async Task SessionsChangedAsync(ClinicCommit committed, Clinic clinic, IReadOnlyList<Session> sessions, CancellationToken ct)
    {
        var unplanned = sessions.Where(s => s.IsUpcoming
            && !committed.Writes(Keys.Message(s.PatientId, SmsMessage.ReminderId(s.Id, s.ScheduleVersion, SmsKinds.DayBefore))));
        foreach (var session in unplanned)
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
        if (clinic.SelfService.Waitlist && WaitlistWrites.FreesTime(committed))
        {
            try
            {
                await waitlist.OfferFreedSlotsAsync(clinic, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Offering freed chairs of clinic {ClinicId} failed; ExpireOffers offers them.", clinic.Id);
            }
        }
    }

    public async Task OnCompletedAsync(ClinicCommit commit, Session fulfilled, CancellationToken ct)
    {
        await Watches.OnFulfilledAsync(commit, data, fulfilled, ct);
        if (fulfilled.Monitoring?.BloodPressureConcern() is { } concern)
        {
            await FlagWrites.RaiseAsync(data, commit, Flag.For(FlagKinds.BloodPressure, fulfilled.Id, FlagSeverity.Normal, fulfilled.PatientId, fulfilled.Id, commit.Now,
                $"Blood pressure at the session of {ClinicTime.FormatMinute(fulfilled.Start)}: {concern}. For the prescriber to review; the session was completed."), ct);
        }
    }

    public Task OnRemsFormFiledAsync(ClinicCommit commit, Session filed, CancellationToken ct) =>
        Watches.OnRemsFormFiledAsync(commit, data, filed, ct);
}
