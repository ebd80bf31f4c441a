using System.Text.Json.Nodes;
using NodaTime;

namespace ClinicBackend.Domain.Events;

/// <summary>
/// A CloudEvents 1.0 event for clinic systems (EHR, on-call). Its id is derived from what happened,
/// so publishing it again yields a duplicate with the same id, never a new event.
/// </summary>
public sealed record ClinicEvent
{
    public string SpecVersion { get; init; } = "1.0";
    public required string Id { get; init; }
    public required string Source { get; init; }
    public required string Type { get; init; }
    public required string Subject { get; init; }
    public required Instant Time { get; init; }
    public string DataContentType { get; init; } = "application/json";
    public required JsonObject Data { get; init; }
    /// <summary>The clinic partition the event was recorded in.</summary>
    public required string ClinicId { get; init; }
}

public static class EventTypes
{
    public const string Prefix = "clinic.";
    public const string SessionBooked = "clinic.session.booked";
    public const string SessionRescheduled = "clinic.session.rescheduled";
    public const string SessionStatusChanged = "clinic.session.status-changed";
    public const string FlagRaised = "clinic.flag.raised";
    public const string FlagResolved = "clinic.flag.resolved";
    public const string FlagEscalated = "clinic.flag.escalated";
    /// <summary>The flag's cause came again while it was open (a repeated crisis text from one number).</summary>
    public const string FlagRepeated = "clinic.flag.repeated";
    public const string FlagAcknowledged = "clinic.flag.acknowledged";
    /// <summary>The cause of a flag the sweep had resolved by itself came back: the same flag is open again.</summary>
    public const string FlagReopened = "clinic.flag.reopened";
    /// <summary>A rating was recorded (by the patient's link or by staff); the event carries no answers.</summary>
    public const string AssessmentCompleted = "clinic.assessment.completed";
}

/// <summary>Where clinic events go: a Service Bus topic in Azure, a storage queue locally.</summary>
public interface IClinicEventSink
{
    Task PublishAsync(IReadOnlyList<ClinicEvent> events, CancellationToken ct);
}
