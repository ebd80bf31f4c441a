using ClinicBackend.Testing.Simulation;
using Xunit.Abstractions;

namespace ClinicBackend.Integration.Tests.Reports;

/// <summary>
/// The simulated clinic (docs/simulation.md) at the smallest size: one week of one chair and eight patients with reminders,
/// self-service and the waitlist on, twice with one seed. The full quarter is run by hand (the benchmarks' simulate command).
/// </summary>
public sealed class SimulationTests(ITestOutputHelper output)
{
    private static readonly SimulationOptions Week = new(Weeks: 1, Chairs: 1, Seed: 1, Features: true);

    /// <summary>Half the patients of the model clinic, so the suite's run stays short; the figures still hold every kind of outcome.</summary>
    private static readonly PatientModel Fewer = new() { PatientsPerChair = new("patients per chair at the start", 8, "test") };

    [Fact]
    public async Task A_seed_gives_the_same_week_and_its_figures_add_up()
    {
        var runs = await Task.WhenAll(ClinicSimulation.RunAsync(Week, Fewer), ClinicSimulation.RunAsync(Week, Fewer));
        output.WriteLine($"{runs[0].Elapsed.TotalSeconds:0.0} s and {runs[1].Elapsed.TotalSeconds:0.0} s; {runs[0].SessionsBooked} sessions booked");

        // The same visits, texts and figures (the report names the dates of the run, nothing random).
        Assert.Equal(runs[0].Report.ToJsonString(), runs[1].Report.ToJsonString());
        Assert.Equal((runs[0].SessionsBooked, runs[0].TextsSent), (runs[1].SessionsBooked, runs[1].TextsSent));

        var (report, chairs) = (runs[0].Report, runs[0].Chairs);
        var sessions = report["sessions"]!;
        int Count(string status) => sessions[status]!.GetValue<int>();
        double Hours(string name) => chairs[name]!.GetValue<double>();
        // Every session of the week ended in exactly one status: none still booked or in the chair.
        Assert.Equal((0, 0), (Count("booked"), Count("arrived")));
        Assert.Equal(runs[0].SessionsInPeriod, Count("fulfilled") + Count("noshow") + Count("cancelled"));
        Assert.True(Count("fulfilled") > 0 && Count("noshow") + Count("cancelled") > 0, report.ToJsonString());
        // One chair, Monday-Thursday 08:00-18:00 and Friday 08:00-16:00.
        Assert.Equal(48, Hours("availableHours"));
        Assert.Equal(2 * (Count("fulfilled") + Count("noshow")), Hours("bookedHours")); // two-hour visits; a no-show held its chair
        Assert.Equal(2 * Count("fulfilled"), Hours("fulfilledHours"));
        Assert.InRange(Hours("bookedHours"), 0, Hours("availableHours"));
        Assert.InRange(Hours("refilledHours"), 0, Hours("freedHours"));
        Assert.True(runs[0].TextsSent > 0);
    }
}
