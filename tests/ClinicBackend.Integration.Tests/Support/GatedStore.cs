using ClinicBackend.Application.Persistence;
using ClinicBackend.Testing.Drills;

namespace ClinicBackend.Integration.Tests.Support;

/// <summary>
/// The app's store, with a gate that holds one chosen commit back until the test releases it (for races where
/// a step reads, then another step commits, then the first one commits), or fails it as if the process died there.
/// It also lists the keys of point reads (and can fail the ones chosen) and where each range query starts.
/// </summary>
public sealed class GatedStore(IDocumentStore inner, GatedStore.Gate gate) : IDocumentStore
{
    public static void Install(IServiceCollection services, Gate gate) =>
        services.Decorate<IDocumentStore>((inner, _) => new GatedStore(inner, gate));

    public Task<Stored<T>?> GetAsync<T>(string partition, string key, CancellationToken ct)
    {
        gate.PointReads.Enqueue(key);
        return gate.FailsRead(key)
            ? Task.FromException<Stored<T>?>(new InvalidOperationException("Simulated storage failure on this read."))
            : inner.GetAsync<T>(partition, key, ct);
    }

    public Task<IReadOnlyList<Stored<T>>> QueryPrefixAsync<T>(string partition, string prefix, CancellationToken ct, int? take = null)
    {
        gate.Queries.Enqueue(prefix);
        return inner.QueryPrefixAsync<T>(partition, prefix, ct, take);
    }

    public Task<IReadOnlyList<Stored<T>>> QueryRangeAsync<T>(string partition, string fromKey, string toKey, CancellationToken ct, int? take = null)
    {
        gate.Queries.Enqueue(fromKey);
        return inner.QueryRangeAsync<T>(partition, fromKey, toKey, ct, take);
    }

    public Task<WrittenRows<T>> QueryWrittenSinceAsync<T>(string partition, string fromKey, string toKey, DateTimeOffset? since, CancellationToken ct)
    {
        gate.Queries.Enqueue(fromKey);
        return inner.QueryWrittenSinceAsync<T>(partition, fromKey, toKey, since, ct);
    }

    public async Task<IReadOnlyList<string?>> CommitAsync(string partition, IReadOnlyList<Change> changes, CancellationToken ct)
    {
        await gate.PassAsync(changes);
        return await inner.CommitAsync(partition, changes, ct);
    }

    public Task<bool> PingAsync(CancellationToken ct) => inner.PingAsync(ct);

    /// <summary>Holds back the first commit that matches, once; or fails the nth that matches.</summary>
    public sealed class Gate
    {
        private Pause? _armed;
        private Func<IReadOnlyList<Change>, bool>? _crash;
        private int _crashCountdown;

        /// <summary>The row key of every point read, in order.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<string> PointReads { get; } = new();

        /// <summary>The first key of every prefix or range query, in order.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<string> Queries { get; } = new();

        /// <summary>Point reads of the keys that match throw, as storage failing would.</summary>
        public Func<string, bool>? FailPointReads { get; set; }

        internal bool FailsRead(string key) => FailPointReads?.Invoke(key) == true;

        public Pause PauseNext(Func<IReadOnlyList<Change>, bool> matches) => _armed = new Pause(matches);

        /// <summary>The <paramref name="nth"/> commit (1-based) that matches throws before it reaches storage, as a dying process would.</summary>
        public void CrashAt(int nth, Func<IReadOnlyList<Change>, bool> matches)
        {
            _crashCountdown = nth;
            _crash = matches;
        }

        internal async Task PassAsync(IReadOnlyList<Change> changes)
        {
            if (_crash is { } crash && crash(changes) && Interlocked.Decrement(ref _crashCountdown) == 0)
            {
                _crash = null;
                throw new InvalidOperationException("Simulated crash: the process died before this commit.");
            }
            if (_armed is { } pause && pause.Matches(changes) && Interlocked.CompareExchange(ref _armed, null, pause) == pause)
            {
                await pause.HoldAsync();
            }
        }
    }

    public sealed class Pause(Func<IReadOnlyList<Change>, bool> matches)
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the matching commit has arrived and waits.</summary>
        public Task Reached => _reached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        public void Release() => _released.TrySetResult();

        internal bool Matches(IReadOnlyList<Change> changes) => matches(changes);

        internal Task HoldAsync()
        {
            _reached.TrySetResult();
            return _released.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
