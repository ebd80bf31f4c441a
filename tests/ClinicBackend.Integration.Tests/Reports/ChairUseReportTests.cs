using System.Text.Json.Nodes;

namespace ClinicBackend.Integration.Tests.Reports;

/// <summary>
/// The report's chair figures over the API: a chair freed by a cancellation and taken from the waitlist by text, and a
/// staff move that leaves one time and takes freed time. One chair, open 08:00-18:00 on Tuesdays; Monday 2026-11-30
/// 10:00 New York.
/// </summary>
public sealed class ChairUseReportTests : TwilioAppTest
{
    protected override ClinicOptions ClinicOptions => new()
    {
        Chairs = 1,
        Adjust = body => body["selfService"] = new { waitlist = true, waitlistOfferMinutes = 30 },
    };

    private async Task<string> BookAsync(string start) => (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), start)).Expect(201)["id"]!;

    private async Task<JsonNode> ChairsAsync(string from, string to) =>
        (await Clinic.GetAsync($"/reports/summary?from={from}&to={to}", Clinic.Admin)).Expect(200).Json!["chairs"]!;

    private static void AssertChairs(JsonNode chairs, double available, double booked, double fulfilled, double freed, double refilled, double refillRate, double? median)
    {
        Assert.Equal(
            (available, booked, fulfilled, freed, refilled, refillRate, median),
            (chairs["availableHours"]!.GetValue<double>(), chairs["bookedHours"]!.GetValue<double>(), chairs["fulfilledHours"]!.GetValue<double>(),
                chairs["freedHours"]!.GetValue<double>(), chairs["refilledHours"]!.GetValue<double>(), chairs["refillRate"]!.GetValue<double>(),
                chairs["medianMinutesToRefill"]?.GetValue<double>()));
        Assert.Equal(Math.Round(fulfilled / available, 4), chairs["utilisation"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_cancellation_the_waitlist_refills_is_freed_and_refilled_once_with_its_minutes()
    {
        var cancelled = await BookAsync("2026-12-01T10:00");
        var phone = Fixtures.UniquePhone();
        var waiting = await Clinic.RegisterPatientAsync(phone);
        (await Clinic.PostAsync("/waitlist", new { patientId = waiting, from = "2026-12-01", to = "2026-12-04", earliest = "09:00", latest = "12:00" })).Expect(201);

        App.Clock.Advance(TimeSpan.FromMinutes(1));
        (await Clinic.PostAsync($"/sessions/{cancelled}/cancel", new { reason = "Patient is travelling." })).Expect(200);
        await App.RunFunctionAsync("DispatchSms");
        App.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Contains("you have a new visit", await TextAsync(phone, "1"));
        App.Clock.Advance(TimeSpan.FromMinutes(1));
        await TextAsync(phone, "1"); // a repeated answer takes nothing more
        await App.RunFunctionAsync("ExpireOffers");

        // Tuesday: one chair 10 hours; the waitlist patient's 2 hours booked; the cancelled 2 hours freed and taken 4 minutes later.
        AssertChairs(await ChairsAsync("2026-12-01", "2026-12-01"), 10, 2, 0, 2, 2, 1, 4);
        var released = await StoredRows.PartitionAsync(App, Clinic.ClinicId, "rfreed|");
        Assert.StartsWith($"rfreed|2026-12-01|1000|{cancelled}|", Assert.Single(released.Keys));

        // Once the day is past, its figures are stored and read back the same; the freed record stays after the waitlist's slot went.
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 3, 15, 0, 0, TimeSpan.Zero));
        Assert.Empty(await StoredRows.PartitionAsync(App, Clinic.ClinicId, "freedslot|"));
        var stored = await ChairsAsync("2026-11-30", "2026-12-02");
        Assert.Contains("rday|2026-12-01|sessions", (await StoredRows.PartitionAsync(App, Clinic.ClinicId, "rday|")).Keys);
        Assert.Equal(stored.ToJsonString(), (await ChairsAsync("2026-11-30", "2026-12-02")).ToJsonString());
        AssertChairs(stored, 30, 2, 0, 2, 2, 1, 4); // Monday from 10:00 counts whole: the clinic's first day is a day of the clinic
    }

    [Fact]
    public async Task A_move_that_leaves_one_time_and_takes_freed_time_counts_as_freed_and_refilled()
    {
        var cancelled = await BookAsync("2026-12-01T10:00");
        var mover = await BookAsync("2026-12-01T14:00");
        (await Clinic.PostAsync($"/sessions/{cancelled}/cancel", new { reason = "unwell" })).Expect(200);
        App.Clock.Advance(TimeSpan.FromMinutes(30));
        (await Clinic.PostAsync($"/sessions/{mover}/reschedule", new { start = "2026-12-01T10:00" })).Expect(200);

        // 10:00-12:00 cancelled and 14:00-16:00 left: 4 hours freed; the move took 10:00-12:00 back 30 minutes after its release.
        AssertChairs(await ChairsAsync("2026-12-01", "2026-12-01"), 10, 2, 0, 4, 2, 0.5, 30);

        // Moving on to Wednesday releases Tuesday 10:00 again and books freed-free time there: counted on each day.
        App.Clock.Advance(TimeSpan.FromMinutes(10));
        (await Clinic.PostAsync($"/sessions/{mover}/reschedule", new { start = "2026-12-02T10:00" })).Expect(200);
        AssertChairs(await ChairsAsync("2026-12-01", "2026-12-01"), 10, 0, 0, 6, 2, 0.3333, 30);
        AssertChairs(await ChairsAsync("2026-12-02", "2026-12-02"), 10, 2, 0, 0, 0, 0, null);
    }
}
