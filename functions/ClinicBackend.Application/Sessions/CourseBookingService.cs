using ClinicBackend.Application.Access;
using ClinicBackend.Application.Payment;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Payment;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Sessions;

/// <summary>The body of POST .../patients/{patientId}/course-bookings.</summary>
public sealed class CourseBookingInput
{
    public string? From { get; set; }
    public List<string>? Weekdays { get; set; }
    public string? Time { get; set; }
    public int? Count { get; set; }
    public string? Mode { get; set; }
}

/// <summary>A booked start that no authorization covers: <c>authorization-exhausted</c> or <c>authorization-expired</c>.</summary>
public sealed record CourseWarning(LocalDateTime Start, string Reason);

/// <summary>The warnings of a course booking, as its audit record keeps them.</summary>
public sealed record CourseWarnings(string CourseId, IReadOnlyList<CourseWarning> Warnings);

/// <summary>What a course booking booked, the starts it could not book, and the booked starts past the patient's authorization.</summary>
public sealed record CourseBookingOutcome(IReadOnlyList<Session> Sessions, IReadOnlyList<CourseConflict> Conflicts, IReadOnlyList<CourseWarning> Warnings)
{
    /// <summary>Nothing was booked (all-or-nothing with a conflict, or no start fitted).</summary>
    public bool BookedNothing => Sessions.Count == 0;
}

/// <summary>
/// Books a run of sessions for a patient in one request: each start is decided as a single booking would be
/// and held (claims only); then every hold is confirmed, or in all-or-nothing mode with a conflict, released.
/// Concurrent single bookings race on the same claim rows, so nothing is ever overbooked.
/// </summary>
public sealed class CourseBookingService(ClinicData data, ClinicAccess access, BookingService booking, CourseHolds holds, ReadinessReader readiness, TimeProvider time)
{
    private static readonly string[] Modes = ["best-effort", "all-or-nothing"];

    public async Task<Result<CourseBookingOutcome>> BookAsync(Caller caller, string clinicId, string patientId, CourseBookingInput input, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        var clinic = stored.Value.Value;
        var now = time.Now();
        var plan = Validate(input, now.InZone(clinic.Zone).Date);
        if (!plan.IsSuccess)
        {
            return plan.Problem!;
        }
        var patient = Ids.IsGeneratedId(patientId) ? await data.PatientAsync(clinicId, patientId, ct) : null;
        if (patient is null)
        {
            return Problem.NotFound("patient");
        }
        if (BookingService.CheckPatient(patient.Value) is { } refused)
        {
            return refused;
        }
        if (!patient.Value.RemsEnrolled)
        {
            // Before anything is held: a watch without sessions ends at the sweep's next look.
            var watch = new ClinicCommit(clinicId, caller.ObjectId, now);
            LotWrites.WatchEnrolment(watch, patientId);
            await data.CommitAsync(watch, ct);
        }
        var (starts, mode) = plan.Value;
        var course = new CourseBooking
        {
            Id = CourseBooking.NewId(),
            PatientId = patientId,
            Mode = mode,
            CreatedAt = now,
            ExpiresAt = now + CourseHolds.ReservationTime,
            Actor = caller.ObjectId,
        };
        await holds.OpenAsync(course, clinicId, ct);
        var held = new List<Session>();
        var conflicts = new List<CourseConflict>();
        foreach (var start in starts)
        {
            var outcome = await HoldAsync(clinic, patient.Value, course, start, caller.ObjectId, now, ct);
            if (outcome is null)
            {
                return await ExpiredAsync(clinicId, course.Id, ct);
            }
            if (outcome.Value.Session is { } session)
            {
                held.Add(session);
            }
            else
            {
                conflicts.Add(new CourseConflict(start, outcome.Value.Reason!, await AlternativesAsync(clinic, patient.Value.Id, start, now, ct)));
            }
        }
        if (held.Count == 0 || (mode == CourseBookingMode.AllOrNothing && conflicts.Count > 0))
        {
            await holds.RollBackAsync(clinicId, course.Id, ct);
            return new CourseBookingOutcome([], conflicts, []);
        }
        if (!await holds.StartConfirmingAsync(clinicId, course.Id, ct))
        {
            return await ExpiredAsync(clinicId, course.Id, ct);
        }
        await holds.ConfirmAsync(clinic, course.Id, ct);
        return new CourseBookingOutcome(held, conflicts, await WarnAsync(clinicId, patientId, course.Id, held, caller.ObjectId, ct));
    }

    /// <summary>
    /// The booked starts that the patient's authorizations do not cover (exhausted or expired), counted with the new
    /// sessions in place. Booking is never refused for coverage (a clinician decides); the warnings go in the audit.
    /// </summary>
    private async Task<IReadOnlyList<CourseWarning>> WarnAsync(string clinicId, string patientId, string courseId, IReadOnlyList<Session> booked, string actor, CancellationToken ct)
    {
        var state = await readiness.PatientAsync(clinicId, patientId, ct);
        if (state.Coverage is null)
        {
            return [];
        }
        var warnings = booked.OrderBy(s => s.StartUtc)
            .Select(s => (s.Start, Status: state.Ledger.StatusOf(s)))
            .Where(w => w.Status is AuthorizationReadiness.Exhausted or AuthorizationReadiness.Expired)
            .Select(w => new CourseWarning(w.Start, $"authorization-{Names.Kebab(w.Status)}"))
            .ToList();
        if (warnings.Count > 0)
        {
            var commit = new ClinicCommit(clinicId, actor, time.Now());
            commit.Audit("course.coverage-warnings", "patient", patientId, null, new CourseWarnings(courseId, warnings));
            await data.CommitAsync(commit, ct);
        }
        return warnings;
    }

    /// <summary>Decides and holds one start; the held session, or why not; null when the booking expired meanwhile.</summary>
    private Task<(Session? Session, string? Reason)?> HoldAsync(Clinic clinic, Patient patient, CourseBooking course, LocalDateTime start, string actor, Instant now, CancellationToken ct) =>
        Concurrency.RetryAsync<(Session?, string?)?>(async () =>
        {
            var placed = BookingRules.Place(clinic, start, "start");
            if (!placed.IsSuccess)
            {
                return (null, placed.Problem!.Code);
            }
            var decided = await booking.DecideNewSessionAsync(clinic, patient, placed.Value.Start, placed.Value.End, now, actor, ct);
            if (!decided.IsSuccess)
            {
                return (null, decided.Problem!.Code);
            }
            return await holds.HoldAsync(clinic.Id, course.Id, decided.Value, ct) ? (decided.Value, null) : null;
        }, () => (null, Concurrency.Busy.Code));

    /// <summary>Free starts near a refused one (that day, then the next), on days the patient has nothing booked.</summary>
    private async Task<IReadOnlyList<LocalDateTime>> AlternativesAsync(Clinic clinic, string patientId, LocalDateTime wanted, Instant now, CancellationToken ct)
    {
        LocalDate[] days = [wanted.Date, wanted.Date.PlusDays(1)];
        var claims = await Task.WhenAll(days.Select(day => data.PatientDayClaimAsync(clinic.Id, patientId, day, ct)));
        var open = days.Where((_, i) => claims[i] is null).ToList();
        var grid = open.SelectMany(d => BookingRules.GridStarts(clinic, d)).Where(s => BookingRules.CheckStart(clinic, s.Start, s.End, now) is null).ToList();
        if (grid.Count == 0)
        {
            return [];
        }
        var chairs = await data.ChairsAsync(clinic, grid[0].Start.ToInstant(), grid.Max(s => s.End.ToInstant()), ct);
        var free = grid.Where(s => chairs.FreeOver(BookingRules.Ticks(s.Start.ToInstant(), s.End.ToInstant())) > 0).Select(s => s.Start.LocalDateTime);
        return CoursePlan.Nearest(wanted, free);
    }

    /// <summary>The scheduled run took the booking over (the request ran past its time): nothing of it stays booked.</summary>
    private async Task<Result<CourseBookingOutcome>> ExpiredAsync(string clinicId, string courseId, CancellationToken ct)
    {
        await holds.RollBackAsync(clinicId, courseId, ct);
        return Problem.Conflict("course-booking-expired", "The course booking took too long.",
            "Nothing of this course was booked; send the request again.");
    }

    private static Result<(IReadOnlyList<LocalDateTime> Starts, CourseBookingMode Mode)> Validate(CourseBookingInput input, LocalDate today)
    {
        var errors = new FieldErrors();
        if (!ClinicTime.TryParseDate(input.From, out var from))
        {
            errors.Add("from", "Give the first date as YYYY-MM-DD.");
        }
        else if (from < today)
        {
            errors.Add("from", $"from must not be in the past (today is {ClinicTime.FormatDate(today)}).");
        }
        var weekdays = new HashSet<IsoDayOfWeek>();
        if (input.Weekdays is not { Count: > 0 and <= 7 })
        {
            errors.Add("weekdays", "Give one to seven weekdays: mon, tue, wed, thu, fri, sat, sun.");
        }
        else
        {
            foreach (var name in input.Weekdays)
            {
                if (DayNames.Parse(name) is { } day)
                {
                    weekdays.Add(day);
                }
                else
                {
                    errors.Add("weekdays", $"Unknown weekday; use mon, tue, wed, thu, fri, sat or sun.");
                }
            }
        }
        if (!ClinicTime.TryParseHourMinute(input.Time, out var at))
        {
            errors.Add("time", "Give the start time as HH:mm (clinic time).");
        }
        if (input.Count is not (>= 1 and <= CoursePlan.MaxCount))
        {
            errors.Add("count", $"count must be between 1 and {CoursePlan.MaxCount}.");
        }
        var mode = input.Mode ?? Modes[0];
        if (!Modes.Contains(mode))
        {
            errors.Add("mode", "mode must be best-effort or all-or-nothing.");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var starts = CoursePlan.Starts(from, weekdays, at, input.Count!.Value);
        if (!ClinicTime.IsWithinCalendar(starts[^1].Date))
        {
            return Problem.Validation("from", "The course must end before 2200.");
        }
        return (starts, mode == Modes[0] ? CourseBookingMode.BestEffort : CourseBookingMode.AllOrNothing);
    }
}
