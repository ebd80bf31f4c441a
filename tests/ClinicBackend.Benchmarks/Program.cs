using System.Text.Json;
using ClinicBackend.Benchmarks;
using ClinicBackend.LocalHost;

// dotnet run -c Release --project tests/ClinicBackend.Benchmarks -- [booking] [--per-client N]
var which = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "booking";
var perClient = args.SkipWhile(a => a != "--per-client").Skip(1).Select(int.Parse).FirstOrDefault(200);

var data = Path.Combine(Path.GetTempPath(), "clinic-bench-" + Guid.NewGuid().ToString("N"));
await using var azurite = await AzuriteProcess.StartAsync(data, defaultPorts: false, Console.WriteLine);
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; Azurite on loopback (disk-backed)");

IReadOnlyList<Measure.Result> results = which switch
{
    "booking" => await BookingBenchmark.RunAsync(azurite, perClient),
    _ => throw new ArgumentException($"unknown benchmark '{which}' (booking)"),
};
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
