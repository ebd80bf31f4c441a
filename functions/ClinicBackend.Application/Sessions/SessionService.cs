using ClinicBackend.Application.Access;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;
using NodaTime.Text;

namespace ClinicBackend.Application.Sessions;

/// <summary>Booking, availability and the life of a treatment session.</summary>
public sealed class SessionService(ClinicData data, ClinicAccess access, TimeProvider time, ISessionObserver observer)
{
    private IDocumentStore Store => data.Store;

    public Task<Result<Outcome>> BookAsync(Caller caller, string clinicId, BookInput input, CancellationToken ct) =>
        Concurrency.RetryOnConflictAsync<Outcome>(async _ =>
        {
            var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
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
            var local = ParseStart(input.Start, errors);
            if (errors.Any)
            {
                return errors.ToProblem();
            }
            var placed = BookingRules.Place(clinic, local, "start");
            if (!placed.IsSuccess)
            {
                return placed.Problem!;
            }
            var (start, end) = placed.Value;
            var patient = Ids.IsGeneratedId(input.PatientId) ? await data.PatientAsync(clinicId, input.PatientId!, ct) : null;
            if (CheckPatient(patient?.Value) is { } refused)
            {
                return refused;
            }
            var now = time.Now();
            if (BookingRules.CheckStart(clinic, start, end, now) is { } rule)
            {
                return rule;
            }
            var sessionId = Ids.New();
            var ticks = BookingRules.Ticks(start.ToInstant(), end.ToInstant()).ToList();
            var chairsTask = LoadChairsAsync(clinic, start.ToInstant(), end.ToInstant(), ct);
            var dayClaimTask = data.PatientDayClaimAsync(clinicId, patient!.Value.Id, start.Date, ct);
            var assignment = (await chairsTask).Assign(ticks, sessionId);
            if (assignment is null)
            {
                return CapacityFull();
            }
            if (await dayClaimTask is { } dayClaim)
            {
                return PatientConflict(dayClaim.Value.SessionId, start.Date);
            }
            var session = new Session
            {
                Id = sessionId,
                ClinicId = clinicId,
                PatientId = patient.Value.Id,
                Start = start.LocalDateTime,
                StartUtc = start.ToInstant(),
                End = end.LocalDateTime,
                EndUtc = end.ToInstant(),
                Claims = assignment.Select(a => Keys.ChairClaim(a.Key, a.Value)).ToList(),
                History = [new SessionChange(now, caller.ObjectId, "booked", ClinicTime.FormatMinute(start.LocalDateTime))],
            };
            var commit = new ClinicCommit(clinicId, caller.ObjectId, now);
            SessionWrites.Insert(commit, session);
            foreach (var claim in session.Claims)
            {
                commit.Insert(claim, new ChairClaim(sessionId));
            }
            commit.Insert(Keys.PatientDayClaim(session.PatientId, session.Date), new PatientDayClaim(sessionId));
            await commit.CommitAsync(Store, ct);
            await observer.SessionsChangedAsync(clinic, [session], commit.Events, ct);
            return Outcome.Created(Views.Session(session), $"clinics/{clinicId}/sessions/{sessionId}", session.Version);
        }, Concurrency.Busy);

    public async Task<Result<Outcome>> GetAsync(Caller caller, string clinicId, string sessionId, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        var session = Ids.IsGeneratedId(sessionId) ? await data.SessionAsync(clinicId, sessionId, ct) : null;
        return session is null ? Problem.NotFound("session") : Outcome.Ok(Views.Session(session.Value), session.Value.Version);
    }

    public async Task<Result<Outcome>> ListAsync(Caller caller, string clinicId, string? date, string? patientId, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        if ((date is null) == (patientId is null))
        {
            return Problem.Validation("query", "Give either date=YYYY-MM-DD (the day's sessions) or patientId=... (a patient's sessions).");
        }
        IReadOnlyList<Session> sessions;
        if (date is not null)
        {
            if (!ClinicTime.TryParseDate(date, out var day))
            {
                return Problem.Validation("date", "Give a real calendar date as YYYY-MM-DD.");
            }
            sessions = await data.SessionsOnDaysAsync(clinicId, day, day.PlusDays(1), ct);
        }
        else
        {
            if (!Ids.IsGeneratedId(patientId) || await data.PatientAsync(clinicId, patientId!, ct) is null)
            {
                return Problem.NotFound("patient");
            }
            sessions = await data.PatientSessionsAsync(clinicId, patientId!, ct);
        }
        return Outcome.Ok(new { sessions = sessions.OrderBy(s => s.StartUtc).Select(Views.Session) });
    }

    public async Task<Result<Outcome>> AvailabilityAsync(Caller caller, string clinicId, string? date, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        if (!ClinicTime.TryParseDate(date, out var day))
        {
            return Problem.Validation("date", "Give date=YYYY-MM-DD, a real calendar date.");
        }
        var clinic = stored.Value.Value;
        var now = time.Now();
        var starts = BookingRules.GridStarts(clinic, day).Where(s => BookingRules.CheckStart(clinic, s.Start, s.End, now) is null).ToList();
        var slots = new List<object>();
        if (starts.Count > 0)
        {
            var chairs = await LoadChairsAsync(clinic, starts[0].Start.ToInstant(), starts[^1].End.ToInstant(), ct);
            foreach (var (start, end) in starts)
            {
                var free = chairs.FreeOver(BookingRules.Ticks(start.ToInstant(), end.ToInstant()));
                if (free > 0)
                {
                    slots.Add(new
                    {
                        start = ClinicTime.FormatMinute(start.LocalDateTime),
                        startUtc = ClinicTime.FormatUtc(start.ToInstant()),
                        end = ClinicTime.FormatMinute(end.LocalDateTime),
                        endUtc = ClinicTime.FormatUtc(end.ToInstant()),
                        freeChairs = free,
                    });
                }
            }
        }
        return Outcome.Ok(new
        {
            date = ClinicTime.FormatDate(day),
            timeZone = clinic.TimeZone,
            chairs = clinic.Chairs,
            sessionMinutes = clinic.SessionMinutes,
            slotMinutes = clinic.SlotMinutes,
            slots,
        });
    }

    public Task<Result<Outcome>> RescheduleAsync(Caller caller, string clinicId, string sessionId, RescheduleInput input, int? ifMatch, CancellationToken ct) =>
        ChangeAsync(caller, clinicId, sessionId, ifMatch, "session.rescheduled", async (clinic, stored, commit) =>
        {
            var old = stored.Value;
            if (old.Status != SessionStatus.Booked)
            {
                return InvalidTransition(old, "rescheduled");
            }
            var errors = new FieldErrors();
            var local = ParseStart(input.Start, errors);
            if (errors.Any)
            {
                return errors.ToProblem();
            }
            var placed = BookingRules.Place(clinic, local, "start");
            if (!placed.IsSuccess)
            {
                return placed.Problem!;
            }
            var (start, end) = placed.Value;
            if (start.ToInstant() == old.StartUtc)
            {
                return old;
            }
            var patient = await data.PatientAsync(clinic.Id, old.PatientId, ct);
            if (CheckPatient(patient?.Value) is { } refused)
            {
                return refused;
            }
            if (BookingRules.CheckStart(clinic, start, end, commit.Now) is { } rule)
            {
                return rule;
            }
            var chairs = await LoadChairsAsync(clinic, start.ToInstant(), end.ToInstant(), ct);
            var assignment = chairs.Assign(BookingRules.Ticks(start.ToInstant(), end.ToInstant()), old.Id);
            if (assignment is null)
            {
                return CapacityFull();
            }
            var claims = assignment.Select(a => Keys.ChairClaim(a.Key, a.Value)).ToList();
            foreach (var released in old.Claims.Except(claims))
            {
                commit.Delete(released);
            }
            foreach (var taken in claims.Except(old.Claims))
            {
                commit.Insert(taken, new ChairClaim(old.Id));
            }
            if (start.Date != old.Date)
            {
                if (await data.PatientDayClaimAsync(clinic.Id, old.PatientId, start.Date, ct) is { } other)
                {
                    return PatientConflict(other.Value.SessionId, start.Date);
                }
                commit.Delete(Keys.PatientDayClaim(old.PatientId, old.Date));
                commit.Insert(Keys.PatientDayClaim(old.PatientId, start.Date), new PatientDayClaim(old.Id));
            }
            return old with
            {
                Start = start.LocalDateTime,
                StartUtc = start.ToInstant(),
                End = end.LocalDateTime,
                EndUtc = end.ToInstant(),
                Confirmation = Confirmation.NeedsAction,
                Claims = claims,
                Version = old.Version + 1,
                ScheduleVersion = old.ScheduleVersion + 1,
                History = [.. old.History, new SessionChange(commit.Now, caller.ObjectId, "rescheduled",
                    $"{ClinicTime.FormatMinute(old.Start)} -> {ClinicTime.FormatMinute(start.LocalDateTime)}")],
            };
        }, ct);

    public Task<Result<Outcome>> CancelAsync(Caller caller, string clinicId, string sessionId, CancelInput input, int? ifMatch, CancellationToken ct) =>
        ChangeAsync(caller, clinicId, sessionId, ifMatch, "session.cancelled", (clinic, stored, commit) =>
        {
            var old = stored.Value;
            if (input.Reason is { Length: > 500 })
            {
                return Task.FromResult<Result<Session>>(Problem.Validation("reason", "reason is at most 500 characters."));
            }
            if (old.Status is not (SessionStatus.Booked or SessionStatus.Arrived))
            {
                return Task.FromResult<Result<Session>>(InvalidTransition(old, "cancelled"));
            }
            ReleaseClaims(commit, old);
            return Task.FromResult<Result<Session>>(old with
            {
                Status = SessionStatus.Cancelled,
                CancelReason = input.Reason,
                Version = old.Version + 1,
                History = [.. old.History, new SessionChange(commit.Now, caller.ObjectId, "cancelled", input.Reason)],
            });
        }, ct);

    public Task<Result<Outcome>> CheckInAsync(Caller caller, string clinicId, string sessionId, int? ifMatch, CancellationToken ct) =>
        ChangeAsync(caller, clinicId, sessionId, ifMatch, "session.checked-in", (clinic, stored, commit) =>
        {
            var old = stored.Value;
            if (old.Status != SessionStatus.Booked)
            {
                return Task.FromResult<Result<Session>>(InvalidTransition(old, "checked in"));
            }
            if (commit.Now.InZone(clinic.Zone).Date != old.Date)
            {
                return Task.FromResult<Result<Session>>(Problem.Rule("not-today", "The session is not today.",
                    $"Check a patient in on the day of the session ({ClinicTime.FormatDate(old.Date)})."));
            }
            return Task.FromResult<Result<Session>>(old with
            {
                Status = SessionStatus.Arrived,
                CheckedInAt = commit.Now,
                Version = old.Version + 1,
                History = [.. old.History, new SessionChange(commit.Now, caller.ObjectId, "checked-in", null)],
            });
        }, ct);

    public Task<Result<Outcome>> CompleteAsync(Caller caller, string clinicId, string sessionId, CompleteInput input, int? ifMatch, CancellationToken ct) =>
        ChangeAsync(caller, clinicId, sessionId, ifMatch, "session.completed", async (clinic, stored, commit) =>
        {
            var old = stored.Value;
            var monitoring = SessionInputs.ToMonitoring(input);
            if (!monitoring.IsSuccess)
            {
                return monitoring.Problem!;
            }
            if (old.Status != SessionStatus.Arrived)
            {
                return InvalidTransition(old, "completed");
            }
            var earliest = old.CheckedInAt!.Value + Duration.FromMinutes(SessionInputs.MinMonitoringMinutes);
            if (commit.Now < earliest)
            {
                return Problem.Rule("monitoring-not-over", "Monitoring is not over yet.",
                    $"The patient checked in at {ClinicTime.FormatUtc(old.CheckedInAt.Value)}; complete the session after at least {SessionInputs.MinMonitoringMinutes} minutes of monitoring (from {ClinicTime.FormatUtc(earliest)}).");
            }
            var done = old with
            {
                Status = SessionStatus.Fulfilled,
                CompletedAt = commit.Now,
                Monitoring = monitoring.Value,
                Version = old.Version + 1,
                History = [.. old.History, new SessionChange(commit.Now, caller.ObjectId, "completed", $"{monitoring.Value.DoseMg} mg")],
            };
            await observer.OnCompletedAsync(commit, done, ct);
            return done;
        }, ct);

    public Task<Result<Outcome>> FileRemsFormAsync(Caller caller, string clinicId, string sessionId, RemsFormInput input, int? ifMatch, CancellationToken ct) =>
        ChangeAsync(caller, clinicId, sessionId, ifMatch, "session.rems-form-filed", async (clinic, stored, commit) =>
        {
            var old = stored.Value;
            if (!TryParseInstant(input.SubmittedAt, clinic, out var submittedAt))
            {
                return Problem.Validation("submittedAt", "Give when the form was filed: ISO 8601 with an offset (2026-12-03T10:15:00Z) or clinic-local YYYY-MM-DDTHH:mm.");
            }
            if (old.Status != SessionStatus.Fulfilled)
            {
                return Problem.Conflict("invalid-transition", "The session is not completed.",
                    $"The monitoring form is filed for a completed session; this one is {Views.Kebab(old.Status)}.");
            }
            if (old.RemsFormSubmittedAt is not null)
            {
                return Problem.Conflict("already-filed", "The monitoring form is already recorded.",
                    $"It was filed at {ClinicTime.FormatUtc(old.RemsFormSubmittedAt.Value)}.");
            }
            if (submittedAt < old.StartUtc || submittedAt > commit.Now + Duration.FromMinutes(5))
            {
                return Problem.Rule("implausible-filing-time", "The filing time is not plausible.",
                    "submittedAt must lie between the session's start and now.");
            }
            var filed = old with
            {
                RemsFormSubmittedAt = submittedAt,
                Version = old.Version + 1,
                History = [.. old.History, new SessionChange(commit.Now, caller.ObjectId, "rems-form-filed", ClinicTime.FormatUtc(submittedAt))],
            };
            await observer.OnRemsFormFiledAsync(commit, filed, ct);
            return filed;
        }, ct);

    /// <summary>Loads a session, checks access and version, lets <paramref name="decide"/> change it, and commits.</summary>
    private Task<Result<Outcome>> ChangeAsync(
        Caller caller, string clinicId, string sessionId, int? ifMatch, string action,
        Func<Clinic, Stored<Session>, ClinicCommit, Task<Result<Session>>> decide, CancellationToken ct) =>
        Concurrency.RetryOnConflictAsync<Outcome>(async _ =>
        {
            var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
            if (!stored.IsSuccess)
            {
                return stored.Problem!;
            }
            var clinic = stored.Value.Value;
            var session = Ids.IsGeneratedId(sessionId) ? await data.SessionAsync(clinicId, sessionId, ct) : null;
            if (session is null)
            {
                return Problem.NotFound("session");
            }
            if (Concurrency.CheckIfMatch(ifMatch, session.Value.Version) is { } stale)
            {
                return stale;
            }
            var commit = new ClinicCommit(clinicId, caller.ObjectId, time.Now());
            var decided = await decide(clinic, session, commit);
            if (!decided.IsSuccess)
            {
                return decided.Problem!;
            }
            var after = decided.Value;
            if (after.Version == session.Value.Version)
            {
                return Outcome.Ok(Views.Session(after), after.Version);
            }
            SessionWrites.Apply(commit, session, after, action);
            await commit.CommitAsync(Store, ct);
            await observer.SessionsChangedAsync(clinic, [after], commit.Events, ct);
            return Outcome.Ok(Views.Session(after), after.Version);
        }, Concurrency.Busy);

    /// <summary>Frees the chairs and the patient's day of a session that will not take place.</summary>
    public static void ReleaseClaims(ClinicCommit commit, Session session)
    {
        foreach (var claim in session.Claims)
        {
            commit.Delete(claim);
        }
        commit.Delete(Keys.PatientDayClaim(session.PatientId, session.Date));
    }

    private async Task<ChairMap> LoadChairsAsync(Clinic clinic, Instant from, Instant to, CancellationToken ct)
    {
        var map = new ChairMap(clinic.Chairs);
        foreach (var claim in await data.ChairClaimsAsync(clinic.Id, from, to, ct))
        {
            if (ClaimKeys.TryParseChair(claim.Key, out var tick, out var k))
            {
                map.Add(tick, k, claim.Value.SessionId);
            }
        }
        return map;
    }

    private static LocalDateTime ParseStart(string? text, FieldErrors errors)
    {
        if (text is null)
        {
            errors.Add("start", "start is required: the clinic-local start as YYYY-MM-DDTHH:mm.");
            return default;
        }
        if (!ClinicTime.TryParseMinute(text, out var local))
        {
            errors.Add("start", "Give a real clinic-local time as YYYY-MM-DDTHH:mm (no seconds, no offset).");
        }
        return local;
    }

    private static Problem? CheckPatient(Patient? patient) => patient switch
    {
        null => Problem.Rule("unknown-patient", "Unknown patient.", "No patient with this id is registered at this clinic; register the patient first."),
        { Active: false } => Problem.Rule("inactive-patient", "The patient is inactive.", "Reactivate the patient (PATCH active: true) before booking."),
        { RemsEnrolled: false } => Problem.Rule("not-rems-enrolled", "The patient is not enrolled in REMS.",
            "Enrol the patient in the REMS programme before the first treatment, then set remsEnrolled: true."),
        _ => null,
    };

    private static Problem CapacityFull() => Problem.Conflict("capacity", "Every monitoring chair is taken.",
        "At some minute of this session every chair is booked; pick another start from GET .../availability.");

    private static Problem PatientConflict(string sessionId, LocalDate date) => Problem.Conflict("patient-conflict",
        "The patient already has a session that day.",
        $"Session {sessionId} is booked for this patient on {ClinicTime.FormatDate(date)}; reschedule or cancel it instead.");

    private static Problem InvalidTransition(Session session, string what) => Problem.Conflict("invalid-transition",
        "The session cannot change that way.", $"A {Views.Kebab(session.Status)} session cannot be {what}.");

    private static bool TryParseInstant(string? text, Clinic clinic, out Instant value)
    {
        value = default;
        if (text is null)
        {
            return false;
        }
        var offset = OffsetDateTimePattern.ExtendedIso.Parse(text);
        if (offset.Success)
        {
            value = offset.Value.ToInstant();
            return true;
        }
        if (ClinicTime.TryParseMinute(text, out var local))
        {
            value = ClinicTime.ResolveLenient(local, clinic.Zone).ToInstant();
            return true;
        }
        return false;
    }
}

/// <summary>What else happens around session changes: reminders, events, flags. Implemented by the messaging side.</summary>
public interface ISessionObserver
{
    /// <summary>After a commit: plan reminders for the changed sessions and publish the events now (best effort).</summary>
    Task SessionsChangedAsync(Clinic clinic, IReadOnlyList<Session> sessions, IReadOnlyList<ClinicEvent> events, CancellationToken ct);

    /// <summary>Inside the completing commit (the cadence and monitoring-form watches).</summary>
    Task OnCompletedAsync(ClinicCommit commit, Session fulfilled, CancellationToken ct);

    /// <summary>Inside the filing commit (resolve the form-due flag).</summary>
    Task OnRemsFormFiledAsync(ClinicCommit commit, Session filed, CancellationToken ct);
}
