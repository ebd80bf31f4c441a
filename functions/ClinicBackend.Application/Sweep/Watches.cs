using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Application.Sweep;

/// <summary>
/// Watch rows keyed by when they fall due, so the sweep reads only what is due (a key-range query), never
/// the whole history. They are written in the same commit as the session change that starts them.
/// </summary>
public static class Watches
{
    public static readonly Duration RemsFirstNotice = Duration.FromDays(5);
    public static readonly Duration RemsDeadline = Duration.FromDays(7);

    /// <summary>The earliest day a lapse after <paramref name="lastDate"/> can be flagged (grace not counted).</summary>
    public static LocalDate CadenceDue(TreatmentCourse course, LocalDate lastDate) =>
        lastDate.PlusDays(course.AllowedGapDays(course.PhaseOn(lastDate.PlusDays(1))) + 1);

    public static async Task OnFulfilledAsync(ClinicCommit commit, ClinicData data, Session fulfilled, CancellationToken ct)
    {
        commit.Insert(Keys.RemsWatch(fulfilled.StartUtc + RemsFirstNotice, fulfilled.Id), new RemsWatch(fulfilled.Id, fulfilled.PatientId, 1));

        var patient = await data.PatientAsync(commit.ClinicId, fulfilled.PatientId, ct);
        if (patient is null)
        {
            return;
        }
        if (await data.CadenceWatchAsync(commit.ClinicId, fulfilled.PatientId, ct) is { } current)
        {
            if (current.Value.LastStartUtc >= fulfilled.StartUtc)
            {
                return; // a later session already set the watch
            }
            commit.Delete(current.Key);
        }
        var key = Keys.CadenceWatch(CadenceDue(patient.Value.Course, fulfilled.Date), fulfilled.PatientId);
        commit.Upsert(key, new CadenceWatch(fulfilled.PatientId, fulfilled.Id, fulfilled.StartUtc, fulfilled.Date));
        commit.Upsert(Keys.CadencePointer(fulfilled.PatientId), new CadencePointer(key));
    }

    /// <summary>
    /// A session of the course's weeks 1-4 that did not raise its review (re)writes the course's induction watch: one row for the
    /// whole course, so sessions in any order keep one watch (one recorded after the sweep's review only makes the sweep drop it
    /// again), and a course already under way when the watch came in gets one at its next session.
    /// </summary>
    public static void WatchInduction(ClinicCommit commit, string patientId, TreatmentCourse course) =>
        commit.Upsert(Keys.InductionWatch(InductionReview.EarliestEnd(course), patientId), new InductionWatch(patientId, course.StartDate));

    /// <summary>
    /// Staff changed the course's start date (a correction, or a restart): the induction watch follows the course as it now
    /// stands, in the patient's commit. The old start's watch goes, and <see cref="WatchCurrentStartAsync"/> decides the new one.
    /// </summary>
    public static async Task FollowCourseStartAsync(ClinicCommit commit, ClinicData data, Patient before, Patient after, CancellationToken ct)
    {
        if (before.Course.StartDate == after.Course.StartDate)
        {
            return;
        }
        if (await data.InductionWatchAsync(commit.ClinicId, before.Id, before.Course, ct) is { } old)
        {
            commit.Delete(old.Key, old.ETag);
        }
        await WatchCurrentStartAsync(commit, data, after, ct);
    }

    /// <summary>
    /// The watch the patient's course would have had were its start date right from the first: written when a session was
    /// fulfilled in its weeks 1-4, so a start moved back past its day 28 is reviewed by the next sweep, and a restart entered
    /// after its first sessions at its own day 28. None when a review was raised for a start whose 4 weeks overlap this one's
    /// (the same weeks are not reviewed twice, however many corrections came between; the course then gets its watch from its
    /// next session) or when the course ends after induction.
    /// </summary>
    public static async Task WatchCurrentStartAsync(ClinicCommit commit, ClinicData data, Patient patient, CancellationToken ct)
    {
        var course = patient.Course;
        if (course.EndsAfterInduction || await ReviewedOverlappingAsync(commit.ClinicId, data, patient.Id, course.StartDate, ct))
        {
            return;
        }
        var sessions = await data.PatientSessionsAsync(commit.ClinicId, patient.Id, ct, course.StartDate);
        if (sessions.Any(s => s.Status == SessionStatus.Fulfilled && s.Date >= course.StartDate && !InductionReview.IsOverOn(course, s.Date)))
        {
            WatchInduction(commit, patient.Id, course);
        }
    }

    /// <summary>Whether the patient's review was raised for a course start less than 4 weeks from <paramref name="start"/> (its flag ids are known: one read each).</summary>
    private static async Task<bool> ReviewedOverlappingAsync(string clinicId, ClinicData data, string patientId, LocalDate start, CancellationToken ct)
    {
        var span = TreatmentCourse.InductionDays - 1;
        var reviews = await Task.WhenAll(Enumerable.Range(-span, 2 * span + 1).Select(days =>
            data.FlagAsync(clinicId, Flag.IdFor(FlagKinds.InductionReview, InductionReview.Cause(patientId, start.PlusDays(days))), ct)));
        return reviews.Any(review => review is not null);
    }

    /// <summary>Filing the form ends its watch and resolves its flag.</summary>
    public static async Task OnRemsFormFiledAsync(ClinicCommit commit, ClinicData data, Session filed, CancellationToken ct)
    {
        foreach (var due in new[] { filed.StartUtc + RemsFirstNotice, filed.StartUtc + RemsDeadline })
        {
            var key = Keys.RemsWatch(due, filed.Id);
            if (await data.RemsWatchAsync(commit.ClinicId, key, ct) is not null)
            {
                commit.Delete(key);
            }
        }
        var flagId = Flag.IdFor(FlagKinds.RemsFormDue, filed.Id);
        var flag = await data.FlagAsync(commit.ClinicId, flagId, ct);
        if (flag?.Value.Resolve("The monitoring form was filed.", Actors.System, commit.Now) is { IsSuccess: true } resolved)
        {
            FlagWrites.Update(commit, flag.Value, resolved.Value, flag.ETag, "flag.resolved", EventTypes.FlagResolved, $"flag-{flagId}-resolved");
        }
    }
}
