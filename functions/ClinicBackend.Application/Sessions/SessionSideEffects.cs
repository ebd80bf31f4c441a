using ClinicBackend.Application.Escalation;
using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sweep;
using ClinicBackend.Application.Waitlist;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Monitoring;
using ClinicBackend.Domain.Patients;
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

    /// <summary>Inside the unit of work that adds an observation: an alert raises an urgent vital-signs flag.</summary>
    Task OnObservedAsync(ClinicCommit commit, Clinic clinic, Session session, Observation observation, CancellationToken ct);

    /// <summary>
    /// Inside the completing unit of work: the cadence and monitoring-form watches, and the flags of what the record
    /// shows (blood pressure for the prescriber, a serious adverse event, the end of an MDSI course).
    /// </summary>
    Task OnCompletedAsync(ClinicCommit commit, Clinic clinic, Session fulfilled, CancellationToken ct);

    /// <summary>Inside the filing unit of work (resolve the form-due flag).</summary>
    Task OnRemsFormFiledAsync(ClinicCommit commit, Session filed, CancellationToken ct);
}

public sealed class SessionSideEffects(ClinicData data, ReminderPlanner reminders, WaitlistOffers waitlist, EscalationService escalation, TimeProvider time,
    ILogger<SessionSideEffects> logger)
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

    public async Task OnObservedAsync(ClinicCommit commit, Clinic clinic, Session session, Observation observation, CancellationToken ct)
    {
        if (!observation.Alert)
        {
            return;
        }
        // While the latest vital-signs flag of this session is open, someone is on it: the new reading is on the session.
        foreach (var earlier in session.Observations.Where(o => o.Alert && o.Number < observation.Number).OrderByDescending(o => o.Number))
        {
            if (await data.FlagAsync(clinic.Id, Flag.IdFor(FlagKinds.VitalSigns, VitalSignsCause(session, earlier)), ct) is { } raised)
            {
                if (raised.Value.Status == FlagStatus.Open)
                {
                    return;
                }
                break;
            }
        }
        var past = string.Join(" and ", clinic.Monitoring.PastThresholds(observation.BloodPressure, observation.Spo2));
        await escalation.RaiseAsync(commit, clinic, Flag.For(FlagKinds.VitalSigns, VitalSignsCause(session, observation), FlagSeverity.Urgent, session.PatientId, session.Id, commit.Now,
            $"During monitoring after the dose of the session of {ClinicTime.FormatMinute(session.Start)}, {observation.MinutesAfterDose} min after the dose: {past}. See the patient now."), ct);
    }

    private static string VitalSignsCause(Session session, Observation observation) => $"{session.Id}|{observation.Number}";

    public async Task OnCompletedAsync(ClinicCommit commit, Clinic clinic, Session fulfilled, CancellationToken ct)
    {
        await Watches.OnFulfilledAsync(commit, data, fulfilled, ct);
        if (fulfilled.BloodPressureConcern() is { } concern)
        {
            await FlagWrites.RaiseAsync(data, commit, Flag.For(FlagKinds.BloodPressure, fulfilled.Id, FlagSeverity.Normal, fulfilled.PatientId, fulfilled.Id, commit.Now,
                $"Blood pressure at the session of {ClinicTime.FormatMinute(fulfilled.Start)}: {concern}. For the prescriber to review; the session was completed."), ct);
        }
        var serious = fulfilled.Discharge?.AdverseEvents.Where(e => e.Serious).Select(e => e.Description).ToList() ?? [];
        if (serious.Count > 0)
        {
            await escalation.RaiseAsync(commit, clinic, Flag.For(FlagKinds.AdverseEvent, fulfilled.Id, FlagSeverity.Urgent, fulfilled.PatientId, fulfilled.Id, commit.Now,
                $"Serious adverse event at the session of {ClinicTime.FormatMinute(fulfilled.Start)}: {string.Join("; ", serious)}. A clinician follows up now; serious adverse events are also reported to the REMS."), ct);
        }
        await ReviewInductionAsync(commit, fulfilled, ct);
    }

    /// <summary>
    /// Induction ends with the course's 8th fulfilled session, or its first past week 4 (an MDSI course: any past week 4): the
    /// prescriber reviews it. A session within weeks 1-4 that does not end it leaves a watch, so the sweep raises the review
    /// when week 4 is over if no session does first (an MDSI course's end is seen by its cadence watch).
    /// </summary>
    private async Task ReviewInductionAsync(ClinicCommit commit, Session fulfilled, CancellationToken ct)
    {
        var patient = (await data.PatientAsync(commit.ClinicId, fulfilled.PatientId, ct))?.Value;
        if (patient is null)
        {
            return;
        }
        var course = patient.Course;
        var earlier = (await data.PatientSessionsAsync(commit.ClinicId, patient.Id, ct, course.StartDate))
            .Where(s => s.Status == SessionStatus.Fulfilled && s.Id != fulfilled.Id && s.Start < fulfilled.Start).ToList();
        var count = earlier.Count + 1;
        var due = course.EndsAfterInduction
            ? InductionReview.IsDue(course, count, fulfilled.Date)
            : InductionReview.IsDueAfterSession(course, count, fulfilled.Date, earlier.LastOrDefault()?.Date);
        if (due)
        {
            var clinic = (await data.ClinicAsync(commit.ClinicId, ct))!.Value;
            var assessments = await data.AssessmentsAsync(commit.ClinicId, patient.Id, ct);
            await FlagWrites.RaiseAsync(data, commit, RemsSweep.InductionReviewFlag(patient.Id, course, count, fulfilled.Id, commit.Now, clinic.Zone, assessments), ct);
        }
        else if (!course.EndsAfterInduction && fulfilled.Date >= course.StartDate && !InductionReview.IsOverOn(course, fulfilled.Date))
        {
            Watches.WatchInduction(commit, patient.Id, course);
        }
    }

    public Task OnRemsFormFiledAsync(ClinicCommit commit, Session filed, CancellationToken ct) =>
        Watches.OnRemsFormFiledAsync(commit, data, filed, ct);
}
