namespace ClinicBackend.Integration.Tests.Hardening;

/// <summary>
/// Free text fields (external ids, reasons, notes, who confirmed a ride) take printable text only, and a PATCH
/// that changes nothing writes nothing.
/// </summary>
public sealed class FreeTextTests : ClinicAppTest
{
    private string _patient = null!;
    private string _session = null!;

    protected override async Task SetUpAsync()
    {
        _patient = await Clinic.RegisterPatientAsync();
        _session = (await Clinic.BookAsync(_patient, "2026-12-02T09:00")).Expect(201)["id"]!;
    }

    /// <summary>Audit entries of changes (reads are audited too, in the background).</summary>
    private async Task<int> AuditCountAsync() => (await Clinic.GetAsync("/audit?limit=1000", Clinic.Admin)).Expect(200).Json!["entries"]!.AsArray()
        .Count(e => !e!["action"]!.ToString().EndsWith("-viewed", StringComparison.Ordinal));

    [Theory]
    [InlineData("externalId", "EHR\u0000123")]
    [InlineData("externalId", "")]
    [InlineData("givenName", "Ana\u202E")]
    [InlineData("familyName", "\u200FSilva")]
    public async Task Patient_fields_with_control_or_direction_characters_are_400s(string field, string value)
    {
        var refused = (await App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{_patient}", Clinic.Staff, new Dictionary<string, string> { [field] = value })).ExpectProblem(400);
        Assert.True(refused.Json!["errors"]![field] is not null, refused.Body);
    }

    [Fact]
    public async Task Reasons_and_notes_take_line_breaks_but_no_control_characters()
    {
        (await Clinic.PostAsync($"/sessions/{_session}/cancel", new { reason = "ill\u001b[2J" })).ExpectProblem(400);
        (await Clinic.PostAsync($"/sessions/{_session}/ride", new { confirmedBy = "son\r\nX-Injected: 1" })).ExpectProblem(400);
        (await Clinic.PostAsync($"/sessions/{_session}/cancel", new { reason = "Ill.\nWill call back to rebook." })).Expect(200);

        var other = (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-02T11:00")).Expect(201)["id"]!;
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 19, 0, 0, TimeSpan.Zero));
        await App.RunFunctionAsync("SweepMissedSessions");
        var flag = (await Clinic.FlagsAsync("missed-session")).Single(f => f!["sessionId"]!.ToString() == other)!["id"]!.ToString();
        (await Clinic.PostAsync($"/flags/{flag}/resolve", new { note = "Called\u0007" })).ExpectProblem(400);
        (await Clinic.PostAsync($"/flags/{flag}/resolve", new { note = "Called.\nRebooked for Friday." })).Expect(200);
    }

    [Fact]
    public async Task A_patch_that_changes_nothing_keeps_the_version_and_writes_no_audit()
    {
        var clinic = (await Clinic.GetAsync("", Clinic.Admin)).Expect(200);
        var patient = (await Clinic.GetAsync($"/patients/{_patient}")).Expect(200);
        var audits = await AuditCountAsync();

        Assert.Equal(clinic["version"], (await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, new { })).Expect(200)["version"]);
        Assert.Equal(clinic["version"], (await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, new { name = clinic["name"] })).Expect(200)["version"]);
        Assert.Equal(patient["version"], (await App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{_patient}", Clinic.Staff, new { })).Expect(200)["version"]);
        Assert.Equal(patient["version"], (await App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{_patient}", Clinic.Staff,
            new { givenName = patient["givenName"], course = new { maintenanceIntervalDays = 14 } })).Expect(200)["version"]);
        Assert.Equal(audits, await AuditCountAsync());

        var changed = (await App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{_patient}", Clinic.Staff, new { givenName = "Ana María" })).Expect(200);
        Assert.Equal(int.Parse(patient["version"]!) + 1, int.Parse(changed["version"]!));
        Assert.Equal(audits + 1, await AuditCountAsync());
    }
}
