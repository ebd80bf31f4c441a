using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using ClinicBackend.Application.Persistence;
using Microsoft.Extensions.Logging.Testing;

namespace ClinicBackend.Integration.Tests.Assessments;

/// <summary>
/// PHQ-9 by a one-time link, end to end on the local host with the Twilio stand-in: a visit Thursday 2026-12-03 10:00 in
/// New York, booked Monday; the link goes Tuesday 17:00 local as a text of its own (the reminder cannot carry it in one
/// segment), the reminder Wednesday 17:00.
/// </summary>
public sealed partial class AssessmentLinkTests : TwilioAppTest
{
    private const string PatientPhone = "+12125550161";
    private const string Lee = "+12125550150";
    private static readonly DateTimeOffset TuesdayAt = new(2026, 12, 1, 22, 0, 30, TimeSpan.Zero);
    private static readonly DateTimeOffset WednesdayAt = new(2026, 12, 2, 22, 0, 30, TimeSpan.Zero);
    private readonly FakeLogCollector _logs = new();
    private string _patient = null!;
    private string _session = null!;

    protected override ClinicOptions ClinicOptions => new()
    {
        SmsFrom = "+12125550199",
        Adjust = body =>
        {
            body["assessments"] = new { phq9 = true, everyDays = 7 };
            body["escalation"] = new { contacts = new[] { new { name = "Dr. Lee", phone = Lee } }, ackMinutes = 10 };
        },
    };

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(new FakeLoggerProvider(_logs));

    protected override async Task SetUpAsync()
    {
        _patient = await Clinic.RegisterPatientAsync(phone: PatientPhone);
        _session = (await Clinic.BookAsync(_patient, "2026-12-03T10:00")).Expect(201)["id"]!;
    }

    [GeneratedRegex(@"https://clinic\.example\.org/api/a/([A-Za-z0-9_-]{22})$")]
    private static partial Regex LinkPattern();

    private static readonly string[] Moderate = ["2", "2", "1", "1", "1", "1", "1", "1", "0"];

    /// <summary>Runs the dispatcher at Tuesday's link time and gives the code the link carried.</summary>
    private async Task<string> LinkCodeAsync()
    {
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        var text = Assert.Single(Twilio.Accepted, t => t.To == PatientPhone);
        Assert.StartsWith("Riverside Behavioral Health: before your visit, please answer a short check-in: https://clinic.example.org/api/a/", text.Body);
        return LinkPattern().Match(text.Body).Groups[1].Value;
    }

    private Task<Reply> PageAsync(string code, string accept = "text/html", string address = "203.0.113.7") =>
        SendAsync(HttpMethod.Get, code, null, accept, address);

    private Task<Reply> AnswerAsync(string code, IEnumerable<string?> items, string? difficulty = "1", string accept = "text/html", string address = "203.0.113.7")
    {
        var fields = items.Select((v, i) => (Name: $"q{i + 1}", Value: v)).Where(f => f.Value is not null).Select(f => new KeyValuePair<string, string>(f.Name, f.Value!)).ToList();
        if (difficulty is not null)
        {
            fields.Add(new("difficulty", difficulty));
        }
        return SendAsync(HttpMethod.Post, code, new FormUrlEncodedContent(fields), accept, address);
    }

    private async Task<Reply> SendAsync(HttpMethod method, string code, HttpContent? content, string accept, string address)
    {
        using var request = new HttpRequestMessage(method, $"/api/a/{code}") { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        request.Headers.Add("X-Forwarded-For", address);
        return await Reply.ReadAsync(await App.Http.SendAsync(request));
    }

    [Fact]
    public async Task A_link_texted_before_the_visit_opens_the_questionnaire_once_and_the_score_is_stored_and_charted()
    {
        var planned = await Clinic.MessagesAsync(_patient);
        Assert.Contains(planned, m => m!["kind"]!.ToString() == "assessment" && m["at"]!.ToString() == "2026-12-01T22:00:00Z");
        var code = await LinkCodeAsync();

        // The ledger keeps the text with the code masked; storage holds only the code's hash.
        var sent = (await Clinic.MessagesAsync(_patient)).Single(m => m!["kind"]!.ToString() == "assessment")!;
        Assert.DoesNotContain(code, sent["body"]!.ToString());
        Assert.EndsWith("/api/a/" + new string('*', 22), sent["body"]!.ToString());
        foreach (var partition in new[] { Clinic.ClinicId, Keys.Directory })
        {
            Assert.DoesNotContain((await StoredRows.PartitionAsync(App, partition)).Values, row => (row.RowKey + row.Data).Contains(code, StringComparison.Ordinal));
        }
        Assert.NotNull(await StoredRows.RowAsync(App, Keys.Directory, Keys.AssessmentCode(Domain.Assessments.AssessmentCode.Hash(code))));

        var page = (await PageAsync(code)).Expect(200);
        Assert.StartsWith("text/html", page.ContentType);
        Assert.Contains("<html lang=\"en\">", page.Body);
        Assert.Contains("<meta name=\"robots\" content=\"noindex, nofollow\">", page.Body);
        Assert.Equal("no-store", page.Header("Cache-Control"));
        Assert.Contains("default-src 'none'", page.Header("Content-Security-Policy"));
        Assert.DoesNotContain("<script", page.Body);
        for (var q = 1; q <= 9; q++)
        {
            for (var v = 0; v <= 3; v++)
            {
                Assert.Contains($"<label for=\"q{q}-{v}\"><input type=\"radio\" id=\"q{q}-{v}\" name=\"q{q}\" value=\"{v}\" required>", page.Body);
            }
        }
        Assert.Contains("Thoughts that you would be better off dead or of hurting yourself in some way", page.Body);
        // Nothing before submission names the patient or the visit.
        foreach (var secret in new[] { "Ana", "Silva", "Dec 3", "2026-12-03", "10:00", _patient, _session })
        {
            Assert.DoesNotContain(secret, page.Body);
        }

        var thanks = (await AnswerAsync(code, Moderate)).Expect(200);
        Assert.Contains("Thank you", thanks.Body);
        Assert.DoesNotContain("988", thanks.Body);

        var list = (await Clinic.GetAsync($"/patients/{_patient}/assessments?instrument=phq9")).Expect(200);
        var stored = Assert.Single(list.Json!["assessments"]!.AsArray())!;
        Assert.Equal(10, (int)stored["total"]!);
        Assert.Equal("moderate", stored["severity"]!.ToString());
        Assert.Equal("patient-link", stored["source"]!.ToString());
        Assert.True((bool)stored["baseline"]!);
        Assert.Equal(1, (int)stored["difficulty"]!);
        Assert.Equal(_session, stored["sessionId"]!.ToString());
        Assert.Equal([2, 2, 1, 1, 1, 1, 1, 1, 0], stored["items"]!.AsArray().Select(i => (int)i!));

        using var svgRequest = App.Request(HttpMethod.Get, $"{Clinic.Base}/patients/{_patient}/assessments", Clinic.Staff);
        svgRequest.Headers.Accept.ParseAdd("image/svg+xml");
        var svg = await Reply.ReadAsync(await App.Http.SendAsync(svgRequest));
        Assert.Equal(200, svg.Status);
        Assert.Contains("<circle class=\"point\" data-total=\"10\"", svg.Body);
        Assert.Contains("role=\"img\"", svg.Body);
        Assert.Contains("data-band=\"moderately-severe\"", svg.Body);

        // Used once: the same code now gets the one neutral page, and nothing more is stored.
        var reused = await PageAsync(code);
        Assert.Equal(404, reused.Status);
        Assert.Equal(404, (await AnswerAsync(code, Moderate)).Status);
        Assert.Single((await Clinic.GetAsync($"/patients/{_patient}/assessments")).Expect(200).Json!["assessments"]!.AsArray());

        // The reminder on Wednesday carries no link (a PHQ-9 is recent), and the event names no answers.
        App.Clock.SetUtcNow(WednesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        var reminder = Assert.Single(Twilio.Accepted.Skip(1), t => t.To == PatientPhone);
        Assert.DoesNotContain("/api/a/", reminder.Body);
        var completed = Assert.Single(await PublishedEvents.DrainAsync(App), e => e["type"]!.ToString() == "clinic.assessment.completed")!;
        Assert.Equal("patient-link", completed["data"]!["source"]!.ToString());
        Assert.Null(completed["data"]!["items"]);
        Assert.Null(completed["data"]!["total"]);
    }

    [Fact]
    public async Task A_reused_an_expired_and_a_made_up_code_get_the_same_neutral_page()
    {
        var code = await LinkCodeAsync();
        (await AnswerAsync(code, Moderate)).Expect(200);
        var reused = await PageAsync(code, address: "203.0.113.10");
        var madeUp = await PageAsync("AAAAAAAAAAAAAAAAAAAAAA", address: "203.0.113.11");
        var malformed = await PageAsync("not-a-code", address: "203.0.113.12");

        // A second visit's link, unanswered until the visit starts.
        var other = await Clinic.RegisterPatientAsync(phone: "+12125550162");
        (await Clinic.BookAsync(other, "2026-12-03T11:00")).Expect(201);
        await App.RunFunctionAsync("DispatchSms");
        var second = LinkPattern().Match(Assert.Single(Twilio.Accepted, t => t.To == "+12125550162").Body).Groups[1].Value;
        (await PageAsync(second, address: "203.0.113.13")).Expect(200);
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 3, 16, 0, 0, TimeSpan.Zero)); // 11:00 in New York: the visit starts
        var expired = await PageAsync(second, address: "203.0.113.14");

        foreach (var gone in new[] { reused, madeUp, malformed, expired })
        {
            Assert.Equal(404, gone.Status);
            Assert.Equal(reused.Body, gone.Body);
            Assert.Equal("no-store", gone.Header("Cache-Control"));
        }
        Assert.Contains("This link does not work", reused.Body);
        // A caller that does not ask for HTML gets a problem.
        var problem = await PageAsync("AAAAAAAAAAAAAAAAAAAAAA", accept: "application/json", address: "203.0.113.15");
        Assert.Equal(404, problem.Status);
        Assert.StartsWith("application/problem+json", problem.ContentType);
    }

    [Fact]
    public async Task Guessing_codes_from_one_address_is_slowed_and_logged_while_other_addresses_go_on()
    {
        var statuses = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add((await PageAsync($"guess{i:D2}AAAAAAAAAAAAAAAA"[..22], address: "198.51.100.9")).Status);
        }
        Assert.Equal(Enumerable.Repeat(404, 5), statuses.Take(5));
        Assert.All(statuses.Skip(5), s => Assert.Equal(429, s));
        var slowed = await PageAsync("AAAAAAAAAAAAAAAAAAAAAA", address: "198.51.100.9");
        Assert.Equal("1", slowed.Header("Retry-After"));
        Assert.Contains(_logs.GetSnapshot(), l => l.Message.Contains("over the rate", StringComparison.Ordinal) && !l.Message.Contains("198.51.100.9", StringComparison.Ordinal));
        // Another address is not held back; the first one gets two lookups a second back.
        Assert.Equal(404, (await PageAsync("AAAAAAAAAAAAAAAAAAAAAA", address: "198.51.100.10")).Status);
        App.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(404, (await PageAsync("AAAAAAAAAAAAAAAAAAAAAA", address: "198.51.100.9")).Status);
        Assert.Equal(404, (await PageAsync("AAAAAAAAAAAAAAAAAAAAAA", address: "198.51.100.9")).Status);
        Assert.Equal(429, (await PageAsync("AAAAAAAAAAAAAAAAAAAAAA", address: "198.51.100.9")).Status);
    }

    [Fact]
    public async Task A_submission_with_a_missing_item_returns_the_page_with_the_error_and_stores_nothing()
    {
        var code = await LinkCodeAsync();
        var incomplete = await AnswerAsync(code, ["1", "1", "1", null, "1", "1", "1", "1", "0"]);
        Assert.Equal(422, incomplete.Status);
        Assert.Contains("Not answered yet", incomplete.Body);
        Assert.Contains("<a href=\"#q4\">4</a>", incomplete.Body);
        Assert.Contains("<fieldset id=\"q4\" class=\"missing\" aria-invalid=\"true\">", incomplete.Body);
        Assert.Contains("name=\"q1\" value=\"1\" required checked>", incomplete.Body); // what was given stays chosen
        var outOfRange = await AnswerAsync(code, ["1", "1", "1", "4", "1", "1", "1", "1", "0"], accept: "application/json");
        Assert.Equal(422, outOfRange.Status); // a caller that does not ask for HTML gets a problem naming the questions
        Assert.StartsWith("application/problem+json", outOfRange.ContentType);
        Assert.Contains("q4", outOfRange["detail"]);
        Assert.Empty((await Clinic.GetAsync($"/patients/{_patient}/assessments")).Expect(200).Json!["assessments"]!.AsArray());
        // The code still works: the complete answers are taken.
        (await AnswerAsync(code, Moderate)).Expect(200);
    }

    [Fact]
    public async Task Item_nine_above_zero_pages_the_on_call_contact_like_crisis_and_pauses_texts()
    {
        var code = await LinkCodeAsync();
        var thanks = (await AnswerAsync(code, ["1", "1", "1", "1", "1", "1", "1", "1", "1"])).Expect(200);
        Assert.Contains("988", thanks.Body);
        Assert.Contains("(212) 555-0100", thanks.Body);
        Assert.Contains("href=\"tel:+12125550100\"", thanks.Body);

        var flag = Assert.Single(await Clinic.FlagsAsync("self-harm-answer"))!;
        Assert.Equal("urgent", flag["severity"]!.ToString());
        Assert.Equal("paging", flag["escalation"]!["state"]!.ToString());
        Assert.Equal(_patient, flag["patientId"]!.ToString());
        await App.RunFunctionAsync("DispatchSms");
        var page = Assert.Single(Twilio.Accepted, t => t.To == Lee);
        Assert.Contains("a patient needs follow-up now", page.Body);

        // Automated texts pause: Wednesday's reminder is skipped until the flag is resolved.
        App.Clock.SetUtcNow(WednesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        Assert.DoesNotContain(Twilio.Accepted, t => t.To == PatientPhone && t.Body.Contains("visit Thu", StringComparison.Ordinal));
        var reminder = (await Clinic.MessagesAsync(_patient)).Single(m => m!["kind"]!.ToString() == "day-before")!;
        Assert.Equal("skipped", reminder["status"]!.ToString());
        Assert.Equal("paused-by-crisis-flag", reminder["reason"]!.ToString());
        (await Clinic.PostAsync($"/flags/{flag["id"]}/resolve", new { note = "Called; safety plan reviewed." })).Expect(200);
        var patient = (await Clinic.GetAsync($"/patients/{_patient}")).Expect(200);
        Assert.Null(patient.Json!["pausedByFlagId"]);
    }

    [Fact]
    public async Task A_link_on_top_of_twice_weekly_reminders_keeps_one_automated_text_a_day_and_three_a_week()
    {
        // Monday and Thursday visits this week, Monday next week: three reminders and links compete for the limits.
        (await Clinic.BookAsync(_patient, "2026-12-07T10:00")).Expect(201);
        var nextThursday = (await Clinic.BookAsync(_patient, "2026-12-10T10:00")).Expect(201)["id"]!;
        for (var at = new DateTimeOffset(2026, 11, 30, 15, 0, 0, TimeSpan.Zero); at < new DateTimeOffset(2026, 12, 11, 0, 0, 0, TimeSpan.Zero); at = at.AddMinutes(30))
        {
            App.Clock.SetUtcNow(at);
            await App.RunFunctionAsync("DispatchSms");
        }
        var zone = NodaTime.DateTimeZoneProviders.Tzdb["America/New_York"];
        var days = Twilio.Accepted.Where(t => t.To == PatientPhone)
            .Select(t => NodaTime.Instant.FromDateTimeOffset(t.At).InZone(zone).Date).ToList();
        Assert.Equal(days.Count, days.Distinct().Count()); // never two on one day
        foreach (var day in days)
        {
            Assert.True(days.Count(d => d > day.PlusDays(-7) && d <= day) <= 3, $"more than 3 automated texts in the week up to {day}");
        }
        // Every text went between 08:00 and 21:00 local.
        Assert.All(Twilio.Accepted.Where(t => t.To == PatientPhone), t =>
        {
            var local = NodaTime.Instant.FromDateTimeOffset(t.At).InZone(zone).TimeOfDay;
            Assert.InRange(local, new NodaTime.LocalTime(8, 0), new NodaTime.LocalTime(21, 0));
        });
        Assert.Contains(Twilio.Accepted, t => t.To == PatientPhone && t.Body.Contains("/api/a/", StringComparison.Ordinal));
        // What the limits held back was deferred or dropped with the reason, never sent late.
        var messages = await Clinic.MessagesAsync(_patient);
        Assert.Contains(messages, m => m!["status"]!.ToString() == "skipped" && m["reason"]!.ToString().StartsWith("dropped:", StringComparison.Ordinal));
        Assert.NotNull(nextThursday);
    }
}
