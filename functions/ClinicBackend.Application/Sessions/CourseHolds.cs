using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Sessions;

/// <summary>
/// The two phases of a course booking, each step one transaction. Holding a session inserts only its claims
/// (and checks the booking is still reserving), so capacity stays exact and nothing shows; confirming writes the
/// session, its copies, audit and event and removes the hold. A booking that was abandoned (the process died)
/// is finished by the scheduled run once it expires: rolled back while reserving, rolled forward once confirming.
/// </summary>
public sealed class CourseHolds(ClinicData data, ISessionObserver observer, TimeProvider time)
{
    /// <summary>How long a request may take before the scheduled run finishes its booking for it.</summary>
    public static readonly Duration ReservationTime = Duration.FromMinutes(2);

    public async Task OpenAsync(CourseBooking course, string clinicId, CancellationToken ct) =>
        await data.CommitAsync(Open(course, clinicId), ct);

    /// <summary>
    /// Opens a booking that holds one decided session, in one transaction: a lost race for a claim writes nothing
    /// (<see cref="CommitConflictException"/>).
    /// </summary>
    public async Task OpenHoldingAsync(CourseBooking course, string clinicId, Session session, CancellationToken ct)
    {
        var commit = Open(course with { SessionIds = [session.Id] }, clinicId);
        SessionWrites.InsertClaims(commit, session);
        commit.Insert(Keys.CourseHold(course.Id, session.Id), new CourseHold(session));
        await data.CommitAsync(commit, ct);
    }

    private static ClinicCommit Open(CourseBooking course, string clinicId) =>
        new ClinicCommit(clinicId, course.Actor, course.CreatedAt)
            .Insert(Keys.CourseBooking(course.Id), course)
            .Insert(Keys.CourseExpiry(course.ExpiresAt, course.Id), new CourseBookingPointer(course.Id));

    /// <summary>Holds a decided session for the booking; false when the booking no longer reserves (it expired).</summary>
    public async Task<bool> HoldAsync(string clinicId, string courseId, Session session, CancellationToken ct)
    {
        var course = await data.CourseBookingAsync(clinicId, courseId, ct);
        if (course is not { Value.Status: CourseBookingStatus.Reserving })
        {
            return false;
        }
        var commit = new ClinicCommit(clinicId, course.Value.Actor, time.Now());
        SessionWrites.InsertClaims(commit, session);
        commit.Insert(Keys.CourseHold(courseId, session.Id), new CourseHold(session));
        commit.Replace(Keys.CourseBooking(courseId), course.Value with { SessionIds = [.. course.Value.SessionIds, session.Id], Version = course.Value.Version + 1 }, course.ETag);
        await data.CommitAsync(commit, ct);
        return true;
    }

    /// <summary>Moves the booking from reserving to confirming; false when it is no longer reserving.</summary>
    public Task<bool> StartConfirmingAsync(string clinicId, string courseId, CancellationToken ct) =>
        MoveAsync(clinicId, courseId, CourseBookingStatus.Reserving, CourseBookingStatus.Confirming, ct);

    /// <summary>
    /// Books every held session with its day-before reminder, each in one transaction (skipping any already booked by a
    /// concurrent finisher), and closes the booking.
    /// </summary>
    public async Task<IReadOnlyList<Session>> ConfirmAsync(Clinic clinic, string courseId, CancellationToken ct)
    {
        var clinicId = clinic.Id;
        var booked = new List<Session>();
        foreach (var hold in await data.CourseHoldsAsync(clinicId, courseId, ct))
        {
            var commit = new ClinicCommit(clinicId, hold.Value.Session.History[0].By, time.Now());
            SessionWrites.InsertRecords(commit, hold.Value.Session);
            observer.OnScheduled(commit, clinic, hold.Value.Session);
            commit.Delete(hold.Key, hold.ETag);
            if (await data.TryCommitAsync(commit, ct))
            {
                booked.Add(hold.Value.Session);
            }
        }
        await MoveAsync(clinicId, courseId, CourseBookingStatus.Confirming, CourseBookingStatus.Done, ct);
        return booked;
    }

    /// <summary>Releases every hold of a booking that is reserving (or already rolling back); false once it confirms.</summary>
    public async Task<bool> RollBackAsync(string clinicId, string courseId, CancellationToken ct)
    {
        var course = await data.CourseBookingAsync(clinicId, courseId, ct);
        if (course?.Value.Status == CourseBookingStatus.Reserving)
        {
            await MoveAsync(clinicId, courseId, CourseBookingStatus.Reserving, CourseBookingStatus.RollingBack, ct);
            course = await data.CourseBookingAsync(clinicId, courseId, ct);
        }
        if (course?.Value.Status != CourseBookingStatus.RollingBack)
        {
            return course?.Value.Status == CourseBookingStatus.RolledBack;
        }
        foreach (var hold in await data.CourseHoldsAsync(clinicId, courseId, ct))
        {
            var commit = new ClinicCommit(clinicId, Actors.System, time.Now());
            SessionWrites.ReleaseClaims(commit, hold.Value.Session);
            commit.Delete(hold.Key, hold.ETag);
            await data.TryCommitAsync(commit, ct); // a conflict: another finisher released it
        }
        await MoveAsync(clinicId, courseId, CourseBookingStatus.RollingBack, CourseBookingStatus.RolledBack, ct);
        return true;
    }

    /// <summary>Finishes the clinic's course bookings whose request is overdue: the scheduled run's part. Safe to repeat.</summary>
    public async Task<int> FinishAbandonedAsync(Clinic clinic, CancellationToken ct)
    {
        var finished = 0;
        foreach (var due in await data.CourseBookingsDueAsync(clinic.Id, time.Now(), ct))
        {
            var course = await data.CourseBookingAsync(clinic.Id, due.Value.CourseId, ct);
            switch (course?.Value.Status)
            {
                case CourseBookingStatus.Reserving or CourseBookingStatus.RollingBack:
                    await RollBackAsync(clinic.Id, course.Value.Id, ct);
                    break;
                case CourseBookingStatus.Confirming:
                    await ConfirmAsync(clinic, course.Value.Id, ct);
                    break;
                default:
                    await data.TryCommitAsync(new ClinicCommit(clinic.Id, Actors.System, time.Now()).Delete(due.Key, due.ETag), ct);
                    break;
            }
            finished++;
        }
        return finished;
    }

    /// <summary>Moves the booking from one status to the next; a final status also stops the scheduled run waiting for it.</summary>
    private Task<bool> MoveAsync(string clinicId, string courseId, CourseBookingStatus from, CourseBookingStatus to, CancellationToken ct) =>
        Concurrency.RetryAsync(async () =>
        {
            var course = await data.CourseBookingAsync(clinicId, courseId, ct);
            if (course?.Value.Status != from)
            {
                return course?.Value.Status == to;
            }
            var moved = course.Value.With(to);
            var commit = new ClinicCommit(clinicId, Actors.System, time.Now())
                .Replace(Keys.CourseBooking(courseId), moved, course.ETag)
                .Audit($"course-booking.{Names.Kebab(to)}", "course-booking", courseId, course.Value, moved);
            if (to is CourseBookingStatus.Done or CourseBookingStatus.RolledBack)
            {
                commit.Delete(Keys.CourseExpiry(course.Value.ExpiresAt, courseId));
            }
            await data.CommitAsync(commit, ct);
            return true;
        }, () => false);
}
