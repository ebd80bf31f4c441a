using ClinicBackend.Application.Access;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Forms;
using ClinicBackend.Domain.Monitoring;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Sessions;

/// <summary>Reading sessions and the changes of their day: cancel, check in, dose, observe, complete, file the monitoring form.</summary>
public sealed class SessionService(ClinicData data, ClinicAccess access, SessionUpdater updater, ISessionObserver observer, PatientReads reads, TimeProvider time)
{
    public async Task<Result<Session>> GetAsync(Caller caller, string clinicId, string sessionId, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        var session = Ids.IsGeneratedId(sessionId) ? await data.SessionAsync(clinicId, sessionId, ct) : null;
        if (session is null)
        {
            return Problem.NotFound("session");
        }
        reads.Record(clinicId, caller.ObjectId, session.Value.PatientId, "sessions", time.Now());
        return session.Value;
    }

    /// <summary>A clinic-local day's sessions, or a patient's; by start.</summary>
    public async Task<Result<IReadOnlyList<Session>>> ListAsync(Caller caller, string clinicId, string? date, string? patientId, CancellationToken ct)
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
                return Problem.Validation("date", "Give a real calendar date as YYYY-MM-DD, between 1900 and 2199.");
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
        reads.Record(clinicId, caller.ObjectId, sessions.Select(s => s.PatientId), "sessions", time.Now());
        return sessions.OrderBy(s => s.StartUtc).ToList();
    }

    /// <summary>
    /// Sessions by start in [from, to): a patient's (either bound may be left open), or the clinic's over at most
    /// <see cref="StartSearch.MaxDays"/> clinic-local days. An unknown patient has none.
    /// </summary>
    public async Task<Result<IReadOnlyList<Session>>> SearchAsync(Caller caller, string clinicId, Instant? from, Instant? to, string? patientId, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        var zone = stored.Value.Value.Zone;
        IReadOnlyList<Session> sessions;
        if (patientId is not null)
        {
            sessions = Ids.IsGeneratedId(patientId) ? await data.PatientSessionsAsync(clinicId, patientId, ct, from?.InZone(zone).Date) : [];
        }
        else if (from is { } start && to is { } end && end > start)
        {
            var (firstDay, lastDay) = (start.InZone(zone).Date, (end - Duration.Epsilon).InZone(zone).Date);
            if (Period.Between(firstDay, lastDay, PeriodUnits.Days).Days >= StartSearch.MaxDays)
            {
                return Problem.Validation("date", $"Without a patient, a search spans at most {StartSearch.MaxDays} days; ask for a shorter range.");
            }
            sessions = await data.SessionsOnDaysAsync(clinicId, firstDay, lastDay.PlusDays(1), ct);
        }
        else
        {
            return Problem.Validation("date", "Give a patient, or a range of at most 31 days (both a lower and an upper bound).");
        }
        var found = sessions.Where(s => (from is null || s.StartUtc >= from) && (to is null || s.StartUtc < to)).OrderBy(s => s.StartUtc).ToList();
        reads.Record(clinicId, caller.ObjectId, found.Select(s => s.PatientId), "sessions", time.Now());
        return found;
    }

    public Task<Result<Session>> CancelAsync(Caller caller, string clinicId, string sessionId, CancelInput input, int? ifMatch, CancellationToken ct) =>
        updater.ChangeAsync(caller, clinicId, sessionId, ifMatch, "session.cancelled", (_, stored, commit) =>
        {
            if (input.Reason is not null && !PlainText.IsValid(input.Reason, 500, multiline: true))
            {
                return Task.FromResult<Result<Session>>(Problem.Validation("reason", "reason, when given, is 1 to 500 printable characters (line breaks allowed)."));
            }
            var cancelled = stored.Value.Cancel(input.Reason, commit.Now, commit.Actor);
            if (cancelled.IsSuccess)
            {
                SessionWrites.ReleaseClaims(commit, stored.Value);
            }
            return Task.FromResult(cancelled);
        }, ct);

    /// <summary>Staff confirmed by phone that someone drives the patient home: no ride-unconfirmed flag for this session.</summary>
    public Task<Result<Session>> ConfirmRideAsync(Caller caller, string clinicId, string sessionId, RideInput input, int? ifMatch, CancellationToken ct) =>
        updater.ChangeAsync(caller, clinicId, sessionId, ifMatch, "session.ride-confirmed", (_, stored, commit) =>
            Task.FromResult(!PlainText.IsValid(input.ConfirmedBy, 200)
                ? Problem.Validation("confirmedBy", "Say who confirmed the ride home and how, 1 to 200 printable characters.")
                : stored.Value.ConfirmRide(input.ConfirmedBy!.Trim(), commit.Now, commit.Actor)), ct);

    public Task<Result<Session>> CheckInAsync(Caller caller, string clinicId, string sessionId, int? ifMatch, CancellationToken ct) =>
        updater.ChangeAsync(caller, clinicId, sessionId, ifMatch, "session.checked-in", (clinic, stored, commit) =>
            Task.FromResult(stored.Value.CheckIn(commit.Now, commit.Now.InZone(clinic.Zone).Date, commit.Actor)), ct);

    /// <summary>
    /// Records the dose of an arrived session. The patient must be REMS-enrolled. Where the clinic counts its drug, the
    /// devices are taken from their lots in the same unit of work (each lot replaced under its ETag, with its log line).
    /// </summary>
    public Task<Result<Session>> DoseAsync(Caller caller, string clinicId, string sessionId, DoseInput input, int? ifMatch, CancellationToken ct) =>
        updater.ChangeAsync(caller, clinicId, sessionId, ifMatch, "session.dosed", async (clinic, stored, commit) =>
        {
            var dose = MonitoringInputs.ToDose(input, clinic, commit.Now);
            if (!dose.IsSuccess)
            {
                return dose.Problem!;
            }
            var session = stored.Value;
            var patient = await data.PatientAsync(clinicId, session.PatientId, ct);
            var doseDay = dose.Value.At.InZone(clinic.Zone).Date;
            var dosed = session.RecordDose(dose.Value, doseDay, patient?.Value.RemsEnrolled == true, commit.Now, commit.Actor);
            if (!dosed.IsSuccess || clinic.Inventory != InventoryMode.Tracked)
            {
                return dosed;
            }
            foreach (var use in dose.Value.Devices)
            {
                var lot = await data.LotAsync(clinicId, use.Lot, ct);
                if (lot is null)
                {
                    return Problem.Rule("unknown-lot", "The clinic has no such lot.",
                        $"Lot {use.Lot} was never received here: check the number on the carton, or receive the lot first (POST .../inventory/lots).");
                }
                var taken = lot.Value.Take(use.Count, session.Id, session.PatientId, doseDay, dose.Value.At, commit.Now, commit.Actor);
                if (!taken.IsSuccess)
                {
                    return taken.Problem!;
                }
                LotWrites.Write(commit, lot, taken.Value);
            }
            return dosed;
        }, ct);

    /// <summary>One observation during monitoring; past the clinic's thresholds it raises an urgent vital-signs flag in the same unit of work.</summary>
    public async Task<Result<(Session Session, Observation Observation)>> ObserveAsync(Caller caller, string clinicId, string sessionId, ObservationInput input,
        int? ifMatch, CancellationToken ct)
    {
        Observation? added = null;
        var observed = await updater.ChangeAsync(caller, clinicId, sessionId, ifMatch, "session.observed", async (clinic, stored, commit) =>
        {
            var observation = MonitoringInputs.ToObservation(input, clinic, commit.Now, commit.Actor);
            if (!observation.IsSuccess)
            {
                return observation.Problem!;
            }
            var session = stored.Value.Observe(observation.Value, clinic.Monitoring, commit.Now, commit.Actor);
            if (session.IsSuccess)
            {
                added = session.Value.Observations.Single(o => o.Number == session.Value.Observations.Count);
                await observer.OnObservedAsync(commit, clinic, session.Value, added, ct);
            }
            return session;
        }, ct);
        return observed.IsSuccess ? (observed.Value, added!) : observed.Problem!;
    }

    /// <summary>Discharge: two hours after the dose at the earliest, and only while the latest observation shows no sedation, dissociation or respiratory depression.</summary>
    public Task<Result<Session>> CompleteAsync(Caller caller, string clinicId, string sessionId, CompleteInput input, int? ifMatch, CancellationToken ct) =>
        updater.ChangeAsync(caller, clinicId, sessionId, ifMatch, "session.completed", async (clinic, stored, commit) =>
        {
            var discharge = MonitoringInputs.ToDischarge(input, clinic, commit.Now);
            if (!discharge.IsSuccess)
            {
                return discharge.Problem!;
            }
            var done = stored.Value.Complete(discharge.Value, commit.Now, commit.Actor);
            if (done.IsSuccess)
            {
                await observer.OnCompletedAsync(commit, clinic, done.Value, ct);
            }
            return done;
        }, ct);

    /// <summary>The REMS Patient Monitoring Form of a session, from the session, its patient and the clinic, with what is still missing.</summary>
    public async Task<Result<MonitoringForm>> MonitoringFormAsync(Caller caller, string clinicId, string sessionId, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        var session = Ids.IsGeneratedId(sessionId) ? (await data.SessionAsync(clinicId, sessionId, ct))?.Value : null;
        if (session is null)
        {
            return Problem.NotFound("session");
        }
        if (session.Status is SessionStatus.Cancelled or SessionStatus.Noshow)
        {
            return Problem.Conflict("no-monitoring-form", "This session has no monitoring form.",
                $"The session is {Names.Kebab(session.Status)}: nobody was treated, so no Patient Monitoring Form is filed for it.");
        }
        var patient = await data.PatientAsync(clinicId, session.PatientId, ct);
        if (patient is null)
        {
            return Problem.NotFound("patient");
        }
        var earlier = await data.PatientSessionsAsync(clinicId, session.PatientId, ct);
        var firstTreatment = !earlier.Any(s => s.Id != session.Id && s.Status == SessionStatus.Fulfilled && s.StartUtc < session.StartUtc);
        reads.Record(clinicId, caller.ObjectId, session.PatientId, "monitoring-form", time.Now());
        return MonitoringForm.Of(stored.Value.Value, patient.Value, session, firstTreatment);
    }

    public Task<Result<Session>> FileRemsFormAsync(Caller caller, string clinicId, string sessionId, RemsFormInput input, int? ifMatch, CancellationToken ct) =>
        updater.ChangeAsync(caller, clinicId, sessionId, ifMatch, "session.rems-form-filed", async (clinic, stored, commit) =>
        {
            if (!SessionInputs.TryParseInstant(input.SubmittedAt, clinic, out var submittedAt))
            {
                return Problem.Validation("submittedAt", "Give when the form was filed: ISO 8601 with an offset (2026-12-03T10:15:00Z) or clinic-local YYYY-MM-DDTHH:mm.");
            }
            var filed = stored.Value.FileRemsForm(submittedAt, commit.Now, commit.Actor);
            if (filed.IsSuccess)
            {
                await observer.OnRemsFormFiledAsync(commit, filed.Value, ct);
            }
            return filed;
        }, ct);
}
