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
    string? Notes);

public sealed record SessionChange(Instant At, string By, string Action, string? Detail);

/// <summary>A treatment session occupying one monitoring chair from start to end.</summary>
public sealed record Session
{
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
    /// <summary>The capacity claims (UTC tick keys) this session holds while it is live.</summary>
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
}
