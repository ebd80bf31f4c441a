using System.Security.Cryptography;
using System.Text;
using ClinicBackend.Domain.Access;
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
    /// <summary>A booked session 2 days ahead whose patient is not REMS-enrolled (the dose is refused until they are).</summary>
    public const string RemsEnrolment = "rems-enrolment";
    /// <summary>An observation during monitoring past the clinic's thresholds (urgent).</summary>
    public const string VitalSigns = "vital-signs";
    /// <summary>A serious adverse event recorded at discharge (urgent).</summary>
    public const string AdverseEvent = "adverse-event";
    /// <summary>The end of an induction course, for the prescriber to review the benefit before going on.</summary>
    public const string InductionReview = "induction-review";
    /// <summary>A lot with devices left that expires within 30 days.</summary>
    public const string LotExpiring = "lot-expiring";
    /// <summary>Fewer devices on hand than the next 7 days' booked sessions need.</summary>
    public const string StockLow = "stock-low";
    /// <summary>A visit within 2 clinic days that is not ready (authorization or drug); one per visit and cause, resolved by the sweep once ready.</summary>
    public const string NotReady = "not-ready";
    /// <summary>An authorization ending within 14 days, or with at most 2 sessions left.</summary>
    public const string AuthorizationRenewal = "authorization-renewal";
    /// <summary>A PHQ-9 answered through the link with item 9 (thoughts of self-harm) above 0 (urgent; pages and pauses texts like crisis).</summary>
    public const string SelfHarmAnswer = "self-harm-answer";

    public static readonly string[] All =
    [
        MissedSession, OverdueCadence, RescheduleRequest, PatientMessage, Crisis, RemsFormDue, SmsUndeliverable, RideUnconfirmed, BloodPressure,
        RemsEnrolment, VitalSigns, AdverseEvent, InductionReview, LotExpiring, StockLow, NotReady, AuthorizationRenewal, SelfHarmAnswer,
    ];

    /// <summary>Kinds that pause the patient's automated texts until they are resolved.</summary>
    public static bool PausesTexts(string kind) => kind is Crisis or SelfHarmAnswer;
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

public enum EscalationState
{
    /// <summary>Not paged (yet): not urgent, or waiting for the clinic to open.</summary>
    None,
    Paging,
    Acknowledged,
    /// <summary>Every contact was paged round twice and nobody took it: the operators are alerted.</summary>
    Exhausted,
}

/// <summary>One page of an urgent flag: to whom, when, and the text that carried it.</summary>
public sealed record FlagPage(string Contact, string Phone, Instant At, string MessageId);

/// <param name="Steps">How many places of the contact list (over both rounds) were used: paged, or passed over.</param>
public sealed record FlagEscalation(
    EscalationState State,
    string? Code,
    IReadOnlyList<FlagPage> Pages,
    int Steps,
    Instant? NextAt,
    string? AcknowledgedBy,
    Instant? AcknowledgedAt)
{
    /// <summary>Two rounds of at most ten contacts.</summary>
    public const int MaxPages = 20;

    public static readonly FlagEscalation None = new(EscalationState.None, null, [], 0, null, null, null);
}

public sealed record FlagChange(Instant At, string By, string Action, string? Detail);

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
    /// <summary>Who is being paged for an urgent flag, and whether a person took it.</summary>
    public FlagEscalation Escalation { get; init; } = FlagEscalation.None;
    /// <summary>What happened to the flag after it was raised (pages, acknowledgement, resolution), newest last and bounded.</summary>
    public IReadOnlyList<FlagChange> History { get; init; } = [];
    public int Version { get; init; } = 1;

    public const int MaxHistory = 50;

    public bool IsUrgent => Severity == FlagSeverity.Urgent;

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
        return Noted(now, actor, "resolved", null) with { Status = FlagStatus.Resolved, ResolvedAt = now, ResolvedBy = actor, ResolutionNote = note };
    }

    /// <summary>The cause came back after the flag was resolved: open again with a new description; null when it is open.</summary>
    public Flag? Reopen(string detail, string actor, Instant now) =>
        Status == FlagStatus.Resolved
            ? Noted(now, actor, "reopened", null) with { Status = FlagStatus.Open, ResolvedAt = null, ResolvedBy = null, ResolutionNote = null, Detail = detail }
            : null;

    /// <summary>The same cause came again while the flag is open (a repeated text): the description tells how often; nothing else changes.</summary>
    public Flag Repeated(string detail, Instant now, string actor) => Noted(now, actor, "repeated", null) with { Detail = detail };

    /// <summary>Raises an open flag to urgent with a new description; null when there is nothing to raise.</summary>
    public Flag? MakeUrgent(string detail) =>
        Status == FlagStatus.Open && Severity == FlagSeverity.Normal ? this with { Severity = FlagSeverity.Urgent, Detail = detail, Version = Version + 1 } : null;

    /// <summary>A page went to an on-call contact at step <paramref name="step"/>; the next step is due at <paramref name="next"/>.</summary>
    public Flag Paged(FlagPage page, int step, string code, Instant next) => Noted(page.At, Actors.Escalation, "paged", page.Contact) with
    {
        Escalation = Escalation with
        {
            State = EscalationState.Paging,
            Code = code,
            Pages = [.. Escalation.Pages.TakeLast(FlagEscalation.MaxPages - 1), page],
            Steps = step + 1,
            NextAt = next,
        },
    };

    /// <summary>Paging waits (the clinic is closed) until <paramref name="next"/>.</summary>
    public Flag PagingWaits(Instant now, Instant next) =>
        Noted(now, Actors.Escalation, "paging-waits", $"until {ClinicTime.FormatUtc(next)}") with { Escalation = Escalation with { NextAt = next } };

    /// <summary>A person took the flag: paging stops. Taking it again changes nothing.</summary>
    public Result<Flag> Acknowledge(string by, Instant now)
    {
        if (Escalation.State == EscalationState.Acknowledged)
        {
            return this;
        }
        if (!IsUrgent)
        {
            return Problem.Conflict("not-urgent", "Only urgent flags are paged.", "This flag is not urgent: nobody is being paged for it; resolve it when it is done.");
        }
        if (Status == FlagStatus.Resolved)
        {
            return Problem.Conflict("already-resolved", "The flag is already resolved.", $"It was resolved at {ClinicTime.FormatUtc(ResolvedAt!.Value)}; paging stopped then.");
        }
        return Noted(now, by, "acknowledged", null) with
        {
            Escalation = Escalation with { State = EscalationState.Acknowledged, AcknowledgedBy = by, AcknowledgedAt = now, NextAt = null },
        };
    }

    /// <summary>Every contact was paged twice and nobody acknowledged.</summary>
    public Flag Exhausted(Instant now) =>
        Noted(now, Actors.Escalation, "escalation-exhausted", null) with { Escalation = Escalation with { State = EscalationState.Exhausted, NextAt = null } };

    private Flag Noted(Instant at, string by, string action, string? detail)
    {
        var change = new FlagChange(at, by, action, detail);
        IReadOnlyList<FlagChange> history = [.. History.TakeLast(MaxHistory - 1), change];
        return this with { History = history, Version = Version + 1 };
    }

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
