using System.Text.Json;
using ClinicBackend.Benchmarks;
using ClinicBackend.LocalHost;

// dotnet run -c Release --project tests/ClinicBackend.Benchmarks -- booking|inbound|planning|history|dispatch|faults|reports [--per-client N] [--per-second N] [--scale suite] [--runs N]
var which = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "booking";
var perClient = args.SkipWhile(a => a != "--per-client").Skip(1).Select(int.Parse).FirstOrDefault(200);

var data = Path.Combine(Path.GetTempPath(), "clinic-bench-" + Guid.NewGuid().ToString("N"));
// The reports benchmark seeds half a million rows: Azurite keeps them in memory rather than rewriting its database file every few seconds.
var inMemory = which == "reports";
await using var azurite = await AzuriteProcess.StartAsync(data, defaultPorts: false, Console.WriteLine, inMemory: inMemory);
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; Azurite on loopback ({(inMemory ? "in memory" : "disk-backed")}); load average {Measure.LoadAverage()}");

if (which is not ("booking" or "inbound"))
{
    IReadOnlyList<string> lines = which switch
    {
        "planning" => await ReminderBenchmark.PlanningAsync(azurite, clinics: 100, sessionsPerClinic: 40),
        "history" => await ReminderBenchmark.HistoryAsync(azurite, clinics: 20, sessionsPerClinic: 40, historyPerClinic: 200),
        "faults" => await FaultsAsync(azurite, args),
        "reports" => await ReportBenchmark.RunAsync(azurite, runs: args.SkipWhile(a => a != "--runs").Skip(1).Select(int.Parse).FirstOrDefault(10)),
        "dispatch" => await ReminderBenchmark.DispatchAsync(azurite, perSecond: args.SkipWhile(a => a != "--per-second").Skip(1).Select(int.Parse).FirstOrDefault(30), texts: args.SkipWhile(a => a != "--texts").Skip(1).Select(int.Parse).FirstOrDefault(1200)),
        _ => throw new ArgumentException($"unknown benchmark '{which}' (booking, inbound, planning, history, dispatch, faults, reports)"),
    };
    lines.ToList().ForEach(Console.WriteLine);
    Directory.CreateDirectory(Path.Combine(RepositoryRoot.Find(), "benchmark-results"));
    await File.WriteAllLinesAsync(Path.Combine(RepositoryRoot.Find(), "benchmark-results", $"{which}-{DateTime.UtcNow:yyyyMMddTHHmmss}.txt"), lines);
    return;
}
IReadOnlyList<Measure.Result> results = which == "inbound"
    ? await InboundBenchmark.RunAsync(azurite, perClient)
    : await BookingBenchmark.RunAsync(azurite, perClient);
foreach (var result in results)
{
    Console.WriteLine(result);
}
foreach (var clients in results.Select(r => r.Clients).Distinct())
{
    var bare = results.FirstOrDefault(r => r.Clients == clients && r.Name.StartsWith("bare", StringComparison.Ordinal));
    foreach (var r in results.Where(r => r.Clients == clients && r != bare && bare is not null))
    {
        Console.WriteLine($"{clients,2} clients: {r.Name} runs at {r.PerSecond / bare!.PerSecond:P0} of the bare read-modify-write rate");
    }
}
var folder = Path.Combine(RepositoryRoot.Find(), "benchmark-results");
Directory.CreateDirectory(folder);
await File.WriteAllTextAsync(Path.Combine(folder, $"{which}-{DateTime.UtcNow:yyyyMMddTHHmmss}.json"),
    JsonSerializer.Serialize(results.Select(r => new { r.Name, r.Clients, r.Operations, r.Failures, r.Seconds, r.PerSecond, r.P50Ms, r.P99Ms }), new JsonSerializerOptions { WriteIndented = true }));
try
{
    Directory.Delete(data, recursive: true);
}
catch (IOException)
{
}

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
