
namespace ClinicBackend.Application.Persistence;

/// <summary>A stored document with the concurrency tag of its row.</summary>
public sealed record Stored<T>(string Key, T Value, string ETag);

/// <summary>A stored document with the time storage last wrote its row (the row's server Timestamp).</summary>
public sealed record Written<T>(Stored<T> Row, DateTimeOffset WrittenAt);

/// <summary>Rows found by their write time, and storage's own clock when it answered (null when it did not say).</summary>
public sealed record WrittenRows<T>(IReadOnlyList<Written<T>> Rows, DateTimeOffset? ReadAt);

/// <summary>One row change inside an atomic commit to a single partition.</summary>
public abstract record Change(string Key)
{
    /// <summary>Insert; the commit fails if the row exists. Claims rest on this.</summary>
    public sealed record Insert(string Key, object Value) : Change(Key);

    /// <summary>Replace a row read earlier; the commit fails if it changed since (ETag).</summary>
    public sealed record Replace(string Key, object Value, string ETag) : Change(Key);

    /// <summary>Insert or replace without a condition (derived copies such as index rows).</summary>
    public sealed record Upsert(string Key, object Value) : Change(Key);

    /// <summary>Delete; with an ETag the commit fails if the row changed, without one it must merely exist.</summary>
    public sealed record Delete(string Key, string? ETag = null) : Change(Key);
}

public enum CommitFailure
{
    /// <summary>An inserted row already exists.</summary>
    AlreadyExists,
    /// <summary>A replaced or deleted row changed or vanished since it was read.</summary>
    Changed,
}

/// <summary>A commit changed nothing because one of its rows conflicted with the current state.</summary>
public sealed class CommitConflictException(int index, string key, CommitFailure failure)
    : Exception($"Commit refused at change {index} ({failure}).")
{
    public int Index { get; } = index;
    public string Key { get; } = key;
    public CommitFailure Failure { get; } = failure;
}

/// <summary>
/// Documents in partitions, read by key or key range, written in atomic commits of up to
/// <see cref="MaxChangesPerCommit"/> rows of one partition. Implemented on Azure Table Storage.
/// </summary>
public interface IDocumentStore
{
    public const int MaxChangesPerCommit = 100;

    Task<Stored<T>?> GetAsync<T>(string partition, string key, CancellationToken ct);

    /// <summary>Rows whose keys start with <paramref name="prefix"/>, in key order.</summary>
    Task<IReadOnlyList<Stored<T>>> QueryPrefixAsync<T>(string partition, string prefix, CancellationToken ct, int? take = null);

    /// <summary>Rows with <paramref name="fromKey"/> &lt;= key &lt; <paramref name="toKey"/>, in key order.</summary>
    Task<IReadOnlyList<Stored<T>>> QueryRangeAsync<T>(string partition, string fromKey, string toKey, CancellationToken ct, int? take = null);

    /// <summary>
    /// Rows with <paramref name="fromKey"/> &lt;= key &lt; <paramref name="toKey"/> that storage wrote at or after
    /// <paramref name="since"/> (every row when null), with their write times, in key order.
    /// </summary>
    Task<WrittenRows<T>> QueryWrittenSinceAsync<T>(string partition, string fromKey, string toKey, DateTimeOffset? since, CancellationToken ct);

    /// <summary>
    /// Applies every change or none; throws <see cref="CommitConflictException"/> on a conflict. Returns the new
    /// ETag of each change's row, in order (null for a delete), so a row just written can be replaced without a read.
    /// </summary>
    Task<IReadOnlyList<string?>> CommitAsync(string partition, IReadOnlyList<Change> changes, CancellationToken ct);

    /// <summary>True when storage answers.</summary>
    Task<bool> PingAsync(CancellationToken ct);
}
