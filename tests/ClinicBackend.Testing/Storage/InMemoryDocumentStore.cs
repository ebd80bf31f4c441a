using System.Text.Json;
using ClinicBackend.Application.Persistence;

namespace ClinicBackend.Testing.Storage;

/// <summary>
/// <see cref="IDocumentStore"/> in this process, with the semantics of <c>TableDocumentStore</c> on Table Storage
/// (the store contract tests run against both): each value is kept as the JSON the table store writes and read back
/// through it, so no caller shares an object with the store; every write gives the row a new ETag; a commit applies
/// all its changes or none, refusing at its first conflict with the same <see cref="CommitConflictException"/>;
/// range queries are in ordinal key order; write times come from <paramref name="clock"/>, as Table Storage stamps rows
/// with its own clock. It does not model latency, throttling, transient failures or Table Storage's size limits
/// beyond a document's property size.
/// </summary>
public sealed class InMemoryDocumentStore(TimeProvider clock) : IDocumentStore
{
    /// <summary>Table Storage holds a string property of at most 64 KiB, that is 32,768 UTF-16 characters.</summary>
    public const int MaxDocumentChars = 32 * 1024;

    private readonly Dictionary<string, SortedList<string, Row>> _partitions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _version;

    private sealed record Row(string Json, string ETag, DateTimeOffset WrittenAt);

    public Task<Stored<T>?> GetAsync<T>(string partition, string key, CancellationToken ct) => AsTask(() =>
    {
        lock (_lock)
        {
            return Rows(partition)?.GetValueOrDefault(key) is { } row ? ToStored<T>(key, row) : null;
        }
    });

    public Task<IReadOnlyList<Stored<T>>> QueryPrefixAsync<T>(string partition, string prefix, CancellationToken ct, int? take = null) =>
        QueryRangeAsync<T>(partition, prefix, Keys.PrefixEnd(prefix), ct, take);

    public Task<IReadOnlyList<Stored<T>>> QueryRangeAsync<T>(string partition, string fromKey, string toKey, CancellationToken ct, int? take = null) => AsTask(() =>
    {
        lock (_lock)
        {
            IReadOnlyList<Stored<T>> found = InRange(partition, fromKey, toKey).Take(take ?? int.MaxValue).Select(r => ToStored<T>(r.Key, r.Value)).ToList();
            return found;
        }
    });

    public Task<WrittenRows<T>> QueryWrittenSinceAsync<T>(string partition, string fromKey, string toKey, DateTimeOffset? since, CancellationToken ct) => AsTask(() =>
    {
        lock (_lock)
        {
            var rows = InRange(partition, fromKey, toKey)
                .Where(r => since is null || r.Value.WrittenAt >= since)
                .Select(r => new Written<T>(ToStored<T>(r.Key, r.Value), r.Value.WrittenAt))
                .ToList();
            return new WrittenRows<T>(rows, clock.GetUtcNow());
        }
    });

    public Task<IReadOnlyList<string?>> CommitAsync(string partition, IReadOnlyList<Change> changes, CancellationToken ct) => AsTask(() => Commit(partition, changes));

    private IReadOnlyList<string?> Commit(string partition, IReadOnlyList<Change> changes)
    {
        if (changes.Count == 0)
        {
            return [];
        }
        if (changes.Count > IDocumentStore.MaxChangesPerCommit)
        {
            throw new ArgumentException($"A commit holds at most {IDocumentStore.MaxChangesPerCommit} changes.", nameof(changes));
        }
        if (changes.Select(c => c.Key).Distinct(StringComparer.Ordinal).Count() != changes.Count)
        {
            throw new ArgumentException("A commit changes each row at most once (Table Storage refuses a transaction that names a row twice).", nameof(changes));
        }
        // Serialized before the lock, as the table store does before its request; a document storage would refuse throws here.
        var json = changes.Select(c => c switch
        {
            Change.Insert insert => Serialize(insert.Key, insert.Value),
            Change.Replace replace => Serialize(replace.Key, replace.Value),
            Change.Upsert upsert => Serialize(upsert.Key, upsert.Value),
            _ => null,
        }).ToList();
        lock (_lock)
        {
            var rows = Rows(partition);
            for (var i = 0; i < changes.Count; i++)
            {
                if (Conflict(rows, i, changes[i]) is { } conflict)
                {
                    throw conflict;
                }
            }
            if (rows is null)
            {
                rows = new SortedList<string, Row>(StringComparer.Ordinal);
                _partitions[partition] = rows;
            }
            var now = clock.GetUtcNow();
            var etags = new List<string?>(changes.Count);
            for (var i = 0; i < changes.Count; i++)
            {
                if (changes[i] is Change.Delete)
                {
                    rows.Remove(changes[i].Key);
                    etags.Add(null);
                    continue;
                }
                var etag = $"W/\"mem'{++_version}'\"";
                rows[changes[i].Key] = new Row(json[i]!, etag, now);
                etags.Add(etag);
            }
            return etags;
        }
    }

    public Task<bool> PingAsync(CancellationToken ct) => Task.FromResult(true);

    /// <summary>The answer as a finished task, a failure as a faulted one: like the table store, no call throws before its task.</summary>
    private static Task<T> AsTask<T>(Func<T> work)
    {
        try
        {
            return Task.FromResult(work());
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    /// <summary>Why Table Storage would refuse <paramref name="change"/> against the rows as they are, or null.</summary>
    private static CommitConflictException? Conflict(SortedList<string, Row>? rows, int index, Change change)
    {
        var current = rows?.GetValueOrDefault(change.Key);
        var failure = change switch
        {
            Change.Insert when current is not null => CommitFailure.AlreadyExists,
            Change.Replace replace when current is null || current.ETag != replace.ETag => CommitFailure.Changed,
            Change.Delete delete when current is null || delete.ETag is not null && current.ETag != delete.ETag => CommitFailure.Changed,
            _ => (CommitFailure?)null,
        };
        return failure is { } f ? new CommitConflictException(index, change.Key, f) : null;
    }

    private SortedList<string, Row>? Rows(string partition) => _partitions.GetValueOrDefault(partition);

    /// <summary>The rows with <paramref name="fromKey"/> &lt;= key &lt; <paramref name="toKey"/>, in ordinal key order.</summary>
    private IEnumerable<KeyValuePair<string, Row>> InRange(string partition, string fromKey, string toKey)
    {
        if (Rows(partition) is not { } rows)
        {
            yield break;
        }
        var keys = rows.Keys;
        for (var i = LowerBound(keys, fromKey); i < keys.Count && string.CompareOrdinal(keys[i], toKey) < 0; i++)
        {
            yield return new(keys[i], rows.Values[i]);
        }
    }

    /// <summary>The index of the first key at or after <paramref name="key"/>.</summary>
    private static int LowerBound(IList<string> keys, string key)
    {
        var (low, high) = (0, keys.Count);
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (string.CompareOrdinal(keys[middle], key) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }

    private static string Serialize(string key, object value)
    {
        var json = JsonSerializer.Serialize(value, value.GetType(), DocumentJson.Options);
        return json.Length <= MaxDocumentChars
            ? json
            : throw new InvalidOperationException($"Row {key} would hold {json.Length} characters; Table Storage holds at most {MaxDocumentChars} in a property.");
    }

    private static Stored<T> ToStored<T>(string key, Row row) =>
        new(key, JsonSerializer.Deserialize<T>(row.Json, DocumentJson.Options) ?? throw new InvalidDataException($"Row {key} holds no document."), row.ETag);
}
