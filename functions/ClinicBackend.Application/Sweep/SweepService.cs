using ClinicBackend.Application.Escalation;
using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Waitlist;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Application.Sweep;

public sealed record SweepSummary(int Clinics, int Missed, int Overdue, int RemsDue, int RemsUrgent, int RideUnconfirmed,
    int NotEnrolled, int Inventory, int InductionReviews, int NotReady, int Renewals)
{
    public static SweepSummary operator +(SweepSummary a, SweepSummary b) => new(a.Clinics + b.Clinics, a.Missed + b.Missed,
        a.Overdue + b.Overdue, a.RemsDue + b.RemsDue, a.RemsUrgent + b.RemsUrgent, a.RideUnconfirmed + b.RideUnconfirmed,
        a.NotEnrolled + b.NotEnrolled, a.Inventory + b.Inventory, a.InductionReviews + b.InductionReviews, a.NotReady + b.NotReady, a.Renewals + b.Renewals);

    public static readonly SweepSummary Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

/// <summary>
/// Finds patients falling off their treatment: missed sessions, lapsed cadence, monitoring forms not filed,
/// rides not confirmed; with <see cref="RemsSweep"/> patients booked before REMS enrolment, the end of induction, lots
/// about to expire and stock too low for the week; with <see cref="CoverageSweep"/> visits not ready and authorizations to renew; and it retires waitlist entries whose window has passed. It flags
/// for a clinician and never changes a schedule. Each part reads only what
/// is new or due (a watermark and due-keyed watch rows), so it recovers from an outage of any length and
/// its cost follows recent sessions, not history. Running it twice changes nothing the second time.
/// </summary>
public sealed class SweepService(ClinicData data, ReminderPlanner reminders, EscalationService escalation, WaitlistOffers waitlist, RemsSweep rems,
    CoverageSweep coverage, TimeProvider time,
    ILogger<SweepService> logger)
{
    private const string Actor = Actors.Sweep;
    /// <summary>A clinic's first sweep looks this far back.</summary>
    public static readonly Duration FirstLookBack = Duration.FromDays(14);

    public Task<ClinicRunReport<SweepSummary>> SweepAllAsync(CancellationToken ct) =>
        data.ForEachClinicAsync("SweepMissedSessions", SweepClinicAsync, ct);

    public async Task<SweepSummary> SweepClinicAsync(Clinic clinic, CancellationToken ct)
    {
        var now = time.Now();
        await data.FinishReleasesAsync(clinic.Id, ct);
        var missed = await SweepMissedAsync(clinic, now, ct);
        var (overdue, reviews) = await SweepCadenceAsync(clinic, now, ct);
        reviews += await rems.SweepInductionAsync(clinic, now, ct);
        var (remsDue, remsUrgent) = await SweepRemsAsync(clinic, now, ct);
        var rides = await SweepRidesAsync(clinic, now, ct);
        if (clinic.SelfService.Waitlist)
        {
            await waitlist.RetirePastEntriesAsync(clinic, ct);
        }
        var notEnrolled = await rems.SweepEnrolmentAsync(clinic, now, ct);
        var inventory = await rems.SweepInventoryAsync(clinic, now, ct);
        var (notReady, renewals) = await coverage.SweepAsync(clinic, now, ct);
        return new SweepSummary(1, missed, overdue, remsDue, remsUrgent, rides, notEnrolled, inventory, reviews, notReady, renewals);
    }

    /// <summary>Booked sessions whose end plus the clinic's grace has passed without check-in become no-shows, with a flag.</summary>
    private async Task<int> SweepMissedAsync(Clinic clinic, Instant now, CancellationToken ct)
    {
        var grace = Duration.FromMinutes(clinic.MissedGraceMinutes);
        var cutoff = now - grace; // sessions ending at or before this are missed if nobody checked them in
        var state = await data.SweepStateAsync(clinic.Id, ct);
        var from = state?.Value.MissedUpTo ?? Instant.Max(clinic.CreatedAt, now - FirstLookBack);
        if (from >= cutoff)
        {
            return 0;
        }
        // Sessions end up to SessionMinutes after they start: look from the day a session ending after `from` could start.
        var firstDay = (from - Duration.FromMinutes(ClinicRules.MaxSessionMinutes)).InZone(clinic.Zone).Date;
        var lastDay = cutoff.InZone(clinic.Zone).Date;
        var candidates = (await data.SessionsOnDaysAsync(clinic.Id, firstDay, lastDay.PlusDays(1), ct))
            .Where(s => s.Status == SessionStatus.Booked && s.EndUtc <= cutoff)
            .ToList();
        var missed = 0;
        foreach (var candidate in candidates)
        {
            missed += await MarkMissedAsync(clinic, candidate.Id, cutoff, now, ct) ? 1 : 0;
        }
        await data.SaveSweepStateAsync(clinic.Id, state, new SweepState(cutoff), ct);
        return missed;
    }

    private async Task<bool> MarkMissedAsync(Clinic clinic, string sessionId, Instant cutoff, Instant now, CancellationToken ct)
    {
        var noshow = await Concurrency.RetryAsync<Session?>(async () =>
        {
            var stored = await data.SessionAsync(clinic.Id, sessionId, ct);
            if (stored is null || stored.Value.Status != SessionStatus.Booked || stored.Value.EndUtc > cutoff)
            {
                return null; // checked in, cancelled or moved meanwhile
            }
            var session = stored.Value;
            var missed = session.MarkNoShow(now, Actor, $"not checked in by {ClinicTime.FormatUtc(session.EndUtc + Duration.FromMinutes(clinic.MissedGraceMinutes))}");
            var commit = new ClinicCommit(clinic.Id, Actor, now);
            SessionWrites.Apply(commit, stored, missed, "session.noshow");
            SessionWrites.ReleaseClaims(commit, session);
            await FlagWrites.RaiseAsync(data, commit, Flag.For(FlagKinds.MissedSession, session.Id, FlagSeverity.Normal, session.PatientId, session.Id, now,
                $"The patient did not come to the session of {ClinicTime.FormatMinute(session.Start)}. Reach out and offer a new time."), ct);
            await data.CommitAsync(commit, ct);
            return missed;
        }, () => null);
        if (noshow is null)
        {
            return false;
        }
        try
        {
            await reminders.PlanMissedAsync(clinic, noshow, now, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Planning the re-engagement text after session {SessionId} failed.", sessionId);
        }
        return true;
    }

    /// <summary>
    /// Patients whose gap since their last fulfilled session exceeds what the phase allows, with nothing booked; and
    /// MDSI courses whose 4 weeks are over (the prescriber's review, no lapse).
    /// </summary>
    private async Task<(int Overdue, int Reviews)> SweepCadenceAsync(Clinic clinic, Instant now, CancellationToken ct)
    {
        var today = now.InZone(clinic.Zone).Date;
        var due = await data.CadenceWatchesDueAsync(clinic.Id, today, ct);
        var (raised, reviews) = (0, 0);
        foreach (var watch in due)
        {
            var patient = await data.PatientAsync(clinic.Id, watch.Value.PatientId, ct);
            if (patient is null || !patient.Value.Active)
            {
                await data.EndCadenceWatchAsync(clinic.Id, watch, ct);
                continue;
            }
            var course = patient.Value.Course;
            if (course.HasEndedOn(today))
            {
                reviews += await rems.ReviewEndedCourseAsync(clinic, patient.Value, now, ct) ? 1 : 0;
                await data.EndCadenceWatchAsync(clinic.Id, watch, ct);
                continue;
            }
            if (!course.HasLapsed(watch.Value.LastDate, today, clinic.CadenceGraceDays))
            {
                continue; // paused, or still within the grace: looked at again tomorrow
            }
            var booked = (await data.PatientSessionsAsync(clinic.Id, patient.Value.Id, ct, today)).Any(s => s.IsUpcoming && s.StartUtc > now);
            if (booked)
            {
                continue; // a session is booked; if it is missed or cancelled the watch is still here
            }
            var commit = new ClinicCommit(clinic.Id, Actor, now);
            var flag = Flag.For(FlagKinds.OverdueCadence, $"{patient.Value.Id}|{watch.Value.LastSessionId}", FlagSeverity.Normal, patient.Value.Id,
                watch.Value.LastSessionId, now, CadenceDetail(course, watch.Value.LastDate, today, clinic.CadenceGraceDays));
            var added = await FlagWrites.RaiseAsync(data, commit, flag, ct);
            commit.Delete(watch.Key, watch.ETag).Delete(Keys.CadencePointer(patient.Value.Id));
            // A conflict means a session was fulfilled meanwhile and moved the watch: nothing to flag.
            raised += await data.TryCommitAsync(commit, ct) && added ? 1 : 0;
        }
        return (raised, reviews);
    }

    private static string CadenceDetail(TreatmentCourse course, LocalDate last, LocalDate today, int graceDays)
    {
        var phase = course.PhaseOn(last.PlusDays(1));
        var allowedDays = course.AllowedGapDays(phase);
        var expected = phase switch
        {
            TreatmentPhase.Induction => "twice a week (induction, weeks 1-4)",
            TreatmentPhase.Optimization => "weekly (optimisation, weeks 5-8)",
            _ => $"every {allowedDays} days (maintenance)",
        };
        var days = Period.Between(last, today, PeriodUnits.Days).Days;
        var paused = days - course.CadenceGapDays(last, today);
        var text = $"Expected a session {expected}, at most {allowedDays} days apart (plus {graceDays} days' grace). "
            + $"The last completed session was {ClinicTime.FormatDate(last)}, {days} days ago{(paused > 0 ? $" ({paused} of them paused)" : "")}, and none is booked.";
        return phase == TreatmentPhase.Maintenance
            ? text + " The label suggests considering a return to the previous frequency if symptoms have worsened; a clinician decides, the schedule is unchanged."
            : text + " A clinician decides what to do; the schedule is unchanged.";
    }

    /// <summary>Fulfilled sessions without a filed monitoring form: a flag at 5 days, urgent at 7.</summary>
    private async Task<(int Due, int Urgent)> SweepRemsAsync(Clinic clinic, Instant now, CancellationToken ct)
    {
        var due = await data.RemsWatchesDueAsync(clinic.Id, now, ct);
        var (raised, escalated) = (0, 0);
        foreach (var watch in due)
        {
            var session = (await data.SessionAsync(clinic.Id, watch.Value.SessionId, ct))?.Value;
            var commit = new ClinicCommit(clinic.Id, Actor, now).Delete(watch.Key, watch.ETag);
            if (session is not null && session.RemsFormSubmittedAt is null)
            {
                if (watch.Value.Stage == 1)
                {
                    commit.Insert(Keys.RemsWatch(session.StartUtc + Watches.RemsDeadline, session.Id), watch.Value with { Stage = 2 });
                    raised += await FlagWrites.RaiseAsync(data, commit, Flag.For(FlagKinds.RemsFormDue, session.Id, FlagSeverity.Normal, session.PatientId, session.Id, now,
                        $"The REMS Patient Monitoring Form for the session of {ClinicTime.FormatMinute(session.Start)} is not recorded as filed; it is due by {ClinicTime.FormatUtc(session.RemsFormDueBy)}."), ct) ? 1 : 0;
                }
                else if (await data.FlagAsync(clinic.Id, Flag.IdFor(FlagKinds.RemsFormDue, session.Id), ct) is { } flag
                    && flag.Value.MakeUrgent($"OVERDUE: the REMS Patient Monitoring Form for the session of {ClinicTime.FormatMinute(session.Start)} was due by {ClinicTime.FormatUtc(session.RemsFormDueBy)} and is not recorded as filed.") is { } urgent)
                {
                    await escalation.MakeUrgentAsync(commit, clinic, flag, urgent, ct);
                    escalated++;
                }
            }
            // A conflict: filed or swept concurrently; the next run sees the outcome.
            await data.TryCommitAsync(commit, ct);
        }
        return (raised, escalated);
    }

    /// <summary>
    /// Sessions whose day-before reminder asked the patient to confirm (and so to arrange a ride home) and got
    /// no confirmation by the clinic's ride-check time the evening before.
    /// </summary>
    private async Task<int> SweepRidesAsync(Clinic clinic, Instant now, CancellationToken ct)
    {
        var local = now.InZone(clinic.Zone).LocalDateTime;
        var checkTomorrow = local.TimeOfDay >= clinic.Reminders.RideCheckAt;
        var sessions = await data.SessionsOnDaysAsync(clinic.Id, local.Date, local.Date.PlusDays(checkTomorrow ? 2 : 1), ct);
        var raised = 0;
        // Confirmed, declined by text (the clinic calls about the reschedule anyway) or a ride confirmed by phone: no check.
        foreach (var session in sessions.Where(s => s.IsUpcoming && s.StartUtc > now && s.Confirmation == Confirmation.NeedsAction && s.RideConfirmedAt is null))
        {
            var reminder = await data.MessageAsync(clinic.Id, session.PatientId, SmsMessage.ReminderId(session.Id, session.ScheduleVersion, SmsKinds.DayBefore), ct);
            if (reminder is null || !SmsStatus.IsHandedOver(reminder.Value.Status))
            {
                continue; // the patient was never asked
            }
            var flag = Flag.For(FlagKinds.RideUnconfirmed, $"{session.Id}|v{session.ScheduleVersion}", FlagSeverity.Normal, session.PatientId, session.Id, now,
                $"The patient has not confirmed the session of {ClinicTime.FormatMinute(session.Start)}, nor that someone will drive them home. Call to check before dosing.");
            raised += await FlagWrites.RaiseAloneAsync(data, clinic.Id, flag, Actor, now, ct) ? 1 : 0;
        }
        return raised;
    }
}
