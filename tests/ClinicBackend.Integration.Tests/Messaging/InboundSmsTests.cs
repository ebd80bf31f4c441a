using System.Xml.Linq;

namespace ClinicBackend.Integration.Tests.Messaging;

public sealed class InboundSmsTests : TwilioAppTest
{
    private const string PatientPhone = "+12125550187";
    private static int _sids;

    private string _patient = null!;
    private string _session = null!;

    protected override ClinicOptions ClinicOptions => new() { SmsFrom = "+12125550199" };

    protected override async Task SetUpAsync()
    {
        _patient = await Clinic.RegisterPatientAsync(phone: PatientPhone);
        _session = (await Clinic.BookAsync(_patient, "2026-12-02T09:00")).Expect(201)["id"]!;
    }

    private static string NewSid() => $"SM{Interlocked.Increment(ref _sids):D32}";

    private static Dictionary<string, string> Fields(string body, string? sid = null, string from = PatientPhone, string to = "+12125550199", int media = 0) => new()
    {
        ["MessageSid"] = sid ?? NewSid(),
        ["SmsSid"] = sid ?? "SM" + new string('1', 32),
        ["AccountSid"] = TwilioStandIn.AccountSid,
        ["From"] = from,
        ["To"] = to,
        ["Body"] = body,
        ["NumMedia"] = media.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["NumSegments"] = "1",
        ["ApiVersion"] = "2010-04-01",
    };

    private async Task<(Reply Reply, string? Message)> TextAsync(Dictionary<string, string> fields)
    {
        var reply = (await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", fields)).Expect(200);
        Assert.StartsWith("text/xml", reply.ContentType);
        var messages = XDocument.Parse(reply.Body).Root!.Elements("Message").ToList();
        Assert.True(messages.Count <= 1);
        return (reply, messages.SingleOrDefault()?.Value);
    }

    private Task<(Reply Reply, string? Message)> TextAsync(string body) => TextAsync(Fields(body));

    private async Task<System.Text.Json.Nodes.JsonNode> PatientAsync() => (await Clinic.GetAsync($"/patients/{_patient}")).Expect(200).Json!;

    [Fact]
    public async Task Signatures_are_checked_over_the_public_url_and_every_field()
    {
        var fields = Fields("1");
        var url = "https://clinic.example.org/api/sms/inbound";
        // Wrong token, a changed field, an added field, the internal URL: 403 and nothing changes.
        (await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", fields, signature: TwilioRequests.Sign(url, fields, "ffffffffffffffffffffffffffffffff"))).ExpectProblem(403);
        (await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", fields, sentFields: new Dictionary<string, string>(fields) { ["Body"] = "STOP" })).ExpectProblem(403);
        (await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", fields, sentFields: new Dictionary<string, string>(fields) { ["Extra"] = "x" })).ExpectProblem(403);
        (await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", fields, publicUrl: App.BaseAddress + "api/sms/inbound")).ExpectProblem(403);
        using (var unsigned = new HttpRequestMessage(HttpMethod.Post, "/api/sms/inbound") { Content = new FormUrlEncodedContent(fields) })
        {
            Assert.Equal(403, (int)(await App.Http.SendAsync(unsigned)).StatusCode);
        }
        Assert.Equal("needs-action", (await Clinic.GetAsync($"/sessions/{_session}")).Json!["confirmation"]!.ToString());
        Assert.DoesNotContain(await Clinic.MessagesAsync(_patient), m => m!["direction"]!.ToString() == "inbound");

        // Twilio adds fields at will: all of them are signed and all are passed. With and without the default port.
        var more = new Dictionary<string, string>(Fields("1")) { ["FromCity"] = "NEW YORK", ["SmsStatus"] = "received", ["AddOns"] = "{\"status\":\"successful\"}" };
        (await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", more)).Expect(200);
        (await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", Fields("1"), publicUrl: "https://clinic.example.org:443/api/sms/inbound")).Expect(200);
        Assert.Equal("accepted", (await Clinic.GetAsync($"/sessions/{_session}")).Json!["confirmation"]!.ToString());
    }

    [Fact]
    public async Task One_confirms_the_next_session_and_two_asks_for_a_call()
    {
        var (_, confirmed) = await TextAsync(" 1. ");
        Assert.Equal("Riverside Behavioral Health: thank you, your visit Wed Dec 2, 9:00 AM is confirmed. No food 2 hours or drinks 30 minutes before.", confirmed);
        var session = (await Clinic.GetAsync($"/sessions/{_session}")).Json!;
        Assert.Equal("accepted", session["confirmation"]!.ToString());
        Assert.Equal("confirmed-by-sms", session["history"]!.AsArray().Last()!["action"]!.ToString());

        var (_, reschedule) = await TextAsync("R");
        Assert.Contains("The clinic will call you", reschedule);
        var flag = Assert.Single(await Clinic.FlagsAsync("reschedule-request"))!;
        Assert.Equal(_session, flag["sessionId"]!.ToString());
        Assert.Equal("normal", flag["severity"]!.ToString());
    }

    [Fact]
    public async Task Without_an_upcoming_session_the_reply_says_so_and_gives_theClinic_phone()
    {
        (await Clinic.PostAsync($"/sessions/{_session}/cancel", new { reason = "moved away" })).Expect(200);
        var (_, reply) = await TextAsync("1");
        Assert.Equal("Riverside Behavioral Health: you have no upcoming visit. To book one, call (212) 555-0100.", reply);
    }

    [Fact]
    public async Task Free_text_and_pictures_go_to_the_follow_up_list_never_answered_as_invalid()
    {
        var (_, reply) = await TextAsync("stop sending me the parking info");
        Assert.Contains("the clinic will get back to you", reply);
        Assert.DoesNotContain("invalid", reply, StringComparison.OrdinalIgnoreCase);
        (await TextAsync(Fields("", media: 2))).Reply.Expect(200);
        var flags = await Clinic.FlagsAsync("patient-message");
        Assert.Equal(2, flags.Count);
        Assert.Contains(flags, f => f!["detail"]!.ToString().Contains("2 picture or file attached"));
        Assert.Equal("False", (await PatientAsync())["smsOptedOut"]!.ToString(), ignoreCase: true);
        var history = await Clinic.MessagesAsync(_patient);
        Assert.Contains(history, m => m!["body"]?.ToString() == "stop sending me the parking info" && m["direction"]!.ToString() == "inbound");
    }

    [Fact]
    public async Task Stop_ends_automated_texts_and_start_brings_them_back()
    {
        var (_, stopped) = await TextAsync("Stop.");
        Assert.Contains("no more texts", stopped);
        Assert.Equal("True", (await PatientAsync())["smsOptedOut"]!.ToString(), ignoreCase: true);
        Assert.Empty(await Clinic.FlagsAsync()); // a STOP is not forwarded to staff as a message

        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 5, 30, 0, TimeSpan.Zero));
        await App.RunFunctionAsync("NightlyReminders");
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 22, 0, 30, TimeSpan.Zero));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Empty(Twilio.Accepted);

        // Booked again for Thursday; START; the next run reminds.
        var thursday = (await Clinic.BookAsync(_patient, "2026-12-03T09:00")).Expect(201)["id"];
        var (_, started) = await TextAsync("START");
        Assert.Contains("reminders are back on", started);
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 22, 0, 30, TimeSpan.Zero));
        await App.RunFunctionAsync("DispatchSms");
        var text = Assert.Single(Twilio.Accepted);
        Assert.Contains("Thu Dec 3", text.Body);
        Assert.NotNull(thursday);
    }

    [Fact]
    public async Task A_text_names_the_visit_it_concerns_and_opting_out_or_asking_for_help_names_none()
    {
        await TextAsync("C");
        await TextAsync("is parking free?");
        await TextAsync("HELP");
        await TextAsync("STOP");
        await TextAsync("START");
        var inbound = (await Clinic.MessagesAsync(_patient)).Where(m => m!["direction"]!.ToString() == "inbound")
            .ToDictionary(m => m!["body"]!.ToString(), m => m!["sessionId"]?.ToString());
        Assert.Equal(5, inbound.Count);
        Assert.Equal(_session, inbound["C"]);
        Assert.Equal(_session, inbound["is parking free?"]);
        Assert.Null(inbound["HELP"]);
        Assert.Null(inbound["STOP"]);
        Assert.Null(inbound["START"]);
    }

    [Fact]
    public async Task Help_gets_theClinic_name_and_phone()
    {
        var (_, reply) = await TextAsync("HELP");
        Assert.Equal("Riverside Behavioral Health: call (212) 555-0100. Reply STOP to stop texts.", reply);
    }

    [Theory]
    [InlineData("I want to die", "If you are in crisis, call or text 988")]
    [InlineData("ya no quiero vivir", "Si esta en crisis, llame o envie un texto al 988")]
    public async Task Crisis_language_raises_an_urgent_flag_answers_with_988_and_pauses_texts(string body, string replyStart)
    {
        if (replyStart.StartsWith("Si", StringComparison.Ordinal))
        {
            (await App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{_patient}", Clinic.Staff, new { language = "es" })).Expect(200);
        }
        var (_, reply) = await TextAsync(body);
        Assert.StartsWith(replyStart, reply);
        Assert.Contains("(212) 555-0100", reply);
        var flag = Assert.Single(await Clinic.FlagsAsync("crisis"))!;
        Assert.Equal("urgent", flag["severity"]!.ToString());
        Assert.Equal("True", (await PatientAsync())["automatedTextsPaused"]!.ToString(), ignoreCase: true);

        // Paused: tomorrow's reminder does not go.
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 22, 0, 30, TimeSpan.Zero));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Empty(Twilio.Accepted);

        // Staff resolve it: texts resume for the next session.
        (await Clinic.PostAsync($"/flags/{flag["id"]}/resolve", new { note = "Called the patient; safety plan in place." })).Expect(200);
        Assert.Equal("False", (await PatientAsync())["automatedTextsPaused"]!.ToString(), ignoreCase: true);
        (await Clinic.BookAsync(_patient, "2026-12-03T09:00")).Expect(201);
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 22, 0, 30, TimeSpan.Zero));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Single(Twilio.Accepted);
    }

    [Fact]
    public async Task A_retried_MessageSid_gets_the_same_answer_and_changes_nothing()
    {
        var fields = Fields("can I bring my sister?");
        var first = await TextAsync(fields);
        var again = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => TextAsync(fields)));
        Assert.All(again, a => Assert.Equal(first.Reply.Body, a.Reply.Body));
        Assert.Single(await Clinic.FlagsAsync("patient-message"));
        var inbound = (await Clinic.MessagesAsync(_patient)).Where(m => m!["direction"]!.ToString() == "inbound");
        Assert.Single(inbound);
    }

    [Fact]
    public async Task Unknown_senders_and_numbers_get_a_neutral_reply_and_no_data()
    {
        var (_, stranger) = await TextAsync(Fields("who is this?", from: "+12125550111"));
        Assert.Equal("This number does not accept messages from you. If you need help, call your clinic.", stranger);
        var (_, wrongNumber) = await TextAsync(Fields("1", to: "+12125550100"));
        Assert.Equal(stranger, wrongNumber);
        for (var i = 0; i < 5; i++)
        {
            await TextAsync(Fields("spam " + i, from: "+12125550112"));
        }
        Assert.Empty(await Clinic.FlagsAsync());
        Assert.Equal("needs-action", (await Clinic.GetAsync($"/sessions/{_session}")).Json!["confirmation"]!.ToString());
    }

    [Fact]
    public async Task A_number_shared_by_twoClinics_is_handled_by_theClinic_that_was_texted()
    {
        var other = await AddClinicAsync(new() { SmsFrom = "+12125550198" });
        var otherPatient = await other.RegisterPatientAsync(phone: PatientPhone);
        await TextAsync(Fields("STOP", to: "+12125550198"));
        Assert.Equal("True", (await other.GetAsync($"/patients/{otherPatient}")).Json!["smsOptedOut"]!.ToString(), ignoreCase: true);
        Assert.Equal("False", (await PatientAsync())["smsOptedOut"]!.ToString(), ignoreCase: true);
        await TextAsync(Fields("1", to: "+12125550199"));
        Assert.Equal("accepted", (await Clinic.GetAsync($"/sessions/{_session}")).Json!["confirmation"]!.ToString());
    }

    [Fact]
    public async Task With_Twilio_advanced_opt_out_our_reply_to_keywords_is_silent()
    {
        (await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, new { twilioAdvancedOptOut = true })).Expect(200);
        var fields = Fields("STOP");
        fields["OptOutType"] = "STOP";
        var (reply, message) = await TextAsync(fields);
        Assert.Null(message);
        Assert.Contains("<Response></Response>", reply.Body);
        Assert.Equal("True", (await PatientAsync())["smsOptedOut"]!.ToString(), ignoreCase: true);
    }

    [Fact]
    public async Task Replies_are_escaped_TwiML()
    {
        (await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, new { name = "Smith & Jones <Care>" })).Expect(200);
        var (reply, message) = await TextAsync("HELP");
        Assert.Contains("Smith &amp; Jones &lt;Care&gt;", reply.Body);
        Assert.StartsWith("Smith & Jones <Care>:", message);
    }
}
