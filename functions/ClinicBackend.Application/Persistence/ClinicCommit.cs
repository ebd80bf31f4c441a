using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicBackend.Domain.Audit;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Messaging;
using NodaTime;

namespace ClinicBackend.Application.Persistence;

/// <summary>Points at an outbound ledger row that is not final yet.</summary>
public sealed record PendingText(string PatientId, string MessageId);

/// <summary>Claim rows an owner (a session) no longer holds, to delete after the commit that moved it.</summary>
public sealed record ClaimRelease(string OwnerId, IReadOnlyList<string> ClaimKeys);

/// <summary>
/// The unit of work of one operation on one clinic partition: the change, its index rows, its claims, its
/// audit records and its pending events. <see cref="ClinicData.CommitAsync"/> writes all of them or none.
/// </summary>
public sealed class ClinicCommit(string clinicId, string actor, Instant now)
{
    private readonly List<Change> _changes = [];
    private readonly List<ClinicEvent> _events = [];
    private readonly List<ClaimRelease> _releases = [];
    private readonly List<(OutboxMessage Message, Instant At)> _wakeUps = [];

    public string ClinicId { get; } = clinicId;

    public string Actor { get; } = actor;

    public Instant Now { get; } = now;

    public IReadOnlyList<Change> Changes => _changes;

    public IReadOnlyList<ClinicEvent> Events => _events;

    /// <summary>Outbox wake-ups of texts this unit of work planned, enqueued right after it commits.</summary>
    public IReadOnlyList<(OutboxMessage Message, Instant At)> WakeUps => _wakeUps;

    /// <summary>Claim rows this unit of work frees right after it commits (see <see cref="ReleaseAfterCommit"/>).</summary>
    public IReadOnlyList<ClaimRelease> Releases => _releases;

    public int Count => _changes.Count;

    /// <summary>Whether this unit of work writes the row <paramref name="key"/>.</summary>
    public bool Writes(string key) => _changes.Any(c => c.Key == key);

    public ClinicCommit Insert(string key, object value) => Add(new Change.Insert(key, value));

    public ClinicCommit Replace(string key, object value, string etag) => Add(new Change.Replace(key, value, etag));

    public ClinicCommit Upsert(string key, object value) => Add(new Change.Upsert(key, value));

    public ClinicCommit Delete(string key, string? etag = null) => Add(new Change.Delete(key, etag));

    /// <summary>Records who did what; <paramref name="before"/> and <paramref name="after"/> give the changed fields.</summary>
    public ClinicCommit Audit(string action, string entityType, string entityId, object? before, object? after)
    {
        var id = Ids.New();
        var entry = new AuditEntry(id, Now, Actor, action, entityType, entityId, Diff(before, after));
        return Insert(Keys.Audit(Now, id), entry);
    }

    /// <summary>Records an event to publish; it stays pending in the partition until it is published.</summary>
    public ClinicCommit Event(string id, string type, string subject, JsonObject data)
    {
        var clinicEvent = new ClinicEvent
        {
            Id = id,
            Source = $"/clinics/{ClinicId}",
            Type = type,
            Subject = subject,
            Time = Now,
            Data = data,
            ClinicId = ClinicId,
        };
        _events.Add(clinicEvent);
        return Upsert(Keys.PendingEvent(id), clinicEvent);
    }

    /// <summary>
    /// Plans an outbound text: its ledger row and pending-text index row in this unit of work, its outbox wake-up
    /// right after the commit. The row comes first, so no wake-up ever arrives for a row that does not exist; a
    /// wake-up that is lost is re-enqueued by the reconciler.
    /// </summary>
    public ClinicCommit PlanText(SmsMessage row)
    {
        var planned = row.Status == SmsStatus.Planned;
        Insert(Keys.Message(row.PatientId, row.Id), planned ? row with { WakeAt = row.At, PendingAt = row.At } : row);
        if (planned)
        {
            Upsert(Keys.PendingText(row.At, row.PatientId, row.Id), new PendingText(row.PatientId, row.Id));
            _wakeUps.Add((new OutboxMessage(ClinicId, row.PatientId, row.Id, DueAt: row.At), row.At));
        }
        return this;
    }

    /// <summary>
    /// Frees claim rows in a second step, for a change too large for one transaction (a long session moved to
    /// another day). A release row naming them commits with the change; right after, the rows and the release row
    /// are deleted. Until then the freed chairs only look taken (never double-booked); if the process dies in
    /// between, the sweep finishes the release.
    /// </summary>
    public ClinicCommit ReleaseAfterCommit(string ownerId, IReadOnlyList<string> claimKeys)
    {
        var release = new ClaimRelease(ownerId, claimKeys);
        _releases.Add(release);
        return Insert(Keys.ClaimRelease(ownerId, Ids.New()), release);
    }

    private ClinicCommit Add(Change change)
    {
        _changes.Add(change);
        return this;
    }

    /// <summary>
    /// Bookkeeping left out of audit diffs. A session's observations are only ever appended, each naming who took it:
    /// the diff shows their count (<c>observationCount</c>), the session row keeps them (a diff of the whole list twice
    /// would not fit an audit row).
    /// </summary>
    private static readonly HashSet<string> Unaudited = ["version", "history", "claims", "observations"];

    /// <summary>Whether a change changes anything besides the version (and other unaudited bookkeeping).</summary>
    public static bool Differ(object before, object after) => Diff(before, after) is { Count: > 0 };

    /// <summary>The top-level fields that differ between two documents, as JSON values.</summary>
    public static IReadOnlyDictionary<string, AuditChange>? Diff(object? before, object? after)
    {
        if (before is null && after is null)
        {
            return null;
        }
        var from = before is null ? new JsonObject() : JsonSerializer.SerializeToNode(before, before.GetType(), DocumentJson.Options)!.AsObject();
        var to = after is null ? new JsonObject() : JsonSerializer.SerializeToNode(after, after.GetType(), DocumentJson.Options)!.AsObject();
        var changes = new SortedDictionary<string, AuditChange>(StringComparer.Ordinal);
        foreach (var name in from.Select(p => p.Key).Union(to.Select(p => p.Key)))
        {
            if (Unaudited.Contains(name) || JsonNode.DeepEquals(from[name], to[name]))
            {
                continue;
            }
            changes[name] = new AuditChange(from[name]?.DeepClone(), to[name]?.DeepClone());
        }
        return changes;
    }
}
