using ClinicBackend.Application.Persistence;

namespace ClinicBackend.Benchmarks;

/// <summary>Counts storage requests and rows read: a measure of a run's work that does not depend on the emulator's speed.</summary>
public sealed class CountingStore(IDocumentStore inner) : IDocumentStore
{
    /// <summary>Table Storage (and Azurite) answer a query at most this many rows at a time; each further page is another request.</summary>
    public const int RowsPerPage = 1000;

    private long _requests;
    private long _pages;
    private long _rowsRead;

    public (long Requests, long RowsRead) Reset()
    {
        Interlocked.Exchange(ref _pages, 0);
        return (Interlocked.Exchange(ref _requests, 0), Interlocked.Exchange(ref _rowsRead, 0));
    }

    /// <summary>Like <see cref="Reset"/>, with the pages the queries took (the HTTP requests storage answered).</summary>
    public (long Requests, long Pages, long RowsRead) ResetWithPages()
    {
        var pages = Interlocked.Exchange(ref _pages, 0);
        var (requests, rows) = Reset();
        return (requests, pages, rows);
    }

    public async Task<Stored<T>?> GetAsync<T>(string partition, string key, CancellationToken ct)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _pages);
        var row = await inner.GetAsync<T>(partition, key, ct);
        Interlocked.Add(ref _rowsRead, row is null ? 0 : 1);
        return row;
    }

    public async Task<IReadOnlyList<Stored<T>>> QueryPrefixAsync<T>(string partition, string prefix, CancellationToken ct, int? take = null)
    {
        Interlocked.Increment(ref _requests);
        var rows = await inner.QueryPrefixAsync<T>(partition, prefix, ct, take);
        CountRows(rows.Count);
        return rows;
    }

    public async Task<IReadOnlyList<Stored<T>>> QueryRangeAsync<T>(string partition, string fromKey, string toKey, CancellationToken ct, int? take = null)
    {
        Interlocked.Increment(ref _requests);
        var rows = await inner.QueryRangeAsync<T>(partition, fromKey, toKey, ct, take);
        CountRows(rows.Count);
        return rows;
    }

    public Task CommitAsync(string partition, IReadOnlyList<Change> changes, CancellationToken ct)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _pages);
        return inner.CommitAsync(partition, changes, ct);
    }

    public Task<bool> PingAsync(CancellationToken ct) => inner.PingAsync(ct);

    private void CountRows(int rows)
    {
        Interlocked.Add(ref _rowsRead, rows);
        Interlocked.Add(ref _pages, Math.Max(1, (rows + RowsPerPage - 1) / RowsPerPage));
    }
}
