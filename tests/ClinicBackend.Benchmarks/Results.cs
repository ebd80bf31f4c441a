using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace ClinicBackend.Benchmarks;

/// <summary>A goal as measured in this run: what was measured, the target, and whether it was met.</summary>
public sealed record Goal(string Benchmark, string Measured, string Target, bool Met);

/// <summary>The goals the benchmarks of one run measured, written as a table with the machine and date.</summary>
public static class Results
{
    private static readonly ConcurrentQueue<Goal> Goals = new();

    public static void Add(string benchmark, string measured, string target, bool met) => Goals.Enqueue(new Goal(benchmark, measured, target, met));

    public static string F(double value, string format = "F1") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Percent(double ratio) => F(ratio * 100, "F0") + "%";

    /// <summary>The machine as the table names it: cores, CPU, OS, .NET, and how busy it was (the load average).</summary>
    public static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        return $"{Environment.ProcessorCount} cores ({cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}), {RuntimeInformation.OSDescription}, "
            + $".NET {Environment.Version}, Azurite on loopback; load average {load}";
    }

    /// <summary>Prints the goals of the run as a Markdown table and writes it to benchmark-results/; nothing when none were measured.</summary>
    public static async Task WriteTableAsync(string which, string command)
    {
        if (Goals.IsEmpty)
        {
            return;
        }
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine()}, with `{command}`:")
            .AppendLine()
            .AppendLine("| benchmark | measured | goal | met |")
            .AppendLine("|---|---|---|---|");
        foreach (var goal in Goals)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {goal.Benchmark} | {goal.Measured} | {goal.Target} | {(goal.Met ? "yes" : "**no**")} |");
        }
        Console.WriteLine();
        Console.Write(text);
        var folder = Path.Combine(ClinicBackend.LocalHost.RepositoryRoot.Find(), "benchmark-results");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, $"{which}-{DateTime.UtcNow:yyyyMMddTHHmmss}.md"), text.ToString());
    }
}
