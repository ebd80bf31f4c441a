using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Assessments;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Inventory;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Sweep;

/// <summary>
/// The hourly sweep's REMS and drug parts: sessions 2 days ahead whose patient is not enrolled, lots about to
/// expire, stock below the next week's need, and the end-of-induction reviews (MDSI courses that ended, TRD courses past week 4). Each reads only its own small rows
/// (enrolment watches, the clinic's lots) and raises each flag once per cause.
/// </summary>
public sealed class RemsSweep(ClinicData data)
{
    private const string Actor = Actors.Sweep;

    /// <summary>How far ahead of a session its patient's missing enrolment is flagged.</summary>
    public static readonly Duration EnrolmentNotice = Duration.FromDays(2);

    /// <summary>
    /// Each watched patient (booked before REMS enrolment): their booked sessions starting within 2 days get a
    /// rems-enrolment flag. The watch ends once the patient is enrolled (or inactive) or has nothing booked ahead.
    /// </summary>
    public async Task<int> SweepEnrolmentAsync(Clinic clinic, Instant now, CancellationToken ct)
    {
        var raised = 0;
        foreach (var watch in await data.EnrolmentWatchesAsync(clinic.Id, ct))
        {
            var patient = (await data.PatientAsync(clinic.Id, watch.Value.PatientId, ct))?.Value;
            var ahead = patient is { Active: true, RemsEnrolled: false }
                ? (await data.PatientSessionsAsync(clinic.Id, patient.Id, ct, now.InZone(clinic.Zone).Date)).Where(s => s.IsUpcoming && s.StartUtc > now).ToList()
                : [];
            foreach (var session in ahead.Where(s => s.StartUtc - EnrolmentNotice <= now))
            {
                var flag = Flag.For(FlagKinds.RemsEnrolment, session.Id, FlagSeverity.Normal, session.PatientId, session.Id, now,
                    $"The patient is not enrolled in the REMS programme and has a session on {ClinicTime.FormatMinute(session.Start)}. "
                    + "Enrol them before the dose (it is refused until remsEnrolled is true), or move the session.");
                raised += await FlagWrites.RaiseAloneAsync(data, clinic.Id, flag, Actor, now, ct) ? 1 : 0;
            }
            if (ahead.Count == 0)
            {
                await data.EndEnrolmentWatchAsync(clinic.Id, watch, ct); // a booking meanwhile rewrote it: it stays
            }
        }
        return raised;
    }

    /// <summary>Where the clinic counts its drug: a lot-expiring flag per lot with devices left 30 days before it expires, and stock-low.</summary>
    public async Task<int> SweepInventoryAsync(Clinic clinic, Instant now, CancellationToken ct)
    {
        if (clinic.Inventory != InventoryMode.Tracked)
        {
            return 0;
        }
        var lots = await data.LotsAsync(clinic.Id, ct);
        if (lots.Count == 0)
        {
            return 0; // the clinic keeps no stock here (yet)
        }
        var today = now.InZone(clinic.Zone).Date;
        var raised = 0;
        foreach (var lot in lots.Where(l => StockRules.IsExpiringSoon(l, today)))
        {
            var flag = Flag.For(FlagKinds.LotExpiring, $"{lot.Number}|{ClinicTime.FormatDate(lot.Expires)}", FlagSeverity.Normal, null, null, now,
                $"Lot {lot.Number} {(lot.IsExpiredOn(today) ? "has expired" : "expires")} after {ClinicTime.FormatDate(lot.Expires)} with {lot.OnHand} device{(lot.OnHand == 1 ? "" : "s")} left. "
                + "Use it first, or record the devices as an adjustment (reason expired or returned, with a witness).");
            raised += await FlagWrites.RaiseAloneAsync(data, clinic.Id, flag, Actor, now, ct) ? 1 : 0;
        }
        return raised + await SweepStockAsync(clinic, lots, today, now, ct);
    }

    /// <summary>
    /// Stock below the next week's need raises one stock-low flag per stretch of low stock (the stretches are counted in
    /// the inventory state row); a stretch ends when the stock covers the need again.
    /// </summary>
    private async Task<int> SweepStockAsync(Clinic clinic, IReadOnlyList<Lot> lots, LocalDate today, Instant now, CancellationToken ct)
    {
        var needed = StockRules.DevicesNeeded(await data.SessionsOnDaysAsync(clinic.Id, today, today.PlusDays(StockRules.NeedDays), ct), now);
        var onHand = StockRules.UsableOnHand(lots, today);
        var state = await data.InventoryStateAsync(clinic.Id, ct);
        var current = state?.Value ?? new InventoryState(null, 0);
        var low = onHand < needed;
        var next = !low ? current with { LowSince = null }
            : current.LowSince is null ? new InventoryState(today, current.Stretches + 1)
            : current;
        var commit = new ClinicCommit(clinic.Id, Actor, now);
        var raised = low && await FlagWrites.RaiseAsync(data, commit, Flag.For(FlagKinds.StockLow, $"stretch-{next.Stretches}", FlagSeverity.Normal, null, null, now,
            $"Stock too low since {ClinicTime.FormatDate(next.LowSince!.Value)}: {onHand} usable device{(onHand == 1 ? "" : "s")} on hand, and the sessions booked in the next "
            + $"{StockRules.NeedDays} days need {needed} (3 devices each, at 84 mg). Order more, or check the count."), ct);
        if (next != current)
        {
            if (state is null)
            {
                commit.Insert(Keys.InventoryState, next);
            }
            else
            {
                commit.Replace(Keys.InventoryState, next, state.ETag);
            }
        }
        // A conflict: another sweep did the same meanwhile.
        return commit.Count > 0 && await data.TryCommitAsync(commit, ct) && raised ? 1 : 0;
    }

    /// <summary>An MDSI course whose 4 weeks are over: the induction-review flag for the prescriber (once per course).</summary>
    public async Task<bool> ReviewEndedCourseAsync(Clinic clinic, Patient patient, Instant now, CancellationToken ct) =>
        await FlagWrites.RaiseAloneAsync(data, clinic.Id, await ReviewFlagAsync(clinic, patient, now, ct), Actor, now, ct);

    /// <summary>
    /// Courses that go on after induction (TRD) whose week 4 is over in the clinic's zone (paused days left out) with no
    /// review raised by a session (fewer than 8 sessions, none since): the induction-review flag, once per course, in the
    /// commit that ends the watch. A watch of a course whose start changed since is replaced by the current start's, if it
    /// gets one (<see cref="Watches.WatchCurrentStartAsync"/>); one of a course that now ends after induction (its cadence
    /// watch reviews it) or of a patient no longer active ends with no flag; a paused course's watch waits for its weeks.
    /// </summary>
    public async Task<int> SweepInductionAsync(Clinic clinic, Instant now, CancellationToken ct)
    {
        var today = now.InZone(clinic.Zone).Date;
        var raised = 0;
        foreach (var watch in await data.InductionWatchesDueAsync(clinic.Id, today, ct))
        {
            var patient = (await data.PatientAsync(clinic.Id, watch.Value.PatientId, ct))?.Value;
            var watched = patient is { Active: true, Course.EndsAfterInduction: false } && patient.Course.StartDate == watch.Value.CourseStart ? patient : null;
            if (watched is not null && !InductionReview.IsOverOn(watched.Course, today))
            {
                continue; // paused: looked at again until its 4 weeks are over
            }
            var commit = new ClinicCommit(clinic.Id, Actor, now).Delete(watch.Key, watch.ETag);
            if (patient is { Active: true } && patient.Course.StartDate != watch.Value.CourseStart)
            {
                await Watches.WatchCurrentStartAsync(commit, data, patient, ct); // the start changed beside a session's commit: the watch follows it
            }
            var added = watched is not null && await FlagWrites.RaiseAsync(data, commit, await ReviewFlagAsync(clinic, watched, now, ct), ct);
            // A conflict: a late session of the course rewrote the watch, or another sweep ended it; the next run sees the outcome.
            raised += await data.TryCommitAsync(commit, ct) && added ? 1 : 0;
        }
        return raised;
    }

    /// <summary>The review of the patient's course as it stands: its fulfilled sessions and ratings, under the latest session.</summary>
    private async Task<Flag> ReviewFlagAsync(Clinic clinic, Patient patient, Instant now, CancellationToken ct)
    {
        var course = patient.Course;
        var fulfilled = (await data.PatientSessionsAsync(clinic.Id, patient.Id, ct, course.StartDate))
            .Where(s => s.Status == SessionStatus.Fulfilled).OrderBy(s => s.StartUtc).ToList();
        return InductionReviewFlag(patient.Id, course, fulfilled.Count, fulfilled.LastOrDefault()?.Id, now, clinic.Zone,
            await data.AssessmentsAsync(clinic.Id, patient.Id, ct));
    }

    /// <summary>
    /// The induction-review flag, raised once per course (the session path's and the sweep's), under the latest fulfilled session when
    /// there is one: the sessions fulfilled, the course's PHQ-9s (baseline, latest, change, response) and its MADRS when staff rated any.
    /// </summary>
    /// <param name="assessments">The patient's ratings (any order); those of the course count, by the clinic's <paramref name="zone"/>.</param>
    public static Flag InductionReviewFlag(string patientId, TreatmentCourse course, int fulfilled, string? lastSessionId, Instant now, DateTimeZone zone,
        IReadOnlyList<Assessment> assessments)
    {
        var ratings = string.Join(" ", new[] { Phq9Course.Of(course, zone, assessments).Summary(), MadrsCourse.Summary(course, zone, assessments) }.Where(s => s.Length > 0));
        return Flag.For(FlagKinds.InductionReview, InductionReview.Cause(patientId, course), FlagSeverity.Normal, patientId, lastSessionId, now,
            InductionReview.Detail(course, fulfilled, ratings));
    }
}
