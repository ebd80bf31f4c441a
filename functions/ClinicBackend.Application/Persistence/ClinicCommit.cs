using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicBackend.Application.Access;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Events;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Runs;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Audit;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Events;
using NodaTime;

namespace ClinicBackend.Application.Persistence;

/// <summary>
/// The changes of one operation on one clinic partition, with its audit records and events, committed
/// atomically: either the change, its index rows, its claims, its audit trail and its pending events
/// are all written, or none is.
/// </summary>
public sealed class ClinicCommit(string clinicId, string actor, Instant now)
{
    private readonly List<Change> _changes = [];
    private readonly List<ClinicEvent> _events = [];

    public string ClinicId { get; } = clinicId;

    public Instant Now { get; } = now;

    public IReadOnlyList<ClinicEvent> Events => _events;

    public int Count => _changes.Count;

    public ClinicCommit Insert(string key, object value) => Add(new Change.Insert(key, value));

    public ClinicCommit Replace(string key, object value, string etag) => Add(new Change.Replace(key, value, etag));

    public ClinicCommit Upsert(string key, object value) => Add(new Change.Upsert(key, value));

    public ClinicCommit Delete(string key, string? etag = null) => Add(new Change.Delete(key, etag));

    /// <summary>Records who did what; <paramref name="before"/> and <paramref name="after"/> give the changed fields.</summary>
    public ClinicCommit Audit(string action, string entityType, string entityId, object? before, object? after)
    {
        var id = Ids.New();
        var entry = new AuditEntry(id, Now, actor, action, entityType, entityId, Diff(before, after));
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

    public Task CommitAsync(IDocumentStore store, CancellationToken ct) => store.CommitAsync(ClinicId, _changes, ct);

    /// <summary>Commits, then starts publishing the recorded events (they stay pending for the relay if that fails).</summary>
    public async Task CommitAsync(IDocumentStore store, EventRelay events, CancellationToken ct)
    {
        await store.CommitAsync(ClinicId, _changes, ct);
        events.PublishSoon(_events);
    }

    private ClinicCommit Add(Change change)
    {
        _changes.Add(change);
        return this;
    }

    private static readonly HashSet<string> Unaudited = ["version", "history", "claims"];

    /// <summary>The top-level fields that differ between two documents.</summary>
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
            if (Unaudited.Contains(name))
            {
                continue;
            }
            var a = from[name]?.ToJsonString();
            var b = to[name]?.ToJsonString();
            if (a != b)
            {
                changes[name] = new AuditChange(a, b);
            }
        }
        return changes;
    }
}
