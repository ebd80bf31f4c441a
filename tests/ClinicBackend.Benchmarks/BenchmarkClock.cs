using System.Diagnostics;

namespace ClinicBackend.Benchmarks;

/// <summary>
/// The app's clock in a benchmark: it starts at a chosen instant and runs at real speed from there, so that
/// texts deferred for 30 seconds come due again 30 seconds later, as they would in production.
/// </summary>
public sealed class BenchmarkClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _start = start;
    private long _since = Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _start + Stopwatch.GetElapsedTime(_since);
        }
    }

    /// <summary>Jumps to <paramref name="now"/> and runs on from there.</summary>
    public void Set(DateTimeOffset now)
    {
        lock (_lock)
        {
            (_start, _since) = (now, Stopwatch.GetTimestamp());
        }
    }
}
