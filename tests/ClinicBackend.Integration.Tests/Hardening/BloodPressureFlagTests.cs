namespace ClinicBackend.Integration.Tests.Hardening;

/// <summary>
/// Issue #12, finding 11: completing a session whose pre-dose reading is above 140/90, or whose discharge reading is above the
/// pre-dose one, raises a normal blood-pressure flag for the prescriber; the session is completed all the same.
/// </summary>
public sealed class BloodPressureFlagTests : ClinicAppTest
{
    public static TheoryData<string, string, string?> Readings => new()
    {
        { "150/95", "138/88", "above 140/90" },
        { "141/80", "130/78", "above 140/90" },
        { "128/92", "120/80", "above 140/90" },
        { "128/82", "131/80", "above the pre-dose reading" },
        { "128/82", "120/85", "above the pre-dose reading" },
        { "140/90", "126/80", null },
        { "128/82", "128/82", null },
    };

    [Theory]
    [MemberData(nameof(Readings))]
    public async Task Completing_with_a_reading_worth_a_look_raises_a_flag_and_still_completes(string preDose, string discharge, string? concern)
    {
        var patient = await Clinic.RegisterPatientAsync();
        var session = (await Clinic.BookAsync(patient, "2026-12-02T09:00")).Expect(201)["id"]!;
        await Clinic.StockAsync();
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 13, 55, 0, TimeSpan.Zero));
        (await Clinic.PostAsync($"/sessions/{session}/check-in")).Expect(200);
        (await Clinic.PostAsync($"/sessions/{session}/dose", new
        {
            doseMg = 84,
            devices = new[] { new { lot = Scenario.TestLot, count = 3 } },
            preDose = new { bloodPressure = preDose, spo2 = 98 },
            monitoringClinician = new { name = "Nurse Kim" },
        })).Expect(200);
        App.Clock.Advance(TimeSpan.FromMinutes(40));
        (await Clinic.PostAsync($"/sessions/{session}/observations", Scenario.ClearObservation())).Expect(201);
        App.Clock.Advance(TimeSpan.FromMinutes(85));

        var done = (await Clinic.PostAsync($"/sessions/{session}/complete", new
        {
            bloodPressure = discharge,
            vitalsAcceptable = new { beforeDose = true, afterMonitoring = true },
            adverseEvents = Array.Empty<object>(),
        })).Expect(200);
        Assert.Equal("fulfilled", done["status"]);

        var flags = await Clinic.FlagsAsync("blood-pressure");
        if (concern is null)
        {
            Assert.Empty(flags);
            return;
        }
        var flag = Assert.Single(flags)!;
        Assert.Equal("normal", flag["severity"]!.ToString());
        Assert.Equal(patient, flag["patientId"]!.ToString());
        Assert.Equal(session, flag["sessionId"]!.ToString());
        Assert.Contains(concern, flag["detail"]!.ToString());
    }
}
