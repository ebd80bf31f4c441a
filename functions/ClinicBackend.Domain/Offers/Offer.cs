using ClinicBackend.Domain.Common;
using NodaTime;

namespace ClinicBackend.Domain.Offers;

public enum OfferKind
{
    /// <summary>The patient asked to move their visit: up to three starts to pick from.</summary>
    Reschedule,
    /// <summary>A chair freed for a patient on the waitlist: one start to take.</summary>
    Waitlist,
}

public enum OfferStatus
{
    Open,
    Taken,
    Declined,
    Expired,
    /// <summary>A later prompt to the same patient replaced it.</summary>
    Superseded,
    /// <summary>The patient opted out of texts while it was open.</summary>
    Withdrawn,
}

/// <summary>Starts offered to a patient by text, open for a while; the latest prompt to a patient decides what a digit means.</summary>
public sealed record Offer
{
    public const int MaxStarts = 3;

    public required string Id { get; init; }
    public required string PatientId { get; init; }
    public required OfferKind Kind { get; init; }
    /// <summary>The session to move (a reschedule, or a waitlist entry that names one); null books a new one.</summary>
    public string? SessionId { get; init; }
    public string? WaitlistEntryId { get; init; }
    /// <summary>A waitlist offer: the freed slot's row, released when the offer closes untaken.</summary>
    public string? SlotKey { get; init; }
    /// <summary>Clinic-local starts, in the order the text numbers them (1, 2, 3).</summary>
    public required IReadOnlyList<LocalDateTime> Starts { get; init; }
    public required Instant SentAt { get; init; }
    public required Instant ExpiresAt { get; init; }
    public OfferStatus Status { get; init; } = OfferStatus.Open;
    public LocalDateTime? TakenStart { get; init; }
    public int Version { get; init; } = 1;

    public bool IsOpenAt(Instant now) => Status == OfferStatus.Open && now < ExpiresAt;

    /// <summary>The minutes the offer still has at <paramref name="now"/>, to the nearest (at least 1): what its text may promise.</summary>
    public int WholeMinutesLeftAt(Instant now) => Math.Max(1, (int)Math.Round((ExpiresAt - now).TotalMinutes, MidpointRounding.AwayFromZero));

    /// <summary>The start a reply digit picks (1-based), or null when the digit is not one of the offer's.</summary>
    public LocalDateTime? Pick(int digit) => digit >= 1 && digit <= Starts.Count ? Starts[digit - 1] : null;

    public Offer Close(OfferStatus status, LocalDateTime? taken = null) => this with { Status = status, TakenStart = taken, Version = Version + 1 };

    public static string NewId() => "o" + Ids.New();
}
