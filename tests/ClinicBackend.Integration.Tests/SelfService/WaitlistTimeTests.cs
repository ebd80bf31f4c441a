namespace ClinicBackend.Integration.Tests.SelfService;

/// <summary>
/// Offers keep the patient's quiet hours in the patient's own zone, across a daylight-saving change, while the
/// times in texts stay the clinic's. Friday 2027-03-12 in New York; clocks spring forward on Sunday the 14th.
/// </summary>
public sealed class WaitlistTimeTests : TwilioAppTest
{
    protected override DateTimeOffset StartTime => new(2027, 3, 12, 14, 0, 0, TimeSpan.Zero); // 09:00 EST, 06:00 PST

    protected override ClinicOptions ClinicOptions => new()
    {
        Adjust = body => body["selfService"] = new { waitlist = true },
    };

    private string _booked = null!;

    protected override async Task SetUpAsync() =>
        _booked = (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2027-03-15T10:00")).Expect(201)["id"]!;

    private async Task<(string Patient, string Phone)> WaitAsync(string? timeZone = null)
    {
        var phone = Fixtures.UniquePhone();
        var body = Fixtures.PatientBody(phone);
        body["timeZone"] = timeZone;
        var patient = (await Clinic.PostAsync("/patients", body)).Expect(201);
        Assert.Equal(timeZone, patient["timeZone"]);
        (await Clinic.PostAsync("/waitlist", new { patientId = patient["id"], from = "2027-03-15", to = "2027-03-15", earliest = "09:00", latest = "12:00" })).Expect(201);
        return (patient["id"]!, phone);
    }

    private async Task CancelAsync() =>
        (await Clinic.PostAsync($"/sessions/{_booked}/cancel", new { reason = "Moved away." })).Expect(200);

    private async Task DispatchAtAsync(int day, int hour, int minute)
    {
        App.Clock.SetUtcNow(new DateTimeOffset(2027, 3, day, hour, minute, 5, TimeSpan.Zero));
        await App.RunFunctionAsync("DispatchSms");
    }

    [Fact]
    public async Task A_chair_freed_in_the_night_of_the_change_is_offered_at_8_in_summer_time()
    {
        var waiting = await WaitAsync();
        App.Clock.SetUtcNow(new DateTimeOffset(2027, 3, 14, 6, 30, 0, TimeSpan.Zero)); // 01:30 EST
        await CancelAsync();
        await DispatchAtAsync(14, 11, 59); // 07:59 EDT
        Assert.Empty(Twilio.Accepted);
        await DispatchAtAsync(14, 12, 0); // 08:00 EDT
        var offer = Assert.Single(Twilio.Accepted);
        Assert.Equal(waiting.Phone, offer.To);
        Assert.Equal("A visit opened at Riverside Behavioral Health: Mon Mar 15, 10:00 AM. Reply 1 to take it in the next 30 min.", offer.Body);
    }

    [Fact]
    public async Task A_patient_in_another_zone_is_texted_in_their_morning_with_the_clinics_time_named()
    {
        var waiting = await WaitAsync("America/Los_Angeles");
        await CancelAsync();
        await DispatchAtAsync(12, 14, 0); // 09:00 in New York, 06:00 in Los Angeles
        Assert.Empty(Twilio.Accepted);
        await DispatchAtAsync(12, 16, 0); // 08:00 in Los Angeles
        var offer = Assert.Single(Twilio.Accepted);
        Assert.Equal("A visit opened at Riverside Behavioral Health: Mon Mar 15, 10:00 AM (New York time). Reply 1 to take it in the next 30 min.", offer.Body);
        Assert.Equal("Riverside Behavioral Health: done, you have a new visit Mon Mar 15, 10:00 AM (New York time). Someone must drive you home.",
            await TextAsync(waiting.Phone, "1"));
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("America/New York")]
    [InlineData("GMT+25")]
    public async Task A_patient_time_zone_must_be_an_IANA_zone(string zone)
    {
        var body = Fixtures.PatientBody(Fixtures.UniquePhone());
        body["timeZone"] = zone;
        var refused = (await Clinic.PostAsync("/patients", body)).ExpectProblem(400);
        Assert.Contains("timeZone", refused.Body);
    }
}
