using System.Security.Cryptography;
using System.Text;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Domain.Flags;

public static class FlagKinds
{
    public const string MissedSession = "missed-session";
    public const string OverdueCadence = "overdue-cadence";
    public const string RescheduleRequest = "reschedule-request";
    public const string PatientMessage = "patient-message";
    public const string Crisis = "crisis";
    public const string RemsFormDue = "rems-form-due";
    public const string SmsUndeliverable = "sms-undeliverable";
    public const string RideUnconfirmed = "ride-unconfirmed";
    public const string BloodPressure = "blood-pressure";

    public static readonly string[] All =
        [MissedSession, OverdueCadence, RescheduleRequest, PatientMessage, Crisis, RemsFormDue, SmsUndeliverable, RideUnconfirmed, BloodPressure];
}

public enum FlagSeverity
{
    Normal,
    Urgent,
}

public enum FlagStatus
{
    Open,
    Resolved,
}

/// <summary>An item on the clinic's follow-up list. Its id derives from (kind, cause): raising it again changes nothing.</summary>
public sealed record Flag
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required FlagSeverity Severity { get; init; }
    public FlagStatus Status { get; init; } = FlagStatus.Open;
    public string? PatientId { get; init; }
    public string? SessionId { get; init; }
    public required Instant CreatedAt { get; init; }
    public required string Detail { get; init; }
    public Instant? ResolvedAt { get; init; }
    public string? ResolvedBy { get; init; }
    public string? ResolutionNote { get; init; }
    public int Version { get; init; } = 1;

    /// <summary>A new open flag whose id derives from its kind and cause.</summary>
    public static Flag For(string kind, string cause, FlagSeverity severity, string? patientId, string? sessionId, Instant now, string detail) => new()
    {
        Id = IdFor(kind, cause),
        Kind = kind,
        Severity = severity,
        PatientId = patientId,
        SessionId = sessionId,
        CreatedAt = now,
        Detail = detail,
    };

    public Result<Flag> Resolve(string note, string actor, Instant now)
    {
        if (Status == FlagStatus.Resolved)
        {
            return Problem.Conflict("already-resolved", "The flag is already resolved.", $"It was resolved at {ClinicTime.FormatUtc(ResolvedAt!.Value)}.");
        }
        return this with { Status = FlagStatus.Resolved, ResolvedAt = now, ResolvedBy = actor, ResolutionNote = note, Version = Version + 1 };
    }

    /// <summary>Raises an open flag to urgent with a new description; null when there is nothing to raise.</summary>
    public Flag? MakeUrgent(string detail) =>
        Status == FlagStatus.Open && Severity == FlagSeverity.Normal ? this with { Severity = FlagSeverity.Urgent, Detail = detail, Version = Version + 1 } : null;

    /// <summary>The deterministic id of the flag for a kind and its cause.</summary>
    public static string IdFor(string kind, string cause)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}\n{cause}"));
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var chars = new char[20];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[hash[i] & 31];
        }
        return new string(chars);
    }
}
