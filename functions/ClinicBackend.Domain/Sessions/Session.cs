using ClinicBackend.Domain.Common;
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

public sealed record BloodPressure(int Systolic, int Diastolic)
{
    public override string ToString() => $"{Systolic}/{Diastolic}";

    /// <summary>Above 140/90 the label advises caution before dosing.</summary>
    public bool IsElevated => Systolic > 140 || Diastolic > 90;
}

/// <summary>What the clinic records when a session is completed (the content of the REMS monitoring form).</summary>
public sealed record MonitoringRecord(
    int DoseMg,
    BloodPressure PreDose,
    BloodPressure PostDose40Min,
    BloodPressure Discharge,
    int MonitoringMinutes,
    string? Notes)
{
    /// <summary>
    /// What the prescriber should look at: a pre-dose reading above 140/90 (the label's caution), or a discharge
    /// reading above the pre-dose one. Null when neither. Completing is still allowed: the clinician decides.
    /// </summary>
    public string? BloodPressureConcern()
    {
        var concerns = new List<string>();
        if (PreDose.IsElevated)
        {
            concerns.Add($"the pre-dose reading {PreDose} is above 140/90");
        }
        if (Discharge.Systolic > PreDose.Systolic || Discharge.Diastolic > PreDose.Diastolic)
        {
            concerns.Add($"the discharge reading {Discharge} is above the pre-dose reading {PreDose}");
        }
        return concerns.Count == 0 ? null : string.Join("; ", concerns);
    }
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

    public const int MinMonitoringMinutes = 120;

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
    public MonitoringRecord? Monitoring { get; init; }
    public Instant? RemsFormSubmittedAt { get; init; }
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

    /// <summary>Completes an arrived session once two hours of monitoring have passed since check-in.</summary>
    public Result<Session> Complete(MonitoringRecord monitoring, Instant now, string actor)
    {
        if (Status != SessionStatus.Arrived)
        {
            return InvalidTransition("completed");
        }
        var earliest = CheckedInAt!.Value + Duration.FromMinutes(MinMonitoringMinutes);
        if (now < earliest)
        {
            return Problem.Rule("monitoring-not-over", "Monitoring is not over yet.",
                $"The patient checked in at {ClinicTime.FormatUtc(CheckedInAt.Value)}; complete the session after at least {MinMonitoringMinutes} minutes of monitoring (from {ClinicTime.FormatUtc(earliest)}).");
        }
        return Changed(now, actor, "completed", $"{monitoring.DoseMg} mg") with
        {
            Status = SessionStatus.Fulfilled,
            CompletedAt = now,
            Monitoring = monitoring,
        };
    }

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

    private Problem InvalidTransition(string what) => Problem.Conflict("invalid-transition",
        "The session cannot change that way.", $"A {Names.Kebab(Status)} session cannot be {what}.");
}
