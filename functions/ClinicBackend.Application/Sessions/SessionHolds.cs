using ClinicBackend.Application.Access;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Sessions;

/// <summary>A session held for a few minutes before it is booked: its chair and day claims are taken, nothing else shows.</summary>
public sealed record HeldSession(Session Session, Instant ExpiresAt);

/// <summary>A session as it stands, or a hold that will become that session when it is booked.</summary>
public sealed record SessionOrHold(Session? Booked, HeldSession? Held);

/// <summary>
/// Holds one start for a patient for <see cref="HoldTime"/>, on the machinery of course bookings: a booking of one session
/// whose id is derived from the held session's, so the hold and the session it becomes share an id. A hold takes its claims
/// in the same insert conflicts as any booking, so a held chair is taken for everyone; booking it confirms the hold into the
/// session; a hold that lapses is rolled back by the ExpireOffers run like an abandoned course booking.
/// </summary>
public sealed class SessionHolds(ClinicData data, ClinicAccess access, BookingService booking, CourseHolds holds, SessionService sessions, TimeProvider time)
{
    public static readonly Duration HoldTime = Duration.FromMinutes(5);

    /// <summary>Holds the start a booking request asks for: the same checks and refusals as booking it.</summary>
    public async Task<Result<HeldSession>> HoldAsync(Caller caller, string clinicId, BookInput input, CancellationToken ct)
    {
        var request = await booking.PrepareAsync(caller, clinicId, input, ct);
        if (!request.IsSuccess)
        {
            return request.Problem!;
        }
        var (clinic, patient, start, end) = request.Value;
        var now = time.Now();
        var sessionId = Ids.New();
        var course = new CourseBooking
        {
            Id = HoldId(sessionId),
            PatientId = patient.Id,
            Mode = CourseBookingMode.AllOrNothing,
            CreatedAt = now,
            ExpiresAt = now + HoldTime,
            Actor = caller.ObjectId,
        };
        return await Concurrency.RetryOnConflictAsync<HeldSession>(async () =>
        {
            var decided = await booking.DecideNewSessionAsync(clinic, patient, start, end, now, caller.ObjectId, ct, sessionId);
            if (!decided.IsSuccess)
            {
                return decided.Problem!;
            }
            await holds.OpenHoldingAsync(course, clinicId, decided.Value, ct);
            return new HeldSession(decided.Value, course.ExpiresAt);
        });
    }

    /// <summary>
    /// Books a held session: the booking rules are checked again at this moment (a refusal releases the hold), then the hold
    /// is confirmed into the session with its copies, audit, event and reminder. Booking it again answers the session.
    /// </summary>
    public async Task<Result<Session>> BookHeldAsync(Caller caller, string clinicId, string sessionId, CancellationToken ct)
    {
        var found = await GetAsync(caller, clinicId, sessionId, ct);
        if (!found.IsSuccess)
        {
            return found.Problem!;
        }
        if (found.Value.Booked is { } session)
        {
            return session;
        }
        var held = found.Value.Held!.Session;
        var clinic = (await data.ClinicAsync(clinicId, ct))!.Value;
        var patient = (await data.PatientAsync(clinicId, held.PatientId, ct))?.Value;
        var start = held.StartUtc.InZone(clinic.Zone);
        if ((BookingService.CheckPatient(patient) ?? BookingRules.CheckStart(clinic, start, held.EndUtc.InZone(clinic.Zone), time.Now())) is { } refused)
        {
            await holds.RollBackAsync(clinicId, HoldId(sessionId), ct);
            return refused;
        }
        if (!await holds.StartConfirmingAsync(clinicId, HoldId(sessionId), ct))
        {
            return Lapsed(); // the ExpireOffers run took it over
        }
        await holds.ConfirmAsync(clinic, HoldId(sessionId), ct);
        return (await data.SessionAsync(clinicId, sessionId, ct))?.Value is { } booked ? booked : Lapsed();
    }

    /// <summary>Lets a hold go before it lapses: its claims are released. A hold already booked or gone is not found.</summary>
    public async Task<Result<HeldSession>> ReleaseAsync(Caller caller, string clinicId, string sessionId, CancellationToken ct)
    {
        var found = await GetAsync(caller, clinicId, sessionId, ct);
        if (!found.IsSuccess)
        {
            return found.Problem!;
        }
        if (found.Value.Held is not { } held)
        {
            return Problem.NotFound("hold");
        }
        return await holds.RollBackAsync(clinicId, HoldId(sessionId), ct) ? held : Lapsed();
    }

    /// <summary>The session with this id, or else the live hold that will become it.</summary>
    public async Task<Result<SessionOrHold>> GetAsync(Caller caller, string clinicId, string sessionId, CancellationToken ct)
    {
        var session = await sessions.GetAsync(caller, clinicId, sessionId, ct);
        if (session.IsSuccess)
        {
            return new SessionOrHold(session.Value, null);
        }
        if (session.Problem!.Kind != ProblemKind.NotFound || !Ids.IsGeneratedId(sessionId) || !(await access.RequireAsync(caller, clinicId, Need.Staff, ct)).IsSuccess)
        {
            return session.Problem;
        }
        var course = await data.CourseBookingAsync(clinicId, HoldId(sessionId), ct);
        if (course is not { Value.Status: CourseBookingStatus.Reserving } || course.Value.ExpiresAt <= time.Now())
        {
            return session.Problem;
        }
        var held = (await data.CourseHoldsAsync(clinicId, course.Value.Id, ct)).Select(h => h.Value.Session).FirstOrDefault(s => s.Id == sessionId);
        return held is null ? session.Problem : new SessionOrHold(null, new HeldSession(held, course.Value.ExpiresAt));
    }

    /// <summary>The course booking that carries the hold of a session.</summary>
    public static string HoldId(string sessionId) => "h" + sessionId;

    private static Problem Lapsed() => Problem.Conflict("hold-lapsed", "The hold has lapsed.",
        $"A start is held for {HoldTime.TotalMinutes:0} minutes; nothing was booked. Find a start again and hold or book it.");
}
