using ClinicBackend.Application.Access;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Sessions;

/// <summary>A start that booking would accept, with how many chairs are free over the whole session.</summary>
public sealed record FreeSlot(ZonedDateTime Start, ZonedDateTime End, int FreeChairs);

public sealed record Availability(Clinic Clinic, LocalDate Date, IReadOnlyList<FreeSlot> Slots);

/// <summary>A booking request checked up to capacity: the clinic, the patient and the placed start.</summary>
public sealed record BookingRequest(Clinic Clinic, Patient Patient, ZonedDateTime Start, ZonedDateTime End);

/// <summary>
/// Booking and moving sessions on the monitoring chairs. Capacity rests on insert conflicts of the chair
/// claims in the same unit of work as the session: a booking that loses a race reads the winner's claims and
/// decides again.
/// </summary>
public sealed class BookingService(ClinicData data, ClinicAccess access, SessionUpdater updater, TimeProvider time, ISessionObserver observer)
{
    /// <summary>
    /// The rows a session change writes besides its chair claims: the session, its copies, day claims, audit, event,
    /// reminder, the report's marks of the days it changes, and the chair-time it releases.
    /// </summary>
    private const int SessionChangeRows = 19;

    /// <summary>
    /// Rows a caller may add to a move's commit after it (a text reply taking a waitlist offer: the freed slot, the
    /// offer, the entry and the reply's own records).
    /// </summary>
    private const int CallerRows = 12;

    public Task<Result<Session>> BookAsync(Caller caller, string clinicId, BookInput input, CancellationToken ct) =>
        Concurrency.RetryOnConflictAsync<Session>(async () =>
        {
            var request = await PrepareAsync(caller, clinicId, input, ct);
            if (!request.IsSuccess)
            {
                return request.Problem!;
            }
            var (clinic, patient, start, end) = request.Value;
            var commit = new ClinicCommit(clinicId, caller.ObjectId, time.Now());
            var booked = await DecideBookAsync(commit, clinic, patient, start, end, ct);
            if (!booked.IsSuccess)
            {
                return booked;
            }
            observer.OnScheduled(commit, clinic, booked.Value);
            await data.CommitAsync(commit, ct);
            await observer.SessionsChangedAsync(commit, clinic, [booked.Value], ct);
            return booked;
        });

    /// <summary>
    /// What a booking request asks for, checked as booking checks it before capacity: the caller's access, the fields, the
    /// start placed in the clinic's zone, the patient registered, active and enrolled.
    /// </summary>
    public async Task<Result<BookingRequest>> PrepareAsync(Caller caller, string clinicId, BookInput input, CancellationToken ct)
    {
        // The patient is read beside the access check, and looked at only once access is granted.
        var accessTask = access.RequireAsync(caller, clinicId, Need.Staff, ct);
        var patientTask = Ids.IsClinicId(clinicId) && Ids.IsGeneratedId(input.PatientId)
            ? data.PatientAsync(clinicId, input.PatientId!, ct)
            : Task.FromResult<Stored<Patient>?>(null);
        await Task.WhenAll(accessTask, patientTask);
        var stored = await accessTask;
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        var clinic = stored.Value.Value;
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(input.PatientId))
        {
            errors.Add("patientId", "patientId is required.");
        }
        var placed = Place(clinic, input.Start, errors);
        if (!placed.IsSuccess)
        {
            return placed.Problem!;
        }
        var patient = (await patientTask)?.Value;
        if (CheckPatient(patient) is { } refused)
        {
            return refused;
        }
        return new BookingRequest(clinic, patient!, placed.Value.Start, placed.Value.End);
    }

    public Task<Result<Session>> RescheduleAsync(Caller caller, string clinicId, string sessionId, RescheduleInput input, int? ifMatch, CancellationToken ct) =>
        updater.ChangeAsync(caller, clinicId, sessionId, ifMatch, "session.rescheduled", async (clinic, stored, commit) =>
        {
            var old = stored.Value;
            if (old.WhyNotMovable() is { } immovable)
            {
                return immovable;
            }
            var placed = Place(clinic, input.Start, new FieldErrors());
            if (!placed.IsSuccess)
            {
                return placed.Problem!;
            }
            var (start, end) = placed.Value;
            if (start.ToInstant() == old.StartUtc)
            {
                return old;
            }
            return await DecideMoveAsync(commit, clinic, old, start, end, ct);
        }, ct);

    /// <summary>The starts of a clinic-local day that booking accepts now, with their free chairs.</summary>
    public async Task<Result<Availability>> AvailabilityAsync(Caller caller, string clinicId, string? date, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        if (!ClinicTime.TryParseDate(date, out var day))
        {
            return Problem.Validation("date", "Give date=YYYY-MM-DD, a real calendar date between 1900 and 2199.");
        }
        var clinic = stored.Value.Value;
        return new Availability(clinic, day, await FreeSlotsAsync(clinic, day, day.PlusDays(1), ct));
    }

    /// <summary>The starts booking accepts now on the clinic-local days [from, toExclusive), with their free chairs, by start.</summary>
    public async Task<IReadOnlyList<FreeSlot>> FreeSlotsAsync(Clinic clinic, LocalDate from, LocalDate toExclusive, CancellationToken ct)
    {
        var now = time.Now();
        var starts = new List<(ZonedDateTime Start, ZonedDateTime End)>();
        for (var day = from; day < toExclusive; day = day.PlusDays(1))
        {
            starts.AddRange(BookingRules.GridStarts(clinic, day).Where(s => BookingRules.CheckStart(clinic, s.Start, s.End, now) is null));
        }
        var slots = new List<FreeSlot>();
        if (starts.Count > 0)
        {
            var chairs = await data.ChairsAsync(clinic, starts[0].Start.ToInstant(), starts.Max(s => s.End.ToInstant()), ct);
            foreach (var (start, end) in starts)
            {
                var free = chairs.FreeOver(BookingRules.Ticks(start.ToInstant(), end.ToInstant()));
                if (free > 0)
                {
                    slots.Add(new FreeSlot(start, end, free));
                }
            }
        }
        return slots;
    }

    /// <summary>
    /// Books a session for the patient at a placed start inside <paramref name="commit"/>: the rules of a start,
    /// a chair free at every tick (claims inserted), no other live session of the patient that day. A patient not
    /// yet REMS-enrolled is watched, so their sessions are flagged 2 days ahead.
    /// </summary>
    public async Task<Result<Session>> DecideBookAsync(ClinicCommit commit, Clinic clinic, Patient patient, ZonedDateTime start, ZonedDateTime end, CancellationToken ct)
    {
        var decided = await DecideNewSessionAsync(clinic, patient, start, end, commit.Now, commit.Actor, ct);
        if (decided.IsSuccess)
        {
            SessionWrites.Insert(commit, decided.Value);
            if (!patient.RemsEnrolled)
            {
                LotWrites.WatchEnrolment(commit, patient.Id);
            }
        }
        return decided;
    }

    /// <summary>The session booking would create now (its chairs chosen), or why not; writes nothing.</summary>
    public async Task<Result<Session>> DecideNewSessionAsync(Clinic clinic, Patient patient, ZonedDateTime start, ZonedDateTime end, Instant now, string actor,
        CancellationToken ct, string? sessionId = null)
    {
        if (CheckPatient(patient) is { } refused)
        {
            return refused;
        }
        if (BookingRules.CheckStart(clinic, start, end, now) is { } rule)
        {
            return rule;
        }
        sessionId ??= Ids.New();
        var chairsTask = data.ChairsAsync(clinic, start.ToInstant(), end.ToInstant(), ct);
        var dayClaimTask = data.PatientDayClaimAsync(clinic.Id, patient.Id, start.Date, ct);
        var assignment = (await chairsTask).Assign(BookingRules.Ticks(start.ToInstant(), end.ToInstant()), sessionId);
        if (assignment is null)
        {
            return CapacityFull();
        }
        if (await dayClaimTask is { } dayClaim)
        {
            return PatientConflict(dayClaim.Value.SessionId, start.Date);
        }
        return Session.Book(sessionId, clinic.Id, patient.Id, start, end, ClaimKeysOf(assignment), now, actor);
    }

    /// <summary>
    /// Moves a booked session to a placed start inside <paramref name="commit"/>: the same rules as booking, the
    /// chairs moved (claims inserted and freed), the patient's day claim moved. The caller writes the session.
    /// </summary>
    public async Task<Result<Session>> DecideMoveAsync(ClinicCommit commit, Clinic clinic, Session old, ZonedDateTime start, ZonedDateTime end, CancellationToken ct)
    {
        if (old.WhyNotMovable() is { } immovable)
        {
            return immovable;
        }
        if (CheckPatient((await data.PatientAsync(clinic.Id, old.PatientId, ct))?.Value) is { } refused)
        {
            return refused;
        }
        if (BookingRules.CheckStart(clinic, start, end, commit.Now) is { } rule)
        {
            return rule;
        }
        var chairs = await data.ChairsAsync(clinic, start.ToInstant(), end.ToInstant(), ct, moving: old);
        var assignment = chairs.Assign(BookingRules.Ticks(start.ToInstant(), end.ToInstant()), old.Id);
        if (assignment is null)
        {
            return CapacityFull();
        }
        if (start.Date != old.Date && await data.PatientDayClaimAsync(clinic.Id, old.PatientId, start.Date, ct) is { } other)
        {
            return PatientConflict(other.Value.SessionId, start.Date);
        }
        var claims = ClaimKeysOf(assignment);
        var released = old.Claims.Except(claims).ToList();
        var taken = claims.Except(old.Claims).ToList();
        foreach (var claim in taken)
        {
            commit.Insert(claim, new ChairClaim(old.Id));
        }
        if (commit.Count + released.Count + SessionChangeRows + CallerRows > IDocumentStore.MaxChangesPerCommit)
        {
            commit.ReleaseAfterCommit(old.Id, released); // a long session moved to another day: too many rows for one transaction
        }
        else
        {
            foreach (var claim in released)
            {
                commit.Delete(claim);
            }
        }
        if (start.Date != old.Date)
        {
            commit.Delete(Keys.PatientDayClaim(old.PatientId, old.Date));
            commit.Insert(Keys.PatientDayClaim(old.PatientId, start.Date), new PatientDayClaim(old.Id));
        }
        return old.MoveTo(start, end, claims, commit.Now, commit.Actor);
    }

    /// <summary>The session a requested start gives, or every field error found so far plus the start's own.</summary>
    private static Result<(ZonedDateTime Start, ZonedDateTime End)> Place(Clinic clinic, string? start, FieldErrors errors)
    {
        var local = SessionInputs.ParseStart(start, errors);
        return errors.Any ? errors.ToProblem() : BookingRules.Place(clinic, local, "start");
    }

    private static List<string> ClaimKeysOf(IReadOnlyDictionary<Instant, int> assignment) =>
        assignment.Select(a => Keys.ChairClaim(a.Key, a.Value)).ToList();

    public static Problem? CheckPatient(Patient? patient) => patient switch
    {
        null => Problem.Rule("unknown-patient", "Unknown patient.", "No patient with this id is registered at this clinic; register the patient first."),
        { Active: false } => Problem.Rule("inactive-patient", "The patient is inactive.", "Reactivate the patient (PATCH active: true) before booking."),
        _ => null, // REMS enrolment gates the dose, not the booking (it is often completed at the first visit)
    };

    private static Problem CapacityFull() => Problem.Conflict("capacity", "Every monitoring chair is taken.",
        "At some minute of this session every chair is booked; pick another start from GET .../availability.");

    private static Problem PatientConflict(string sessionId, LocalDate date) => Problem.Conflict("patient-conflict",
        "The patient already has a session that day.",
        $"Session {sessionId} is booked for this patient on {ClinicTime.FormatDate(date)}; reschedule or cancel it instead.");
}
