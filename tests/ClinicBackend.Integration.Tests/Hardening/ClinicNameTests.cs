namespace ClinicBackend.Integration.Tests.Hardening;

/// <summary>
/// Issue #12, finding 7: a clinic's name goes into every text, so it names no treatment, drug or diagnosis and holds no
/// control characters; issue 27: nor invisible format characters (a soft hyphen, a zero-width space) that would hide a word.
/// </summary>
public sealed class ClinicNameTests : ClinicAppTest
{
    [Theory]
    [InlineData("Spravato Center")]
    [InlineData("Riverside Ketamine Clinic")]
    [InlineData("Esketamine Care")]
    [InlineData("Clínica de Depresión")]
    [InlineData("Northside Psychiatry")]
    [InlineData("Nasal Spray Treatment Rooms")]
    [InlineData("Riverside\u0007Clinic")]
    [InlineData("Riverside\nClinic")]
    [InlineData("Riverside\u0000")]
    [InlineData("\u001b[31mRiverside")]
    [InlineData("Riverside \u202Ecinilc")]
    [InlineData("\u2067Riverside")]
    [InlineData("Spra\u00advato Esketa\u200bmine Center")]
    [InlineData("River\u200bside")]
    [InlineData("Riverside\ufeff")]
    [InlineData("Riverside \u2060Clinic")]
    public async Task Names_that_would_leak_or_break_a_text_are_400_naming_name(string name)
    {
        var body = Fixtures.ClinicBody();
        body["name"] = name;
        var created = await App.PostAsync("/api/clinics", Clinic.PlatformAdmin, body);
        created.ExpectProblem(400, "validation");
        Assert.True(created.Json!["errors"]!.AsObject().ContainsKey("name"), created.Body);

        var patched = await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, new { name });
        patched.ExpectProblem(400, "validation");
        Assert.True(patched.Json!["errors"]!.AsObject().ContainsKey("name"), patched.Body);
        Assert.Equal("Riverside Behavioral Health", (await Clinic.GetAsync("", Clinic.Admin)).Expect(200)["name"]);
    }

    [Theory]
    [InlineData("Remsen Street Clinic")]
    [InlineData("Doseway Medical")]
    [InlineData("Smith & Jones <Care>")]
    public async Task Ordinary_names_are_taken(string name) =>
        Assert.Equal(name, (await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, new { name })).Expect(200)["name"]);

    [Fact]
    public async Task An_on_call_contact_name_with_an_invisible_character_is_refused()
    {
        var patched = await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin,
            new { escalation = new { contacts = new[] { new { name = "Dr.\u200b Lee", phone = "+12125550150" } }, ackMinutes = 10 } });
        patched.ExpectProblem(400, "validation");
        Assert.Contains("escalation.contacts[0].name", patched.Body);
    }
}
