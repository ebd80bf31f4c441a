using ClinicBackend.Domain.Messaging;
using Microsoft.Extensions.Logging.Testing;

namespace ClinicBackend.Integration.Tests.Messaging;

/// <summary>
/// Urgent flags reach a person: a crisis text at night pages the first on-call contact on the next dispatch run,
/// unacknowledged pages go down the list, ACK by text or by the API stops the paging, and a round that nobody
/// takes ends with an error for the operators.
/// </summary>
public sealed class EscalationTests : TwilioAppTest
{
    private const string PatientPhone = "+12125550187";
    private const string Lee = "+12125550150";
    private const string Kim = "+12125550151";
    // Tuesday 2026-12-01 22:00 in New York: quiet hours for patients, on call for staff.
    private static readonly DateTimeOffset TuesdayNight = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);
    private readonly FakeLogCollector _logs = new();

    protected override ClinicOptions ClinicOptions => new()
    {
        SmsFrom = "+12125550199",
        Adjust = body => body["escalation"] = new { contacts = new[] { new { name = "Dr. Lee", phone = Lee }, new { name = "Nurse Kim", phone = "(212) 555-0151" } }, ackMinutes = 10 },
    };

    private readonly GatedStore.Gate _store = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(new FakeLoggerProvider(_logs));
        GatedStore.Install(services, _store);
    }

    private string _patient = null!;

    protected override async Task SetUpAsync()
    {
        var body = Fixtures.PatientBody(PatientPhone);
        body["givenName"] = "Marisol";
        _patient = (await Clinic.PostAsync("/patients", body)).Expect(201)["id"]!;
        App.Clock.SetUtcNow(TuesdayNight);
    }

    private async Task<System.Text.Json.Nodes.JsonNode> CrisisFlagAsync() => Assert.Single(await Clinic.FlagsAsync("crisis"))!;

    private IReadOnlyList<TwilioStandIn.SentText> PagesTo(string phone) => Twilio.Accepted.Where(t => t.To == phone).ToList();

    private static string CodeOf(TwilioStandIn.SentText page) => System.Text.RegularExpressions.Regex.Match(page.Body, @"ACK (\d{4})").Groups[1].Value;

    [Fact]
    public async Task A_crisis_at_night_pages_down_the_list_until_a_contact_acknowledges()
    {
        var answer = await TextAsync(PatientPhone, "I want to end my life tonight");
        Assert.Contains("988", answer);
        await App.RunFunctionAsync("DispatchSms");
        var page = Assert.Single(PagesTo(Lee));
        var flag = await CrisisFlagAsync();
        Assert.Equal("paging", flag["escalation"]!["state"]!.ToString());
        Assert.Equal("Dr. Lee", flag["escalation"]!["pages"]![0]!["contact"]!.ToString());

        // Nobody answered within ackMinutes: the next contact is paged, with the same code.
        App.Clock.Advance(TimeSpan.FromMinutes(9));
        await App.RunFunctionAsync("EscalateFlags");
        await App.RunFunctionAsync("DispatchSms");
        Assert.Empty(PagesTo(Kim));
        App.Clock.Advance(TimeSpan.FromMinutes(2));
        await App.RunFunctionAsync("EscalateFlags");
        await App.RunFunctionAsync("DispatchSms");
        var second = Assert.Single(PagesTo(Kim));
        Assert.Equal(CodeOf(page), CodeOf(second));

        // A wrong code changes nothing; the right one from contact 2 takes it and stops the paging.
        Assert.Contains("no open page has that code", await TextAsync(Kim, "ACK 0000"));
        Assert.Equal("paging", (await CrisisFlagAsync())["escalation"]!["state"]!.ToString());
        Assert.Contains("Nurse Kim", await TextAsync(Kim, $"ACK {CodeOf(second)}"));
        var taken = await CrisisFlagAsync();
        Assert.Equal("acknowledged", taken["escalation"]!["state"]!.ToString());
        Assert.Equal("Nurse Kim", taken["escalation"]!["acknowledgedBy"]!.ToString());
        Assert.Contains(taken["history"]!.AsArray(), h => h!["action"]!.ToString() == "acknowledged");
        App.Clock.Advance(TimeSpan.FromMinutes(30));
        await App.RunFunctionAsync("EscalateFlags");
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal(2, Twilio.Accepted.Count(t => t.To is Lee or Kim));

        // The patient's text is never in a page; the contacts' texts never reach the patient's list.
        Assert.All(Twilio.Accepted.Where(t => t.To is Lee or Kim), p =>
        {
            Assert.DoesNotContain("Marisol", p.Body);
            Assert.DoesNotContain("0187", p.Body);
            Assert.DoesNotContain("end my life", p.Body);
            Assert.DoesNotContain("crisis", p.Body, StringComparison.OrdinalIgnoreCase);
            Assert.False(SmsTexts.ContainsForbiddenWord(p.Body));
        });
        Assert.DoesNotContain(await Clinic.FlagsAsync("patient-message"), f => f!["patientId"] is null);
        var audit = (await Clinic.GetAsync("/audit?limit=200", Clinic.Admin)).Json!["entries"]!.AsArray().Select(e => e!["action"]!.ToString()).ToList();
        Assert.Equal(2, audit.Count(a => a == "flag.paged"));
        Assert.Contains("flag.acknowledged", audit);
    }

    [Fact]
    public async Task A_contacts_ack_does_not_depend_on_looking_the_number_up_among_patients()
    {
        await TextAsync(PatientPhone, "I want to end my life tonight");
        await App.RunFunctionAsync("DispatchSms");
        var page = Assert.Single(PagesTo(Lee));

        // The patient lookup by phone starts before the clinic's contacts are known; for a contact its failure is moot.
        _store.PointReads.Clear();
        _store.FailPointReads = key => key.StartsWith("tel|", StringComparison.Ordinal);
        Assert.Contains("Dr. Lee", await TextAsync(Lee, $"ACK {CodeOf(page)}"));
        Assert.Equal("acknowledged", (await CrisisFlagAsync())["escalation"]!["state"]!.ToString());
        Assert.Contains(_store.PointReads, key => key == "tel|" + Lee);
    }

    [Fact]
    public async Task A_round_nobody_takes_ends_exhausted_with_an_error_for_the_operators()
    {
        await TextAsync(PatientPhone, "I want to kill myself");
        for (var minute = 0; minute < 50; minute += 11)
        {
            await App.RunFunctionAsync("EscalateFlags");
            await App.RunFunctionAsync("DispatchSms");
            App.Clock.Advance(TimeSpan.FromMinutes(11));
        }
        await App.RunFunctionAsync("EscalateFlags");
        Assert.Equal(2, PagesTo(Lee).Count);
        Assert.Equal(2, PagesTo(Kim).Count);
        var flag = await CrisisFlagAsync();
        Assert.Equal("exhausted", flag["escalation"]!["state"]!.ToString());
        var error = Assert.Single(_logs.GetSnapshot(), r => r.Id.Id == 9002);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, error.Level);
        Assert.StartsWith("EscalationExhausted:", error.Message);
        Assert.DoesNotContain(PatientPhone, error.Message);

        // Acknowledging afterwards still records who took it; doing it again answers the flag unchanged.
        var first = (await Clinic.PostAsync($"/flags/{flag["id"]}/acknowledge", token: Clinic.Staff)).Expect(200);
        Assert.Equal("acknowledged", first.Json!["escalation"]!["state"]!.ToString());
        var again = (await Clinic.PostAsync($"/flags/{flag["id"]}/acknowledge", token: Clinic.Admin)).Expect(200);
        Assert.Equal(first["version"], again["version"]);
        Assert.Equal(first.Json!["escalation"]!["acknowledgedBy"]!.ToString(), again.Json!["escalation"]!["acknowledgedBy"]!.ToString());
    }

    [Fact]
    public async Task A_member_takes_the_flag_through_the_api_and_paging_stops()
    {
        await TextAsync(PatientPhone, "overdose");
        await App.RunFunctionAsync("DispatchSms");
        var flag = await CrisisFlagAsync();
        var taken = (await Clinic.PostAsync($"/flags/{flag["id"]}/acknowledge", token: Clinic.Staff, ifMatch: flag["version"]!.ToString())).Expect(200);
        Assert.Equal($"staff-{Clinic.ClinicId}", taken.Json!["escalation"]!["acknowledgedBy"]!.ToString());
        App.Clock.Advance(TimeSpan.FromHours(1));
        await App.RunFunctionAsync("EscalateFlags");
        await App.RunFunctionAsync("DispatchSms");
        Assert.Single(Twilio.Accepted, t => t.To is Lee or Kim);
        Assert.Equal(flag["id"]!.ToString(), (await CrisisFlagAsync())["id"]!.ToString()); // still open until resolved
    }

    [Fact]
    public async Task A_contact_who_texted_stop_is_passed_over_and_a_bare_ack_takes_the_one_open_page()
    {
        Assert.Contains("no more texts", await TextAsync(Lee, "STOP"));
        await TextAsync(PatientPhone, "I want to die");
        await App.RunFunctionAsync("DispatchSms");
        Assert.Empty(PagesTo(Lee));
        Assert.Single(PagesTo(Kim));
        Assert.Contains("Nurse Kim", await TextAsync(Kim, "ack"));
        Assert.Equal("acknowledged", (await CrisisFlagAsync())["escalation"]!["state"]!.ToString());
        // A contact's texts are staff replies: no patient flags, no patient history.
        Assert.Contains("ACK and the code", await TextAsync(Kim, "ok on my way"));
        Assert.Empty(await Clinic.FlagsAsync("patient-message"));
    }

    [Fact]
    public async Task Contacts_are_checked_like_patient_numbers()
    {
        static object Contacts(params (string Name, string Phone)[] list) =>
            new { escalation = new { contacts = list.Select(c => new { name = c.Name, phone = c.Phone }).ToArray() } };
        var bad = await Clinic.App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, Contacts(("A", "not a number")));
        Assert.True(bad.ExpectProblem(400).Json!["errors"]!.AsObject().ContainsKey("escalation.contacts[0].phone"));
        var twice = await Clinic.App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, Contacts(("A", Lee), ("B", "(212) 555-0150")));
        Assert.True(twice.ExpectProblem(400).Json!["errors"]!.AsObject().ContainsKey("escalation.contacts[1].phone"));
        var patient = await Clinic.App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, Contacts(("A", PatientPhone)));
        Assert.True(patient.ExpectProblem(400).Json!["errors"]!.AsObject().ContainsKey("escalation.contacts[0].phone"));
        var eleven = await Clinic.App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin,
            Contacts(Enumerable.Range(0, 11).Select(i => ($"C{i}", $"+1212555{1000 + i}")).ToArray()));
        Assert.True(eleven.ExpectProblem(400).Json!["errors"]!.AsObject().ContainsKey("escalation.contacts"));
        var stored = (await Clinic.GetAsync("", Clinic.Admin)).Expect(200).Json!["escalation"]!;
        Assert.Equal(Kim, stored["contacts"]![1]!["phone"]!.ToString());
        Assert.Equal(10, (int)stored["ackMinutes"]!);
        // Nor may a patient take an on-call contact's number.
        (await Clinic.PostAsync("/patients", Fixtures.PatientBody(Lee))).ExpectProblem(409, "phone-in-use");
    }
}
