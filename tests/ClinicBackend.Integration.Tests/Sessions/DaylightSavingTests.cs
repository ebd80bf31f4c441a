namespace ClinicBackend.Integration.Tests.Sessions;

/// <summary>Clinic-local times across daylight-saving changes, in zones north and south of the equator.</summary>
public sealed class DaylightSavingTests : ClinicAppTest
{
    private static void OpenAroundTheClock(Dictionary<string, object?> body) =>
        body["openingHours"] = new Dictionary<string, string[]?>
        {
            ["mon"] = ["00:00", "23:59"],
            ["tue"] = ["00:00", "23:59"],
            ["wed"] = ["00:00", "23:59"],
            ["thu"] = ["00:00", "23:59"],
            ["fri"] = ["00:00", "23:59"],
            ["sat"] = ["00:00", "23:59"],
            ["sun"] = ["00:00", "23:59"],
        };

    [Theory]
    // New York springs forward 2027-03-14 02:00 -> 03:00; falls back 2027-11-07 02:00 -> 01:00.
    [InlineData("America/New_York", "US", "+12125550100", "2027-03-14T02:30")]
    // Sydney springs forward 2026-10-04 02:00 -> 03:00 (already past) and 2027-10-03.
    [InlineData("Australia/Sydney", "AU", "+61291234567", "2027-10-03T02:15")]
    public async Task A_local_time_in_the_spring_forward_gap_is_refused(string zone, string country, string phone, string start)
    {
        var clinic = await AddClinicAsync(new() { TimeZone = zone, Country = country, Phone = phone, SmsFrom = phone.Replace("567", "500"), Adjust = OpenAroundTheClock });
        var patient = await clinic.RegisterPatientAsync(phone: country == "AU" ? "0412 345 678" : null);
        (await clinic.BookAsync(patient, start)).ExpectProblem(422, "nonexistent-local-time");
        var slots = (await clinic.GetAsync($"/availability?date={start[..10]}")).Expect(200).Json!["slots"]!.AsArray()
            .Select(s => s!["start"]!.ToString()).ToList();
        Assert.DoesNotContain(start, slots);
        Assert.Contains(start[..11] + "03:00", slots);
    }

    [Theory]
    [InlineData("America/New_York", "US", "+12125550100", "2027-11-07T01:30", "2027-11-07T05:30:00Z", "2027-11-07T02:30")]
    // Sydney falls back 2027-04-04 03:00 -> 02:00; 02:30 happens twice: the earlier is +11:00.
    [InlineData("Australia/Sydney", "AU", "+61291234567", "2027-04-04T02:30", "2027-04-03T15:30:00Z", "2027-04-04T03:30")]
    public async Task An_ambiguous_local_time_takes_the_earlier_instant_and_lasts_two_real_hours(
        string zone, string country, string phone, string start, string startUtc, string end)
    {
        var clinic = await AddClinicAsync(new() { TimeZone = zone, Country = country, Phone = phone, SmsFrom = phone.Replace("567", "501"), Adjust = OpenAroundTheClock });
        var patient = await clinic.RegisterPatientAsync(phone: country == "AU" ? "0412 345 679" : null);
        var booked = (await clinic.BookAsync(patient, start)).Expect(201);
        Assert.Equal(startUtc, booked["startUtc"]);
        Assert.Equal(end, booked["end"]);
        var duration = DateTimeOffset.Parse(booked["endUtc"]!, System.Globalization.CultureInfo.InvariantCulture)
            - DateTimeOffset.Parse(booked["startUtc"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromHours(2), duration);
    }

    [Fact]
    public async Task The_morning_after_spring_forward_keeps_its_wall_clock_time()
    {
        var patient = await Clinic.RegisterPatientAsync();
        var booked = (await Clinic.BookAsync(patient, "2027-03-15T09:00")).Expect(201);
        Assert.Equal("2027-03-15T13:00:00Z", booked["startUtc"]); // EDT, UTC-4
        var before = (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2027-03-12T09:00")).Expect(201);
        Assert.Equal("2027-03-12T14:00:00Z", before["startUtc"]); // EST, UTC-5
    }
}
