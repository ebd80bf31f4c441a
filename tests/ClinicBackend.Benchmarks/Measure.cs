using System.Diagnostics;

namespace ClinicBackend.Benchmarks;

/// <summary>Runs operations from N concurrent clients and reports throughput and latency percentiles.</summary>
public static class Measure
{
    /// <summary>The middle value (the upper one of an even count); 0 for none.</summary>
    public static double Median(IReadOnlyList<double> values) => values.Count == 0 ? 0 : values.Order().ElementAt(values.Count / 2);

    public sealed record Result(string Name, int Clients, int Operations, int Failures, double Seconds, double P50Ms, double P99Ms)
    {
        public double PerSecond => Operations / Seconds;

        public override string ToString() =>
            $"{Name,-44} clients {Clients,2}  ops {Operations,5}  failed {Failures,3}  {PerSecond,8:F1}/s  p50 {P50Ms,7:F2} ms  p99 {P99Ms,7:F2} ms";
    }

    /// <summary>Each client runs <paramref name="perClient"/> operations in sequence; operation i of client c is op(c, i).</summary>
    public static async Task<Result> RunAsync(string name, int clients, int perClient, Func<int, int, Task<bool>> op)
    {
        var latencies = new double[clients * perClient];
        var failures = 0;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (var i = 0; i < perClient; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var ok = await op(c, i);
                latencies[c * perClient + i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!ok)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        total.Stop();
        Array.Sort(latencies);
        return new Result(name, clients, latencies.Length, failures, total.Elapsed.TotalSeconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99));
    }

    /// <summary>The machine's 1, 5 and 15 minute load averages: other work on it slows the emulator down.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
