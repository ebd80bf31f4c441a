using System.Text.Json.Serialization;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Monitoring;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Domain.Sessions;

/// <summary>FHIR Appointment status codes used here.</summary>
public enum SessionStatus
{
    Booked,
    Arrived,
    Fulfilled,
    Cancelled,
    Noshow,
}

/// <summary>FHIR participant status codes for the patient's confirmation.</summary>
public enum Confirmation
{
    NeedsAction,
    Accepted,
    Declined,
}

public sealed record SessionChange(Instant At, string By, string Action, string? Detail);

/// <summary>
/// A treatment session occupying one monitoring chair from start to end. Its changes are its own methods:
/// each checks that the change is allowed from the current status and returns the changed session (one
/// version on) or the problem; the application services only load, decide capacity and commit.
/// </summary>
public sealed record Session
{
    /// <summary>The history keeps the newest changes only, so a session row stays small however often it changes.</summary>
    public const int MaxHistory = 50;

    /// <summary>Monitoring lasts at least this long after the dose (the first device).</summary>
    public const int MinMonitoringMinutes = 120;

    /// <summary>At most this many observations a session: one every 5 minutes for two hours. Keeps the row small.</summary>
    public const int MaxObservations = 24;

    /// <summary>Times a person types may run this far ahead of the server's clock.</summary>
    public static readonly Duration ClockLeeway = Duration.FromMinutes(5);

    public required string Id { get; init; }
    public required string ClinicId { get; init; }
    public required string PatientId { get; init; }
    public required LocalDateTime Start { get; init; }
    public required Instant StartUtc { get; init; }
    public required LocalDateTime End { get; init; }
    public required Instant EndUtc { get; init; }
    public SessionStatus Status { get; init; } = SessionStatus.Booked;
    public Confirmation Confirmation { get; init; } = Confirmation.NeedsAction;
    public string? CancelReason { get; init; }
    public Instant? CheckedInAt { get; init; }
    public Instant? CompletedAt { get; init; }
    /// <summary>The dose: the monitoring clock starts at its first device.</summary>
    public DoseRecord? Dose { get; init; }
    /// <summary>Observations during monitoring, by time.</summary>
    public IReadOnlyList<Observation> Observations { get; init; } = [];
    /// <summary>How many observations the session has (what the audit trail shows of them).</summary>
    public int ObservationCount => Observations.Count;
    /// <summary>The end of monitoring, recorded when the session is completed.</summary>
    public Discharge? Discharge { get; init; }
    /// <summary>The record of a session completed before doses and observations were kept (stored as <c>monitoring</c>).</summary>
    [JsonPropertyName("monitoring")]
    public LegacyMonitoring? Legacy { get; init; }
    public Instant? RemsFormSubmittedAt { get; init; }
    /// <summary>When the session got its present start (booked or moved there); null for sessions booked before it was kept.</summary>
    public Instant? PlacedAt { get; init; }
    /// <summary>Who confirmed by phone that someone drives the patient home (no ride check is needed then).</summary>
    public string? RideConfirmedBy { get; init; }
    public Instant? RideConfirmedAt { get; init; }
    /// <summary>The capacity claims (storage keys of chair ticks) this session holds while it is live.</summary>
    public IReadOnlyList<string> Claims { get; init; } = [];
    public IReadOnlyList<SessionChange> History { get; init; } = [];
    public int Version { get; init; } = 1;
    /// <summary>Counts reschedules only: reminders are keyed by it, so a confirmation or a note does not make them stale.</summary>
    public int ScheduleVersion { get; init; } = 1;

    public LocalDate Date => Start.Date;

    /// <summary>Live sessions hold a chair and count as the patient's session that day.</summary>
    public bool IsLive => Status is SessionStatus.Booked or SessionStatus.Arrived or SessionStatus.Fulfilled;

    /// <summary>Still ahead: may be reminded, confirmed, rescheduled.</summary>
    public bool IsUpcoming => Status == SessionStatus.Booked;

    /// <summary>The REMS monitoring form is due within 7 days of the session.</summary>
    public Instant RemsFormDueBy => StartUtc + Duration.FromDays(7);

    /// <summary>The earliest time monitoring may end: two hours after the dose.</summary>
    [JsonIgnore]
    public Instant? MonitoringEndsEarliest => Dose?.At + Duration.FromMinutes(MinMonitoringMinutes);

    /// <summary>Whole minutes from the first device to when the patient was ready to leave (as entered, for older sessions).</summary>
    [JsonIgnore]
    public int? MonitoringMinutes => Dose is { } dose && Discharge is { } discharge
        ? (int)(discharge.ReadyToLeaveAt - dose.At).TotalMinutes
        : Legacy?.MonitoringMinutes;

    /// <summary>The observation taken last (by its time; of two at the same time, the one recorded later).</summary>
    [JsonIgnore]
    public Observation? LatestObservation => Observations.Count == 0 ? null : Observations.OrderBy(o => o.At).Last();

    public static Session Book(string id, string clinicId, string patientId, ZonedDateTime start, ZonedDateTime end,
        IReadOnlyList<string> claims, Instant now, string actor) => new()
        {
            Id = id,
            ClinicId = clinicId,
            PatientId = patientId,
            Start = start.LocalDateTime,
            StartUtc = start.ToInstant(),
            End = end.LocalDateTime,
            EndUtc = end.ToInstant(),
            Claims = claims,
            PlacedAt = now,
            History = [new SessionChange(now, actor, "booked", ClinicTime.FormatMinute(start.LocalDateTime))],
        };

    /// <summary>Moves a booked session to a new start; the patient confirms again and its reminders are planned anew.</summary>
    public Result<Session> MoveTo(ZonedDateTime start, ZonedDateTime end, IReadOnlyList<string> claims, Instant now, string actor)
    {
        if (WhyNotMovable() is { } refused)
        {
            return refused;
        }
        return Changed(now, actor, "rescheduled", $"{ClinicTime.FormatMinute(Start)} -> {ClinicTime.FormatMinute(start.LocalDateTime)}") with
        {
            Start = start.LocalDateTime,
            StartUtc = start.ToInstant(),
            End = end.LocalDateTime,
            EndUtc = end.ToInstant(),
            Confirmation = Confirmation.NeedsAction,
            RideConfirmedBy = null,
            RideConfirmedAt = null,
            Claims = claims,
            PlacedAt = now,
            ScheduleVersion = ScheduleVersion + 1,
        };
    }

    /// <summary>Only a booked session moves; null when this one may.</summary>
    public Problem? WhyNotMovable() => Status == SessionStatus.Booked ? null : InvalidTransition("rescheduled");

    public Result<Session> Cancel(string? reason, Instant now, string actor)
    {
        if (Status is not (SessionStatus.Booked or SessionStatus.Arrived))
        {
            return InvalidTransition("cancelled");
        }
        if (Dose is not null)
        {
            return Problem.Conflict("already-dosed", "The patient has had the dose.",
                "A dosed session cannot be cancelled: the dose and its devices are on record. Monitor the patient and complete the session.");
        }
        return Changed(now, actor, "cancelled", reason) with { Status = SessionStatus.Cancelled, CancelReason = reason, Claims = [] };
    }

    public Result<Session> CheckIn(Instant now, LocalDate today, string actor)
    {
        if (Status != SessionStatus.Booked)
        {
            return InvalidTransition("checked in");
        }
        if (today != Date)
        {
            return Problem.Rule("not-today", "The session is not today.",
                $"Check a patient in on the day of the session ({ClinicTime.FormatDate(Date)}).");
        }
        return Changed(now, actor, "checked-in", null) with { Status = SessionStatus.Arrived, CheckedInAt = now };
    }

    /// <summary>
    /// Records the dose of an arrived session: the patient must be REMS-enrolled, and the first device is used on the
    /// session's day (<paramref name="doseDay"/>, in the clinic's zone) and not in the future. Once only.
    /// </summary>
    public Result<Session> RecordDose(DoseRecord dose, LocalDate doseDay, bool patientEnrolled, Instant now, string actor)
    {
        if (Status != SessionStatus.Arrived)
        {
            return Status == SessionStatus.Booked
                ? Problem.Conflict("not-arrived", "The patient is not checked in.", "Check the patient in (POST .../check-in) before recording the dose.")
                : InvalidTransition("dosed");
        }
        if (Dose is not null)
        {
            return Problem.Conflict("already-dosed", "The dose is already recorded.",
                $"The dose of {Dose.DoseMg} mg was recorded at {ClinicTime.FormatUtc(Dose.At)}; a session has one dose.");
        }
        if (!patientEnrolled)
        {
            return Problem.Rule("not-rems-enrolled", "The patient is not enrolled in REMS.",
                "Enrol the patient in the REMS programme before the first treatment, then set remsEnrolled: true and record the dose.");
        }
        if (doseDay != Date || dose.At > now + ClockLeeway)
        {
            return Problem.Rule("implausible-dose-time", "The dose time is not plausible.",
                $"at is when the first device was used: on the day of the session ({ClinicTime.FormatDate(Date)}) and not in the future.");
        }
        return Changed(now, actor, "dosed", $"{dose.DoseMg} mg") with { Dose = dose };
    }

    /// <summary>
    /// Adds an observation taken during monitoring (after the dose, not in the future), keeping them in time order,
    /// with its minutes after the dose and whether it is past the clinic's <paramref name="thresholds"/>.
    /// </summary>
    public Result<Session> Observe(Observation observation, MonitoringSettings thresholds, Instant now, string actor)
    {
        if (Status != SessionStatus.Arrived)
        {
            return InvalidTransition("observed");
        }
        if (Dose is not { } dose)
        {
            return NotDosed("Record the dose (POST .../dose) before observations: their minutes count from it.");
        }
        if (observation.At < dose.At || observation.At > now + ClockLeeway)
        {
            return Problem.Rule("implausible-observation-time", "The observation time is not plausible.",
                $"at is when the observation was taken: after the dose ({ClinicTime.FormatUtc(dose.At)}) and not in the future.");
        }
        if (Observations.Count >= MaxObservations)
        {
            return Problem.Rule("too-many-observations", "The session has all the observations it can hold.",
                $"A session keeps up to {MaxObservations} observations. Put further findings in the notes when completing the session.");
        }
        var observed = observation with
        {
            Number = Observations.Count + 1,
            MinutesAfterDose = (int)(observation.At - dose.At).TotalMinutes,
            Alert = thresholds.PastThresholds(observation.BloodPressure, observation.Spo2).Count > 0,
        };
        List<Observation> observations = [.. Observations, observed];
        return Changed(now, actor, "observed", $"{observed.MinutesAfterDose} min after the dose") with
        {
            Observations = observations.OrderBy(o => o.At).ToList(),
        };
    }

    /// <summary>
    /// Completes an arrived session: at least two hours after the dose (the first device), and while the latest
    /// observation shows no sedation, dissociation or respiratory depression. The patient was ready to leave after
    /// those two hours and not in the future.
    /// </summary>
    public Result<Session> Complete(Discharge discharge, Instant now, string actor)
    {
        if (Status != SessionStatus.Arrived)
        {
            return InvalidTransition("completed");
        }
        if (Dose is not { } dose)
        {
            return NotDosed("Record the dose (POST .../dose) and the observations first: monitoring is counted from the first device.");
        }
        var earliest = MonitoringEndsEarliest!.Value;
        if (now < earliest || discharge.ReadyToLeaveAt < earliest)
        {
            return Problem.Rule("monitoring-not-over", "Monitoring is not over yet.",
                $"The first device was used at {ClinicTime.FormatUtc(dose.At)}; the patient is monitored for at least {MinMonitoringMinutes} minutes after it (until {ClinicTime.FormatUtc(earliest)}), and until sedation, dissociation and respiratory depression have resolved.");
        }
        if (discharge.ReadyToLeaveAt > now + ClockLeeway)
        {
            return Problem.Rule("implausible-discharge-time", "The time the patient was ready to leave is in the future.",
                "readyToLeaveAt is when the patient was ready to leave: not later than now.");
        }
        if (LatestObservation is not { } latest)
        {
            return Problem.Rule("not-ready", "No observation shows the patient is ready.",
                "Record an observation (POST .../observations) showing that sedation, dissociation and respiratory depression have resolved before discharge.");
        }
        if (latest.ShowsEffects)
        {
            var effects = new[] { (latest.Sedation, "sedation"), (latest.Dissociation, "dissociation"), (latest.RespiratoryDepression, "respiratory depression") }
                .Where(e => e.Item1).Select(e => e.Item2);
            return Problem.Rule("not-ready", "The patient is not ready to leave.",
                $"The latest observation ({latest.MinutesAfterDose} min after the dose) shows {string.Join(" and ", effects)}. Keep monitoring, and record an observation once it has resolved.");
        }
        return Changed(now, actor, "completed", $"{(int)(discharge.ReadyToLeaveAt - dose.At).TotalMinutes} min of monitoring") with
        {
            Status = SessionStatus.Fulfilled,
            CompletedAt = now,
            Discharge = discharge,
        };
    }

    /// <summary>What a prescriber should look at in the session's blood pressure (pre-dose and discharge); null when nothing or not completed.</summary>
    public string? BloodPressureConcern() => Dose is { } dose && Discharge is { } discharge
        ? BloodPressureReview.Concern(dose.PreDose.BloodPressure, discharge.BloodPressure)
        : null;

    public Result<Session> FileRemsForm(Instant submittedAt, Instant now, string actor)
    {
        if (Status != SessionStatus.Fulfilled)
        {
            return Problem.Conflict("invalid-transition", "The session is not completed.",
                $"The monitoring form is filed for a completed session; this one is {Names.Kebab(Status)}.");
        }
        if (RemsFormSubmittedAt is not null)
        {
            return Problem.Conflict("already-filed", "The monitoring form is already recorded.",
                $"It was filed at {ClinicTime.FormatUtc(RemsFormSubmittedAt.Value)}.");
        }
        if (submittedAt < StartUtc || submittedAt > now + Duration.FromMinutes(5))
        {
            return Problem.Rule("implausible-filing-time", "The filing time is not plausible.",
                "submittedAt must lie between the session's start and now.");
        }
        return Changed(now, actor, "rems-form-filed", ClinicTime.FormatUtc(submittedAt)) with { RemsFormSubmittedAt = submittedAt };
    }

    /// <summary>The patient confirmed by text; confirming again changes nothing (same version, no new history).</summary>
    public Session Confirm(Instant now, string actor) =>
        Confirmation == Confirmation.Accepted ? this : Changed(now, actor, "confirmed-by-sms", null) with { Confirmation = Confirmation.Accepted };

    /// <summary>The patient texted that they cannot come (asked to reschedule); the clinic follows up, so no ride check.</summary>
    public Session DeclineByText(Instant now, string actor) =>
        Confirmation == Confirmation.Declined ? this : Changed(now, actor, "reschedule-asked-by-sms", null) with { Confirmation = Confirmation.Declined };

    /// <summary>Staff confirmed by phone that someone drives the patient home; the same confirmation again changes nothing.</summary>
    public Result<Session> ConfirmRide(string confirmedBy, Instant now, string actor)
    {
        if (Status is not (SessionStatus.Booked or SessionStatus.Arrived))
        {
            return InvalidTransition("given a ride confirmation");
        }
        return RideConfirmedBy == confirmedBy ? this
            : Changed(now, actor, "ride-confirmed", confirmedBy) with { RideConfirmedBy = confirmedBy, RideConfirmedAt = now };
    }

    /// <summary>Nobody checked the patient in by the end of the session plus the grace.</summary>
    public Session MarkNoShow(Instant now, string actor, string detail) =>
        Changed(now, actor, "noshow", detail) with { Status = SessionStatus.Noshow, Claims = [] };

    private Session Changed(Instant now, string actor, string action, string? detail)
    {
        var change = new SessionChange(now, actor, action, detail);
        var history = History.Count >= MaxHistory ? [.. History.Skip(History.Count - MaxHistory + 1), change] : (IReadOnlyList<SessionChange>)[.. History, change];
        return this with { Version = Version + 1, History = history };
    }

    private static Problem NotDosed(string detail) => Problem.Conflict("not-dosed", "No dose is recorded for this session.", detail);

    private Problem InvalidTransition(string what) => Problem.Conflict("invalid-transition",
        "The session cannot change that way.", $"A {Names.Kebab(Status)} session cannot be {what}.");
}
