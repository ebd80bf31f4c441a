using System.Collections.Concurrent;
using System.Diagnostics;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Messaging;
using NodaTime;

namespace ClinicBackend.Benchmarks;

/// <summary>One storage or queue call seen by a probe: what it was, when it started (Stopwatch ticks) and how long it took.</summary>
public sealed record StorageCall(string Label, long Started, double Ms, StorageCall.Kind Op, string Partition, string Key, string? ToKey, IReadOnlyList<Change>? Changes, int Rows)
{
    public enum Kind { Get, Range, Commit, Queue }

    public long Ended => Started + (long)(Ms * Stopwatch.Frequency / 1000);
}

/// <summary>
/// Counts storage requests, rows read and commit conflicts: a measure of a run's work that does not depend on
/// the emulator's speed. While <see cref="Tracing"/> is on it also keeps every call with its timing.
/// </summary>
public sealed class CountingStore(IDocumentStore inner) : IDocumentStore
{
    /// <summary>Table Storage (and Azurite) answer a query at most this many rows at a time; each further page is another request.</summary>
    public const int RowsPerPage = 1000;

    private long _requests;
    private long _pages;
    private long _rowsRead;
    private long _conflicts;
    private long _queueCalls;
    private long _requestTicks;
    private readonly ConcurrentQueue<double> _receiveMs = new();

    public ConcurrentQueue<StorageCall> Calls { get; } = new();

    public bool Tracing { get; set; }

    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Queue calls (outbox puts, event publications) since the start; not storage requests.</summary>
    public long QueueCalls => Interlocked.Read(ref _queueCalls);

    /// <summary>How long the outbox receives since the last <see cref="Reset"/> took, in ms, in the order they ended.</summary>
    public IReadOnlyList<double> ReceiveMs => [.. _receiveMs];

    /// <summary>The mean time of a storage request since the last <see cref="Reset"/>, in ms.</summary>
    public double MeanRequestMs => Interlocked.Read(ref _requests) is var n and > 0 ? Interlocked.Read(ref _requestTicks) * 1000.0 / Stopwatch.Frequency / n : 0;

    public (long Requests, long RowsRead) Reset()
    {
        Interlocked.Exchange(ref _pages, 0);
        Interlocked.Exchange(ref _requestTicks, 0);
        _receiveMs.Clear();
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
        var started = Stopwatch.GetTimestamp();
        var row = await inner.GetAsync<T>(partition, key, ct);
        Count(started, StorageCall.Kind.Get, partition, key, null, null, row is null ? 0 : 1);
        return row;
    }

    public Task<IReadOnlyList<Stored<T>>> QueryPrefixAsync<T>(string partition, string prefix, CancellationToken ct, int? take = null) =>
        QueryRangeAsync<T>(partition, prefix, Keys.PrefixEnd(prefix), ct, take);

    public async Task<IReadOnlyList<Stored<T>>> QueryRangeAsync<T>(string partition, string fromKey, string toKey, CancellationToken ct, int? take = null)
    {
        var started = Stopwatch.GetTimestamp();
        var rows = await inner.QueryRangeAsync<T>(partition, fromKey, toKey, ct, take);
        Count(started, StorageCall.Kind.Range, partition, fromKey, toKey, null, rows.Count);
        return rows;
    }

    public async Task<WrittenRows<T>> QueryWrittenSinceAsync<T>(string partition, string fromKey, string toKey, DateTimeOffset? since, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var rows = await inner.QueryWrittenSinceAsync<T>(partition, fromKey, toKey, since, ct);
        Count(started, StorageCall.Kind.Range, partition, fromKey, toKey, null, rows.Rows.Count);
        return rows;
    }

    public async Task<IReadOnlyList<string?>> CommitAsync(string partition, IReadOnlyList<Change> changes, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await inner.CommitAsync(partition, changes, ct);
        }
        catch (CommitConflictException)
        {
            Interlocked.Increment(ref _conflicts);
            throw;
        }
        finally
        {
            Count(started, StorageCall.Kind.Commit, partition, changes[0].Key, null, changes, 0);
        }
    }

    public Task<bool> PingAsync(CancellationToken ct) => inner.PingAsync(ct);

    /// <summary>A queue call (outbox or event sink), traced beside the storage calls.</summary>
    public void CountQueue(long started, string label)
    {
        Interlocked.Increment(ref _queueCalls);
        if (Tracing)
        {
            Calls.Enqueue(new StorageCall(label, started, Stopwatch.GetElapsedTime(started).TotalMilliseconds, StorageCall.Kind.Queue, "", "", null, null, 0));
        }
    }

    /// <summary>An outbox receive: timed, not counted as a storage request.</summary>
    public void CountReceive(long started) => _receiveMs.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

    private void Count(long started, StorageCall.Kind op, string partition, string key, string? toKey, IReadOnlyList<Change>? changes, int rows)
    {
        Interlocked.Add(ref _requestTicks, Stopwatch.GetTimestamp() - started);
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _rowsRead, rows);
        Interlocked.Add(ref _pages, op == StorageCall.Kind.Range ? Math.Max(1, (rows + RowsPerPage - 1) / RowsPerPage) : 1);
        if (Tracing)
        {
            Calls.Enqueue(new StorageCall(LabelOf(op, key, changes), started, Stopwatch.GetElapsedTime(started).TotalMilliseconds, op, partition, key, toKey, changes, rows));
        }
    }

    /// <summary>What a call is for, told by the row keys it touches.</summary>
    private static string LabelOf(StorageCall.Kind op, string key, IReadOnlyList<Change>? changes)
    {
        var kind = key.Split('|')[0];
        return op switch
        {
            StorageCall.Kind.Get => kind switch
            {
                "clinic" => "read clinic settings (access check)",
                "member" => "read membership (access check)",
                "patient" => "read patient",
                "pday" => "read patient's claim on the day",
                "msg" => "read reminder row (planned already?)",
                _ => $"read {kind} row",
            },
            StorageCall.Kind.Range => kind == "chair" ? "read chair claims (range)" : $"read {kind} rows (range)",
            _ when changes!.Any(c => c is Change.Insert && c.Key.StartsWith("session|", StringComparison.Ordinal)) =>
                changes!.Any(c => c.Key.StartsWith("msg|", StringComparison.Ordinal))
                    ? $"booking transaction with its reminder ({changes!.Count} rows)"
                    : $"booking transaction ({changes!.Count} rows)",
            _ when kind == "msg" => $"reminder transaction ({changes!.Count} rows)",
            _ when kind == "event" => "delete published event row (after the response)",
            _ => $"commit {kind} ({changes!.Count} rows)",
        };
    }

    /// <summary>Wraps the app's store, outbox and event sink, so that every storage and queue call is counted here.</summary>
    public static void Install(IServiceCollection services)
    {
        CountingStore? probe = null;
        var store = services.Last(d => d.ServiceType == typeof(IDocumentStore));
        services.AddSingleton<IDocumentStore>(sp => probe = new CountingStore((IDocumentStore)store.ImplementationFactory!(sp)));
        var outbox = services.Last(d => d.ServiceType == typeof(ISmsOutbox));
        services.AddSingleton<ISmsOutbox>(sp => new CountingOutbox((ISmsOutbox)outbox.ImplementationFactory!(sp), Probe(sp)));
        var sink = services.Last(d => d.ServiceType == typeof(IClinicEventSink));
        services.AddSingleton<IClinicEventSink>(sp => new CountingSink((IClinicEventSink)sink.ImplementationFactory!(sp), Probe(sp)));

        CountingStore Probe(IServiceProvider sp) => probe ?? (CountingStore)sp.GetRequiredService<IDocumentStore>();
    }

    private sealed class CountingOutbox(ISmsOutbox inner, CountingStore probe) : ISmsOutbox
    {
        public async Task EnqueueAsync(OutboxMessage message, Instant sendAt, CancellationToken ct)
        {
            var started = Stopwatch.GetTimestamp();
            await inner.EnqueueAsync(message, sendAt, ct);
            probe.CountQueue(started, "queue put: the text's wake-up");
        }

        public async Task<IReadOnlyList<IOutboxDelivery>> ReceiveAsync(int max, CancellationToken ct)
        {
            var started = Stopwatch.GetTimestamp();
            var received = await inner.ReceiveAsync(max, ct);
            probe.CountReceive(started);
            return received;
        }

        public Task<IReadOnlyList<IOutboxDelivery>> ReceiveDeadLetteredAsync(int max, CancellationToken ct) => inner.ReceiveDeadLetteredAsync(max, ct);
    }

    private sealed class CountingSink(IClinicEventSink inner, CountingStore probe) : IClinicEventSink
    {
        public async Task PublishAsync(IReadOnlyList<ClinicEvent> events, CancellationToken ct)
        {
            var started = Stopwatch.GetTimestamp();
            await inner.PublishAsync(events, ct);
            probe.CountQueue(started, "publish event (after the response)");
        }
    }
}
