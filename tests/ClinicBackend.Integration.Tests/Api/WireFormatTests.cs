using System.Text;

namespace ClinicBackend.Integration.Tests.Api;

/// <summary>What a user of the API sees on the wire: plain UTF-8 JSON, JSON values in the audit, 415 for other bodies, Twilio's SID in the history.</summary>
public sealed class WireFormatTests : TwilioAppTest
{
    [Fact]
    public async Task Phone_numbers_and_names_come_back_as_written()
    {
        var body = Fixtures.PatientBody("+12125550188");
        body["givenName"] = "José";
        body["familyName"] = "Núñez <O'Brien>";
        using var request = App.Request(HttpMethod.Post, $"{Clinic.Base}/patients", Clinic.Staff, body);
        using var response = await App.Http.SendAsync(request);
        var raw = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        Assert.Contains("\"phone\":\"+12125550188\"", raw);
        Assert.Contains("\"givenName\":\"José\"", raw);
        Assert.Contains("Núñez", raw);
        Assert.DoesNotContain("\\u002B", raw);
        Assert.DoesNotContain("\\u00E9", raw);
    }

    [Fact]
    public async Task Audit_changes_hold_json_values()
    {
        var patient = await Clinic.RegisterPatientAsync();
        (await Clinic.App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{patient}", Clinic.Staff, new { smsConsent = false, externalId = "EHR-9" })).Expect(200);
        var entries = (await Clinic.GetAsync("/audit?limit=10", Clinic.Admin)).Expect(200).Json!["entries"]!.AsArray();
        var update = entries.First(e => e!["action"]!.ToString() == "patient.updated")!;
        var changes = update["changes"]!;
        Assert.Equal(System.Text.Json.JsonValueKind.True, changes["smsConsent"]!["from"]!.GetValueKind());
        Assert.Equal(System.Text.Json.JsonValueKind.False, changes["smsConsent"]!["to"]!.GetValueKind());
        Assert.Equal("EHR-9", changes["externalId"]!["to"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_json_route_sent_another_content_type_is_415_and_writes_nothing()
    {
        using var request = App.Request(HttpMethod.Post, $"{Clinic.Base}/patients", Clinic.Staff);
        request.Content = new StringContent("givenName=Ana&familyName=Silva", Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await App.Http.SendAsync(request);
        (await Reply.ReadAsync(response)).ExpectProblem(415, "unsupported-media-type");
        Assert.DoesNotContain((await Clinic.GetAsync("/audit?limit=10", Clinic.Admin)).Json!["entries"]!.AsArray(),
            e => e!["action"]!.ToString() == "patient.registered");
    }

    [Fact]
    public async Task The_message_history_shows_twilio_sid_and_error_code()
    {
        var sent = await Clinic.RegisterPatientAsync();
        (await Clinic.BookAsync(sent, "2026-12-02T09:00")).Expect(201);
        var refused = await Clinic.RegisterPatientAsync();
        (await Clinic.BookAsync(refused, "2026-12-02T11:00")).Expect(201);
        Twilio.Then(new TwilioStandIn.Answer.Queued(), TwilioStandIn.Error(21211));
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 22, 0, 30, TimeSpan.Zero));
        await App.RunFunctionAsync("DispatchSms");

        var messages = new List<System.Text.Json.Nodes.JsonNode>();
        foreach (var patient in new[] { sent, refused })
        {
            messages.Add((await Clinic.GetAsync($"/patients/{patient}/messages")).Expect(200).Json!["messages"]![0]!);
        }
        var accepted = messages.Single(m => m["status"]!.ToString() == "queued");
        Assert.Equal(Twilio.Accepted.Single().Sid, accepted["twilioSid"]!.ToString());
        var failed = messages.Single(m => m["status"]!.ToString() == "failed");
        Assert.Equal("21211", failed["errorCode"]!.ToString());
    }
}
