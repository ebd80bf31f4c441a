using System.Text.Json.Nodes;
using NodaTime;

namespace ClinicBackend.Domain.Audit;

/// <summary>Who changed what, when. Written in the same transaction as the change itself.</summary>
public sealed record AuditEntry(
    string Id,
    Instant At,
    string Actor,
    string Action,
    string EntityType,
    string EntityId,
    IReadOnlyDictionary<string, AuditChange>? Changes);

/// <summary>One field's value before and after, as JSON values (null when absent).</summary>
public sealed record AuditChange(JsonNode? From, JsonNode? To);
