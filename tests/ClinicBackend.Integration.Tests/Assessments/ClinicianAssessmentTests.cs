namespace ClinicBackend.Integration.Tests.Assessments;

/// <summary>Ratings staff enter, a patient's list and trend, the induction review that cites them, and the report's block.</summary>
public sealed class ClinicianAssessmentTests : ClinicAppTest
{
    private async Task<string> PatientAsync(string startDate = "2026-11-02")
    {
        var body = Fixtures.PatientBody("+12125550171", startDate: startDate);
        return (await Clinic.PostAsync("/patients", body)).Expect(201)["id"]!;
    }

    [Fact]
    public async Task Staff_enter_PHQ9_and_MADRS_and_the_list_comes_oldest_first_with_totals_and_bands()
    {
        var patient = await PatientAsync();
        var madrs = (await Clinic.PostAsync($"/patients/{patient}/assessments", new { instrument = "madrs", at = "2026-11-30T09:30", items = new[] { 4, 3, 3, 2, 2, 2, 2, 2, 1, 1 } })).Expect(201);
        Assert.Equal(22, (int)madrs.Json!["total"]!);
        Assert.Equal("moderate", madrs["severity"]);
        Assert.Equal("staff", madrs["source"]);
        Assert.False((bool)madrs.Json["baseline"]!);
        var first = (await Clinic.PostAsync($"/patients/{patient}/assessments", new { instrument = "phq9", at = "2026-11-16T10:00", items = new[] { 3, 3, 2, 2, 2, 2, 2, 2, 0 } })).Expect(201);
        Assert.True((bool)first.Json!["baseline"]!);
        Assert.Equal("moderately-severe", first["severity"]);
        var later = (await Clinic.PostAsync($"/patients/{patient}/assessments", new { instrument = "phq9", items = new[] { 1, 1, 1, 1, 0, 0, 0, 0, 0 } })).Expect(201);
        Assert.False((bool)later.Json!["baseline"]!);
        Assert.Equal("2026-11-30T15:00:00Z", later["at"]);

        var all = (await Clinic.GetAsync($"/patients/{patient}/assessments")).Expect(200).Json!["assessments"]!.AsArray();
        Assert.Equal(["phq9", "madrs", "phq9"], all.Select(a => a!["instrument"]!.ToString()));
        Assert.Equal([18, 22, 4], all.Select(a => (int)a!["total"]!));
        var phq9 = (await Clinic.GetAsync($"/patients/{patient}/assessments?instrument=phq9")).Expect(200).Json!["assessments"]!.AsArray();
        Assert.Equal(2, phq9.Count);

        using var request = App.Request(HttpMethod.Get, $"{Clinic.Base}/patients/{patient}/assessments", Clinic.Staff);
        request.Headers.Accept.ParseAdd("image/svg+xml");
        var svg = await Reply.ReadAsync(await App.Http.SendAsync(request));
        Assert.Equal(200, svg.Status);
        Assert.StartsWith("image/svg+xml", svg.ContentType);
        Assert.Contains("<g class=\"panel phq9\">", svg.Body);
        Assert.Contains("<g class=\"panel madrs\">", svg.Body);
        Assert.Contains("data-total=\"22\"", svg.Body);
        Assert.Contains("<desc id=\"chart-desc\">PHQ-9 18 (moderately-severe) on Nov 16; MADRS 22 (moderate) on Nov 30; PHQ-9 4 (minimal) on Nov 30.</desc>", svg.Body);
        Assert.DoesNotContain("<script", svg.Body);
    }

    [Theory]
    [InlineData("""{ "instrument": "phq9", "items": [0, 1, 2, 3, 0, 1, 2, 3] }""", "items")]
    [InlineData("""{ "instrument": "phq9", "items": [0, 1, 2, 3, 0, 1, 2, 3, 4] }""", "items")]
    [InlineData("""{ "instrument": "madrs", "items": [0, 1, 2, 3, 0, 1, 2, 3, 4] }""", "items")]
    [InlineData("""{ "instrument": "hamd", "items": [0, 1, 2, 3, 0, 1, 2, 3, 0] }""", "instrument")]
    [InlineData("""{ "instrument": "phq9" }""", "items")]
    [InlineData("""{ "instrument": "phq9", "at": "2026-12-25T10:00", "items": [0, 0, 0, 0, 0, 0, 0, 0, 0] }""", "at")]
    [InlineData("""{ "instrument": "phq9", "at": "yesterday", "items": [0, 0, 0, 0, 0, 0, 0, 0, 0] }""", "at")]
    public async Task A_rating_that_is_not_complete_or_not_on_its_scale_is_refused_and_nothing_is_stored(string body, string field)
    {
        var patient = await PatientAsync();
        var reply = await Clinic.PostAsync($"/patients/{patient}/assessments", System.Text.Json.Nodes.JsonNode.Parse(body));
        Assert.Equal(400, reply.Status);
        Assert.NotNull(reply.Json!["errors"]![field]);
        Assert.Empty((await Clinic.GetAsync($"/patients/{patient}/assessments")).Expect(200).Json!["assessments"]!.AsArray());
        Assert.Equal(404, (await Clinic.PostAsync("/patients/nosuchpatient00/assessments", new { instrument = "phq9", items = new int[9] })).Status);
    }

    [Fact]
    public async Task The_end_of_induction_review_gives_baseline_latest_change_and_response_and_the_report_counts_them()
    {
        // Course from Wednesday 2026-11-04: Monday 11-30 is day 26 (induction), Wednesday 12-02 day 28 (past week 4).
        var patient = await PatientAsync("2026-11-04");
        (await Clinic.PostAsync($"/patients/{patient}/assessments", new { instrument = "phq9", at = "2026-11-05T10:00", items = new[] { 3, 3, 3, 2, 2, 2, 2, 2, 1 } })).Expect(201); // 20
        var monday = (await Clinic.BookAsync(patient, "2026-11-30T11:00")).Expect(201)["id"]!;
        var wednesday = (await Clinic.BookAsync(patient, "2026-12-02T10:00")).Expect(201)["id"]!;
        await Clinic.TreatAsync(monday, new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero));
        Assert.Empty(await Clinic.FlagsAsync("induction-review"));

        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 14, 0, 0, TimeSpan.Zero));
        (await Clinic.PostAsync($"/patients/{patient}/assessments", new { instrument = "phq9", items = new[] { 1, 1, 1, 1, 1, 1, 1, 1, 0 } })).Expect(201); // 8
        await Clinic.TreatAsync(wednesday, new DateTimeOffset(2026, 12, 2, 15, 0, 0, TimeSpan.Zero));

        var review = Assert.Single(await Clinic.FlagsAsync("induction-review"))!;
        Assert.Equal("normal", review["severity"]!.ToString());
        Assert.Equal(wednesday, review["sessionId"]!.ToString());
        var detail = review["detail"]!.ToString();
        Assert.Contains("Induction of the course that started 2026-11-04 is over (2 sessions fulfilled)", detail);
        Assert.Contains("PHQ-9: baseline 20 (severe), latest 8 (mild), change -12 (60% lower): response (at least 50% below baseline).", detail);
        // It never changes a schedule: nothing was booked, moved or cancelled by it.
        Assert.Equal(2, (await Clinic.GetAsync($"/sessions?patientId={patient}")).Expect(200).Json!["sessions"]!.AsArray().Count);

        var report = (await App.GetAsync($"{Clinic.Base}/reports/summary?from=2026-11-01&to=2026-12-02", Clinic.Admin)).Expect(200);
        var block = report.Json!["assessments"]!;
        Assert.Equal(1, (int)block["patients"]!);
        Assert.Equal(1, (int)block["withBaseline"]!);
        Assert.Equal(1, (int)block["response"]!);
        Assert.Equal(0, (int)block["remission"]!);
        var before = (await App.GetAsync($"{Clinic.Base}/reports/summary?from=2026-10-01&to=2026-10-31", Clinic.Admin)).Expect(200);
        Assert.Equal(0, (int)before.Json!["assessments"]!["patients"]!);
    }
}
