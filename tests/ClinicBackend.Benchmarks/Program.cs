using System.Text.Json;
using ClinicBackend.Benchmarks;
using ClinicBackend.LocalHost;

// dotnet run -c Release --project tests/ClinicBackend.Benchmarks -- booking|inbound|planning|history|dispatch|timers|faults|reports|simulate [--per-client N] [--per-second N] [--texts N] [--scale suite] [--runs N]
//   history also takes [--clinics N] [--history N] (past sessions a clinic at 1x; default 20 and 200); timers [--clinics N] (default 20)
//   dispatch also takes [--answer-ms N] (the stand-in answers each create after N ms; default 0) [--clinics N] (clinics the texts belong to; default 10) [--in-memory] (Azurite without its disk store, as reports and simulate always run)
//   simulate takes [--weeks N] [--chairs N] [--seed N] (default 12, 4, 7) [--store memory|azurite] (default memory)
var which = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "booking";
var perClient = args.SkipWhile(a => a != "--per-client").Skip(1).Select(int.Parse).FirstOrDefault(which == "inbound" ? 200 : 40);
var perSecond = args.SkipWhile(a => a != "--per-second").Skip(1).Select(int.Parse).FirstOrDefault(50);
int Option(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).Select(int.Parse).FirstOrDefault(fallback);

var data = Path.Combine(Path.GetTempPath(), "clinic-bench-" + Guid.NewGuid().ToString("N"));
using var removeData = new FolderRemoval(data); // declared before Azurite, so removed after it stops
// The reports benchmark seeds half a million rows: Azurite keeps them in memory rather than rewriting its database file every few seconds.
// So does the simulation: a quarter writes tens of thousands of rows. --in-memory does the same for any benchmark.
var inMemory = which is "reports" or "simulate" || args.Contains("--in-memory");
await using var azurite = await AzuriteProcess.StartAsync(data, defaultPorts: false, Console.WriteLine, inMemory: inMemory);
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; Azurite on loopback ({(inMemory ? "in memory" : "disk-backed")}); load average {Measure.LoadAverage()}");

if (which is not "inbound")
{
    IReadOnlyList<string> lines = which switch
    {
        "booking" => await BookingBenchmark.RunAsync(azurite, perClient),
        "planning" => await ReminderBenchmark.PlanningAsync(azurite, clinics: 100, sessionsPerClinic: 40),
        "history" => await ReminderBenchmark.HistoryAsync(azurite, clinics: Option("--clinics", 20), sessionsPerClinic: 40, historyPerClinic: Option("--history", 200)),
        "timers" => await TimerBenchmark.RunAsync(azurite, clinics: Option("--clinics", 20)),
        "faults" => await FaultsAsync(azurite, args),
        "reports" => await ReportBenchmark.RunAsync(azurite, runs: Option("--runs", 10)),
        "dispatch" => await DispatchBenchmark.RunAsync(azurite, new DispatchBenchmark.Setup(perSecond, Texts: Option("--texts", Math.Max(600, perSecond * 12)),
            AnswerMs: Option("--answer-ms", 0), Clinics: Option("--clinics", 10)), ceiling: perSecond >= 200),
        "simulate" => await SimulateCommand.RunAsync(azurite, weeks: Option("--weeks", 12), chairs: Option("--chairs", 4), seed: Option("--seed", 7), Store(args)),
        _ => throw new ArgumentException($"unknown benchmark '{which}' (booking, inbound, planning, history, dispatch, timers, faults, reports, simulate)"),
    };
    lines.ToList().ForEach(Console.WriteLine);
    Directory.CreateDirectory(Path.Combine(RepositoryRoot.Find(), "benchmark-results"));
    await File.WriteAllLinesAsync(Path.Combine(RepositoryRoot.Find(), "benchmark-results", $"{which}-{DateTime.UtcNow:yyyyMMddTHHmmss}.txt"), lines);
    await Results.WriteTableAsync(which, "dotnet run -c Release --project tests/ClinicBackend.Benchmarks -- " + string.Join(' ', args));
    return;
}
var (results, breakdown) = await InboundBenchmark.RunAsync(azurite, perClient);
foreach (var result in results)
{
    Console.WriteLine(result);
}
breakdown.ToList().ForEach(Console.WriteLine);
var folder = Path.Combine(RepositoryRoot.Find(), "benchmark-results");
Directory.CreateDirectory(folder);
await File.WriteAllTextAsync(Path.Combine(folder, $"{which}-{DateTime.UtcNow:yyyyMMddTHHmmss}.json"),
    JsonSerializer.Serialize(results.Select(r => new { r.Name, r.Clients, r.Operations, r.Failures, r.Seconds, r.PerSecond, r.P50Ms, r.P99Ms }), new JsonSerializerOptions { WriteIndented = true }));

static ClinicBackend.Testing.Simulation.SimulationStore Store(string[] args) =>
    args.SkipWhile(a => a != "--store").Skip(1).FirstOrDefault("memory") switch
    {
        "memory" => ClinicBackend.Testing.Simulation.SimulationStore.Memory,
        "azurite" => ClinicBackend.Testing.Simulation.SimulationStore.Azurite,
        var other => throw new ArgumentException($"unknown store '{other}' (memory, azurite)"),
    };

static async Task<IReadOnlyList<string>> FaultsAsync(AzuriteProcess azurite, string[] args)
{
    var scale = args.SkipWhile(a => a != "--scale").Skip(1).FirstOrDefault() == "suite" ? ClinicBackend.Testing.Drills.DrillScale.Suite : ClinicBackend.Testing.Drills.DrillScale.Full;
    var (lines, passed) = await FaultsCommand.RunAsync(azurite, scale);
    if (!passed)
    {
        Environment.ExitCode = 1;
    }
    return lines;
}

/// <summary>Deletes the benchmark's Azurite folder when the run ends, however it ends.</summary>
internal sealed class FolderRemoval(string path) : IDisposable
{
    public void Dispose()
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
