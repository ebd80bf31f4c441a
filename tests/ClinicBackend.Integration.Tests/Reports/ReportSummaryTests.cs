using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace ClinicBackend.Integration.Tests.Reports;

/// <summary>
/// A fortnight at the clinic built through the API, the sweep and the Twilio stand-in, whose summary is known:
/// eleven sessions in the range (and two after it), texts accepted, delivered, undelivered and refused, replies
/// that confirm and one that opts out, forms filed in time, late and not at all, one lapse flagged and one not. And the
/// report's stored figures: changes to days already stored show in the next report, a report that read a day before it
/// changed cannot store over a later one, and stored figures agree with a fresh computation. (Over 300 lines: these
/// share the scenario's helpers.)
/// </summary>
public sealed class ReportSummaryTests : TwilioAppTest
{
    private const string SmsFrom = "+12125550199";
    private static int _sids;

    protected override ClinicOptions ClinicOptions => new() { SmsFrom = SmsFrom };

    private readonly Dictionary<string, string> _phones = [];
    private readonly GatedStore.Gate _gate = new();

    protected override void ConfigureServices(IServiceCollection services) => GatedStore.Install(services, _gate);

    /// <summary>Moves the app's clock to a New York wall-clock time (EST in this fortnight).</summary>
    private void At(string local) =>
        App.Clock.SetUtcNow(DateTimeOffset.ParseExact(local + "-05:00", "yyyy-MM-dd'T'HH:mmzzz", CultureInfo.InvariantCulture));

    private async Task<string> PatientAsync(string name, string courseStart)
    {
        _phones[name] = Fixtures.UniquePhone();
        return await Clinic.RegisterPatientAsync(phone: _phones[name], startDate: courseStart);
    }

    private async Task<string> BookAsync(string patient, string start) => (await Clinic.BookAsync(patient, start)).Expect(201)["id"]!;

    /// <summary>Checks each patient in and records their dose at once, with an observation that shows nothing to wait for.</summary>
    private async Task CheckInAsync(params string[] sessions)
    {
        await Clinic.StockAsync();
        foreach (var session in sessions)
        {
            (await Clinic.PostAsync($"/sessions/{session}/check-in")).Expect(200);
            (await Clinic.PostAsync($"/sessions/{session}/dose", Scenario.Dose())).Expect(200);
            (await Clinic.PostAsync($"/sessions/{session}/observations", Scenario.ClearObservation())).Expect(201);
        }
    }

    /// <summary>Discharges each patient (at least two hours after their dose).</summary>
    private async Task CompleteAsync(params string[] sessions)
    {
        foreach (var session in sessions)
        {
            (await Clinic.PostAsync($"/sessions/{session}/complete", Scenario.Discharge)).Expect(200);
        }
    }

    private async Task FileFormAsync(string session, string submittedAt) =>
        (await Clinic.PostAsync($"/sessions/{session}/rems-form", new { submittedAt })).Expect(200);

    /// <summary>A signed inbound text from a patient to the clinic's number.</summary>
    private async Task ReplyAsync(string patientName, string body) =>
        (await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", new Dictionary<string, string>
        {
            ["MessageSid"] = $"SM{Interlocked.Increment(ref _sids):D32}",
            ["AccountSid"] = TwilioStandIn.AccountSid,
            ["From"] = _phones[patientName],
            ["To"] = SmsFrom,
            ["Body"] = body,
            ["NumMedia"] = "0",
            ["NumSegments"] = "1",
        })).Expect(200);

    /// <summary>Twilio's delivery status for the latest text accepted for a patient.</summary>
    private async Task DeliveryAsync(string patientName, string status, string errorCode = "")
    {
        var sent = Twilio.Accepted.Last(t => t.To == _phones[patientName]);
        (await TwilioRequests.PostSignedAsync(App, new Uri(sent.StatusCallback!).PathAndQuery, new Dictionary<string, string>
        {
            ["MessageSid"] = sent.Sid,
            ["AccountSid"] = TwilioStandIn.AccountSid,
            ["MessageStatus"] = status,
            ["To"] = sent.To,
            ["From"] = sent.From!,
            ["ErrorCode"] = errorCode,
        })).Expect(204);
    }

    [Fact]
    public async Task The_summary_of_a_known_fortnight_in_json_csv_and_svg()
    {
        // Monday 2026-11-30 10:00. Course starts: weeks 1-4 induction, 5-8 optimisation, then maintenance.
        At("2026-11-30T10:00");
        var a = await PatientAsync("a", "2026-11-02");
        var b = await PatientAsync("b", "2026-11-02");
        var c = await PatientAsync("c", "2026-11-02");
        var d = await PatientAsync("d", "2026-12-01");
        var e = await PatientAsync("e", "2026-09-01");
        var g = await PatientAsync("g", "2026-11-02");
        await PatientAsync("f", "2026-12-20"); // course starts after the range: not counted
        var h = await PatientAsync("h", "2026-11-02");
        (await Clinic.App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{h}", Clinic.Staff, new { active = false })).Expect(200); // inactive: not counted

        // G's reminder goes at once and Twilio refuses it: 21610, the number blocked the clinic.
        var s0b = await BookAsync(g, "2026-11-30T14:00");
        Twilio.Then(TwilioStandIn.Error(21610));
        App.Clock.Advance(TimeSpan.FromSeconds(30));
        await App.RunFunctionAsync("DispatchSms");

        var s0 = await BookAsync(e, "2026-11-30T14:00");
        var s1 = await BookAsync(a, "2026-12-01T09:00");
        var s2 = await BookAsync(b, "2026-12-01T09:00");
        var s3 = await BookAsync(c, "2026-12-01T11:00");
        var s4 = await BookAsync(d, "2026-12-01T11:00");
        var s5 = await BookAsync(a, "2026-12-03T09:00");
        var s6 = await BookAsync(c, "2026-12-03T09:00");
        var s7 = await BookAsync(e, "2026-12-07T09:00");
        var s8 = await BookAsync(b, "2026-12-07T09:00");
        var s9 = await BookAsync(a, "2026-12-11T14:00");
        await BookAsync(c, "2026-12-14T09:00"); // after the range
        await BookAsync(g, "2026-12-14T09:00"); // after the range; it keeps G's lapse from being flagged
        (await Clinic.PostAsync($"/sessions/{s3}/cancel", new { reason = "unwell" })).Expect(200);
        App.Clock.Advance(TimeSpan.FromMinutes(2));
        await App.RunFunctionAsync("DispatchSms"); // E's reminder for this afternoon

        At("2026-11-30T14:00");
        await CheckInAsync(s0, s0b);
        At("2026-11-30T16:15");
        await CompleteAsync(s0, s0b);
        await FileFormAsync(s0, "2026-11-30T16:20");

        At("2026-11-30T17:00");
        App.Clock.Advance(TimeSpan.FromSeconds(30));
        await App.RunFunctionAsync("DispatchSms"); // A, B and D; C's session is cancelled
        await DeliveryAsync("a", "delivered");
        await DeliveryAsync("d", "undelivered", "30003");
        At("2026-11-30T17:10");
        await ReplyAsync("a", "1");
        await ReplyAsync("b", "STOP");

        At("2026-12-01T09:00");
        await CheckInAsync(s1); // B does not come
        At("2026-12-01T11:00");
        await CheckInAsync(s4);
        At("2026-12-01T11:30");
        await CompleteAsync(s1);
        await App.RunFunctionAsync("SweepMissedSessions"); // B's session: a no-show
        At("2026-12-01T13:15");
        await CompleteAsync(s4);
        await FileFormAsync(s1, "2026-12-01T11:35");
        await FileFormAsync(s4, "2026-12-01T13:15");
        await FileFormAsync(s0b, "2026-12-01T13:15");

        At("2026-12-02T17:00");
        App.Clock.Advance(TimeSpan.FromSeconds(30));
        await App.RunFunctionAsync("DispatchSms"); // A and C (B's "we missed you" is skipped: B opted out)
        await DeliveryAsync("c", "delivered");
        At("2026-12-02T17:10");
        await ReplyAsync("a", "1");

        At("2026-12-03T09:00");
        await CheckInAsync(s5, s6);
        At("2026-12-03T11:15");
        await CompleteAsync(s5, s6); // C's form is never filed

        At("2026-12-06T17:00");
        App.Clock.Advance(TimeSpan.FromSeconds(30));
        await App.RunFunctionAsync("DispatchSms"); // E (B's is skipped)
        await DeliveryAsync("e", "delivered");
        At("2026-12-06T17:10");
        await ReplyAsync("e", "1");

        At("2026-12-07T09:00");
        await CheckInAsync(s7, s8);
        At("2026-12-07T11:15");
        await CompleteAsync(s7); // B stays checked in
        await FileFormAsync(s7, "2026-12-07T11:20");

        At("2026-12-08T10:00");
        await App.RunFunctionAsync("SweepMissedSessions"); // D: nothing since 12-01 in induction, nothing booked: flagged

        At("2026-12-10T17:00");
        App.Clock.Advance(TimeSpan.FromSeconds(30));
        await App.RunFunctionAsync("DispatchSms"); // A, for tomorrow afternoon
        At("2026-12-10T17:10");
        await ReplyAsync("a", "1");

        At("2026-12-11T10:00");
        await FileFormAsync(s5, "2026-12-11T09:55"); // due by 12-10 09:00: late
        await App.RunFunctionAsync("SweepMissedSessions"); // G is past due plus grace but booked: not flagged

        At("2026-12-11T12:00");
        Assert.Equal(8, Twilio.Accepted.Count);
        var flagged = Assert.Single(await Clinic.FlagsAsync("overdue-cadence"))!;
        Assert.Equal(d, flagged["patientId"]!.ToString());

        var report = (await Clinic.GetAsync("/reports/summary?from=2026-11-30&to=2026-12-13", Clinic.Admin)).Expect(200);
        Assert.StartsWith("application/json", report.ContentType);
        Assert.Equal("Accept", report.Header("Vary"));
        var json = report.Json!;
        Assert.Equal("2026-11-30", json["from"]!.ToString());
        Assert.Equal("2026-12-13", json["to"]!.ToString());
        AssertCounts(json["sessions"], ("booked", 1), ("arrived", 1), ("fulfilled", 7), ("cancelled", 1), ("noshow", 1));
        Assert.Equal(0.125, json["noShowRate"]!.GetValue<double>()); // 1 of 8 finished
        Assert.Equal(0.3333, json["confirmationRate"]!.GetValue<double>()); // 3 of the 9 started and not cancelled (S9 is still ahead)
        AssertCounts(json["remsForms"], ("due", 7), ("filedInTime", 5), ("filedLate", 1), ("open", 1));
        AssertCounts(json["cadence"], ("patients", 6), ("onTrack", 4), ("lapsed", 2)); // D flagged, G past due plus grace
        AssertCounts(json["cadence"]!["byPhase"], ("induction", 1), ("optimization", 4), ("maintenance", 1));
        AssertCounts(json["sms"], ("sent", 8), ("delivered", 3), ("undelivered", 2), ("optOuts", 2), ("replies", 5));
        // Two weeks of Monday-Thursday 08:00-18:00 and Friday 08:00-16:00 on 4 chairs; 10 sessions not cancelled, 7 fulfilled;
        // C's cancellation freed 2 hours that nobody booked again.
        var chairs = json["chairs"]!;
        Assert.Equal([384, 20, 14, 0.0365, 2, 0, 0], new[] { "availableHours", "bookedHours", "fulfilledHours", "utilisation", "freedHours", "refilledHours", "refillRate" }
            .Select(name => chairs[name]!.GetValue<double>()));
        Assert.Null(chairs["medianMinutesToRefill"]);
        var weeks = json["weeks"]!.AsArray();
        Assert.Equal(2, weeks.Count);
        Assert.Equal("2026-11-30", weeks[0]!["weekStart"]!.ToString());
        AssertCounts(weeks[0], ("fulfilled", 6), ("noshow", 1), ("cancelled", 1));
        Assert.Equal("2026-12-07", weeks[1]!["weekStart"]!.ToString());
        AssertCounts(weeks[1], ("fulfilled", 1), ("noshow", 0), ("cancelled", 0));

        var csv = await GetAsync("text/csv", "2026-11-30", "2026-12-13");
        Assert.StartsWith("text/csv", csv.ContentType);
        var rows = ReportCsv.Parse(csv.Body);
        Assert.Equal(["weekStart", "fulfilled", "noshow", "cancelled"], rows[0]);
        Assert.Equal(weeks.Select(w => new[] { w!["weekStart"]!.ToString(), w["fulfilled"]!.ToString(), w["noshow"]!.ToString(), w["cancelled"]!.ToString() }),
            rows.Skip(1));

        var svg = await GetAsync("image/svg+xml", "2026-11-30", "2026-12-13");
        Assert.StartsWith("image/svg+xml", svg.ContentType);
        var chart = ReportSvg.Parse(svg.Body);
        Assert.Equal(["2026-11-30", "2026-12-07"], chart.Weeks);
        Assert.Equal([2, 2, 2], [chart.Bars("fulfilled"), chart.Bars("noshow"), chart.Bars("cancelled")]);
    }

    [Fact]
    public async Task Stored_figures_follow_later_changes_to_past_days_and_agree_with_a_fresh_computation()
    {
        At("2026-11-30T10:00");
        var a = await PatientAsync("a", "2026-11-02");
        var b = await PatientAsync("b", "2026-11-02");
        var s1 = await BookAsync(a, "2026-11-30T14:00");
        await BookAsync(b, "2026-12-01T09:00");
        await BookAsync(a, "2026-12-03T09:00");
        At("2026-11-30T14:00");
        await CheckInAsync(s1);
        At("2026-11-30T16:15");
        await CompleteAsync(s1); // its form is filed later
        At("2026-11-30T17:00");
        App.Clock.Advance(TimeSpan.FromSeconds(30));
        await App.RunFunctionAsync("DispatchSms"); // B's reminder, sent on the 30th
        At("2026-12-01T11:30");
        await App.RunFunctionAsync("SweepMissedSessions"); // B did not come

        At("2026-12-02T10:00");
        var first = await SummaryAsync();
        AssertCounts(first["sessions"], ("booked", 1), ("fulfilled", 1), ("noshow", 1));
        AssertCounts(first["remsForms"], ("due", 1), ("filedInTime", 0), ("open", 1));
        AssertCounts(first["sms"], ("sent", 1), ("delivered", 0));
        var stored = await StoredRows.PartitionAsync(App, Clinic.ClinicId, "r");
        Assert.Contains("rday|2026-11-30|sessions", stored.Keys);
        Assert.Contains("rday|2026-12-01|sessions", stored.Keys);
        Assert.DoesNotContain("rday|2026-12-02|sessions", stored.Keys); // today is read from the day index
        Assert.DoesNotContain("rday|2026-11-30|changed", stored.Keys);
        Assert.DoesNotContain("rday|2026-12-01|changed", stored.Keys);
        Assert.Contains("rday|2026-11-30|texts", stored.Keys);
        Assert.Contains("rsmsmark", stored.Keys);

        // Days already stored change afterwards: a form filed, a late delivery report, a no-show.
        At("2026-12-03T11:30");
        await App.RunFunctionAsync("SweepMissedSessions"); // A missed the 3rd
        At("2026-12-04T10:00");
        await FileFormAsync(s1, "2026-12-04T09:00");
        await DeliveryAsync("b", "delivered");
        Assert.Contains("rday|2026-11-30|changed", (await StoredRows.PartitionAsync(App, Clinic.ClinicId, "rday|")).Keys);

        var second = await SummaryAsync();
        AssertCounts(second["sessions"], ("booked", 0), ("fulfilled", 1), ("noshow", 2));
        AssertCounts(second["remsForms"], ("due", 1), ("filedInTime", 1), ("open", 0));
        AssertCounts(second["sms"], ("sent", 1), ("delivered", 1));
        Assert.DoesNotContain("rday|2026-11-30|changed", (await StoredRows.PartitionAsync(App, Clinic.ClinicId, "rday|")).Keys);

        // Without anything stored, the same report computed from the sessions and texts alone.
        var table = StoredRows.Table(App);
        foreach (var prefix in new[] { "rday|", "rsmsmark" })
        {
            foreach (var key in (await StoredRows.PartitionAsync(App, Clinic.ClinicId, prefix)).Keys)
            {
                await table.DeleteEntityAsync(Clinic.ClinicId, key);
            }
        }
        Assert.Equal(second.ToJsonString(), (await SummaryAsync()).ToJsonString());
    }

    [Fact]
    public async Task A_report_that_read_a_day_before_it_changed_cannot_store_over_the_figures_of_a_later_report()
    {
        At("2026-11-30T10:00");
        var s1 = await BookAsync(await PatientAsync("a", "2026-11-02"), "2026-11-30T14:00");
        At("2026-11-30T14:00");
        await CheckInAsync(s1);
        At("2026-11-30T16:15");
        await CompleteAsync(s1);
        At("2026-12-02T10:00");
        // Nothing stored and nothing marked for the 30th: as for a day whose last change came before any report.
        foreach (var key in (await StoredRows.PartitionAsync(App, Clinic.ClinicId, "rday|")).Keys)
        {
            await StoredRows.Table(App).DeleteEntityAsync(Clinic.ClinicId, key);
        }

        var held = _gate.PauseNext(changes => changes.Any(c => c.Key == "rday|2026-11-30|sessions"));
        var early = SummaryAsync(); // reads the 30th with its form still open, then waits to store it
        await held.Reached;
        await FileFormAsync(s1, "2026-12-02T09:00");
        AssertCounts((await SummaryAsync())["remsForms"], ("filedInTime", 1), ("open", 0));
        held.Release();
        AssertCounts((await early)["remsForms"], ("filedInTime", 0), ("open", 1)); // what it read
        AssertCounts((await SummaryAsync())["remsForms"], ("filedInTime", 1), ("open", 0)); // what stays stored
    }

    private async Task<JsonNode> SummaryAsync() =>
        (await Clinic.GetAsync("/reports/summary?from=2026-11-30&to=2026-12-06", Clinic.Admin)).Expect(200).Json!;

    private async Task<Reply> GetAsync(string accept, string from, string to)
    {
        using var request = App.Request(HttpMethod.Get, $"{Clinic.Base}/reports/summary?from={from}&to={to}", Clinic.Admin);
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        using var response = await App.Http.SendAsync(request);
        return (await Reply.ReadAsync(response)).Expect(200);
    }

    private static void AssertCounts(JsonNode? node, params (string Name, int Value)[] expected) =>
        Assert.Equal(expected, expected.Select(x => (x.Name, node![x.Name]!.GetValue<int>())));
}

/// <summary>Reads the report's CSV back: RFC 4180 rows (CRLF), no quoting needed for dates and counts.</summary>
public static class ReportCsv
{
    public static List<string[]> Parse(string body)
    {
        Assert.EndsWith("\r\n", body);
        return body[..^2].Split("\r\n").Select(line => line.Split(',')).ToList();
    }
}

/// <summary>Reads the report's SVG back as XML: one g.week per week, rect.bar elements per series.</summary>
public sealed record ReportSvg(XElement Root)
{
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public static ReportSvg Parse(string body)
    {
        var root = XDocument.Parse(body).Root!;
        Assert.Equal(Svg + "svg", root.Name);
        Assert.DoesNotContain(root.Descendants(), e => e.Name.LocalName == "script");
        return new ReportSvg(root);
    }

    public IReadOnlyList<XElement> WeekGroups => Root.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "week").ToList();

    public IReadOnlyList<string> Weeks => WeekGroups.Select(g => (string)g.Attribute("data-week-start")!).ToList();

    /// <summary>How many bars of one series the chart has, checking there is exactly one in each week's group.</summary>
    public int Bars(string series)
    {
        var perWeek = WeekGroups.Select(g => g.Elements(Svg + "rect").Count(r => (string?)r.Attribute("class") == $"bar {series}")).ToList();
        Assert.All(perWeek, n => Assert.Equal(1, n));
        return perWeek.Sum();
    }
}
