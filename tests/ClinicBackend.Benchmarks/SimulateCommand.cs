using System.Diagnostics;
using ClinicBackend.LocalHost;
using ClinicBackend.Testing.Simulation;

namespace ClinicBackend.Benchmarks;

/// <summary>
/// The simulated clinic quarter (docs/simulation.md): the same seed with reminders, self-service and the waitlist on
/// and off, both at once on one Azurite, and a table of what each run measured through the app's own report.
/// </summary>
public static class SimulateCommand
{
    public static async Task<IReadOnlyList<string>> RunAsync(AzuriteProcess azurite, int weeks, int chairs, int seed, SimulationStore store)
    {
        var model = new PatientModel();
        var lines = new List<string>
        {
            $"simulate: {weeks} weeks from {SimulationOptions.FirstDay:yyyy-MM-dd}, {chairs} chairs, seed {seed}; store: {StoreName(store)}; the model:",
        };
        lines.AddRange(model.Parameters.Select(p => "  " + p));
        lines.Add($"  {"course",-44} {"",8}  {PatientModel.CourseSource}");
        var watch = Stopwatch.StartNew();
        var runs = await Task.WhenAll(
            ClinicSimulation.RunAsync(new SimulationOptions(weeks, chairs, seed, Features: true, store), model, azurite.ConnectionString),
            ClinicSimulation.RunAsync(new SimulationOptions(weeks, chairs, seed, Features: false, store), model, azurite.ConnectionString));
        var elapsed = watch.Elapsed;
        lines.Add("");
        lines.AddRange(Table(runs));
        foreach (var run in runs)
        {
            lines.Add("");
            lines.Add($"where the time went with everything {(run.Options.Features ? "on" : "off")}:");
            lines.AddRange(run.Profile.Select(p => "  " + p));
        }
        lines.Add("");
        lines.Add($"both runs together: {Results.F(elapsed.TotalSeconds)} s on {StoreName(store)}; load average {Measure.LoadAverage()}");
        Results.Add($"simulate {weeks} weeks x {chairs} chairs, both runs, {StoreName(store)}", $"{Results.F(elapsed.TotalSeconds)} s", "< 300 s", elapsed.TotalSeconds < 300);
        return lines;
    }

    private static string StoreName(SimulationStore store) => store == SimulationStore.Memory
        ? "the in-memory store (the event queue on Azurite)"
        : "the table store on Azurite";

    public static IEnumerable<string> Table(IEnumerable<SimulationResult> runs)
    {
        yield return "| reminders, self-service, waitlist | utilisation | no-show rate | refill rate | median minutes to refill | texts per visit | storage requests | sessions booked | fulfilled | seconds |";
        yield return "|---|---|---|---|---|---|---|---|---|---|";
        foreach (var run in runs)
        {
            var chairs = run.Chairs;
            var median = chairs["medianMinutesToRefill"] is { } m ? Results.F(m.GetValue<double>()) : "-";
            yield return $"| {(run.Options.Features ? "on" : "off")} | {Results.Percent(chairs["utilisation"]!.GetValue<double>())} "
                + $"| {Results.Percent(run.Report["noShowRate"]!.GetValue<double>())} | {Results.Percent(chairs["refillRate"]!.GetValue<double>())} | {median} "
                + $"| {Results.F(run.TextsPerVisit, "F2")} | {run.StorageRequests} | {run.SessionsBooked} | {run.Fulfilled} | {Results.F(run.Elapsed.TotalSeconds)} |";
        }
    }
}
