using ClinicBackend.Domain.Common;
using NodaTime;

namespace ClinicBackend.Domain.Waitlist;

public enum WaitlistStatus
{
    Waiting,
    /// <summary>Holds an offer right now.</summary>
    Offered,
    Booked,
    Removed,
    /// <summary>The window's last date passed without a booking.</summary>
    Expired,
}

/// <summary>A patient waiting for a chair in a window of dates and times, optionally to move a booked session earlier.</summary>
public sealed record WaitlistEntry
{
    public required string Id { get; init; }
    public required string PatientId { get; init; }
    public required LocalDate From { get; init; }
    public required LocalDate To { get; init; }
    public required LocalTime Earliest { get; init; }
    public required LocalTime Latest { get; init; }
    public string? SessionId { get; init; }
    public WaitlistStatus Status { get; init; } = WaitlistStatus.Waiting;
    public required Instant CreatedAt { get; init; }
    public int Version { get; init; } = 1;

    /// <summary>The window holds a clinic-local start: its date within [from, to], its time within [earliest, latest].</summary>
    public bool Holds(LocalDateTime start) =>
        start.Date >= From && start.Date <= To && start.TimeOfDay >= Earliest && start.TimeOfDay <= Latest;

    public bool IsActive => Status is WaitlistStatus.Waiting or WaitlistStatus.Offered;

    /// <summary>The window is over on <paramref name="today"/> (clinic-local): the entry can hold no start any more.</summary>
    public bool HasPassed(LocalDate today) => To < today;

    public WaitlistEntry With(WaitlistStatus status) => this with { Status = status, Version = Version + 1 };

    public static string NewId() => "w" + Ids.New();
}
