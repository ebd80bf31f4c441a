namespace ClinicBackend.Integration.Tests.Sessions;

public sealed class LifecycleTests : ClinicAppTest
{
    /// <summary>Books a session on Wednesday 2026-12-02 09:00 New York and sets the clock to that morning 08:30.</summary>
    private async Task<string> BookedTodayAsync()
    {
        var session = (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-02T09:00")).Expect(201)["id"]!;
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 13, 30, 0, TimeSpan.Zero));
        return session;
    }

    [Fact]
    public async Task A_session_goes_booked_arrived_fulfilled_with_its_dose_and_observations()
    {
        await Clinic.StockAsync();
        var id = await BookedTodayAsync();
        (await Clinic.PostAsync($"/sessions/{id}/dose", Scenario.Dose())).ExpectProblem(409, "not-arrived");
        var arrived = (await Clinic.PostAsync($"/sessions/{id}/check-in")).Expect(200);
        Assert.Equal("arrived", arrived["status"]);
        Assert.Equal("2", arrived["version"]);
        (await Clinic.PostAsync($"/sessions/{id}/check-in")).ExpectProblem(409, "invalid-transition");
        (await Clinic.PostAsync($"/sessions/{id}/rems-form", new { submittedAt = "2026-12-02T12:00" })).ExpectProblem(409, "invalid-transition");
        (await Clinic.PostAsync($"/sessions/{id}/observations", Scenario.ClearObservation())).ExpectProblem(409, "not-dosed");
        (await Clinic.PostAsync($"/sessions/{id}/complete", Scenario.Discharge)).ExpectProblem(409, "not-dosed");

        App.Clock.Advance(TimeSpan.FromMinutes(10));
        var dosed = (await Clinic.PostAsync($"/sessions/{id}/dose", Scenario.Dose())).Expect(200);
        Assert.Equal("2026-12-02T13:40:00Z", dosed["dosedAt"]);
        (await Clinic.PostAsync($"/sessions/{id}/dose", Scenario.Dose())).ExpectProblem(409, "already-dosed");
        (await Clinic.PostAsync($"/sessions/{id}/cancel", new { reason = "changed mind" })).ExpectProblem(409, "already-dosed");
        App.Clock.Advance(TimeSpan.FromMinutes(40));
        var observed = (await Clinic.PostAsync($"/sessions/{id}/observations", Scenario.ClearObservation())).Expect(201);
        Assert.Equal("40", observed["minutesAfterDose"]);
        Assert.Equal("false", observed["alert"]);
        Assert.Equal("4", observed.Header("ETag")?.Trim('"'));

        App.Clock.Advance(TimeSpan.FromMinutes(90));
        var done = (await Clinic.PostAsync($"/sessions/{id}/complete", Scenario.Discharge)).Expect(200);
        Assert.Equal("fulfilled", done["status"]);
        Assert.Equal("130", done["monitoringMinutes"]);
        Assert.Equal("56", done.Json!["monitoring"]!["dose"]!["doseMg"]!.ToString());
        Assert.Equal("126/80", done.Json!["monitoring"]!["discharge"]!["bloodPressure"]!.ToString());
        Assert.Equal("2026-12-09T14:00:00Z", done.Json!["remsForm"]!["dueBy"]!.ToString());
        (await Clinic.PostAsync($"/sessions/{id}/complete", Scenario.Discharge)).ExpectProblem(409, "invalid-transition");
        (await Clinic.PostAsync($"/sessions/{id}/cancel", new { reason = "late" })).ExpectProblem(409, "invalid-transition");

        (await Clinic.PostAsync($"/sessions/{id}/rems-form", new { submittedAt = "2026-12-01T12:00" })).ExpectProblem(422, "implausible-filing-time");
        var filed = (await Clinic.PostAsync($"/sessions/{id}/rems-form", new { submittedAt = "2026-12-02T10:55" })).Expect(200);
        Assert.Equal("2026-12-02T15:55:00Z", filed.Json!["remsForm"]!["submittedAt"]!.ToString());
        (await Clinic.PostAsync($"/sessions/{id}/rems-form", new { submittedAt = "2026-12-02T10:55" })).ExpectProblem(409, "already-filed");

        var history = filed.Json!["history"]!.AsArray().Select(h => h!["action"]!.ToString());
        Assert.Equal(["booked", "checked-in", "dosed", "observed", "completed", "rems-form-filed"], history);
    }

    [Fact]
    public async Task The_earlier_complete_body_is_refused_with_what_to_record_first()
    {
        var id = await BookedTodayAsync();
        (await Clinic.PostAsync($"/sessions/{id}/check-in")).Expect(200);
        App.Clock.Advance(TimeSpan.FromHours(3));
        var refused = (await Clinic.PostAsync($"/sessions/{id}/complete", new
        {
            doseMg = 84,
            bloodPressure = new { preDose = "128/82", postDose40Min = "134/86", discharge = "126/80" },
            monitoringMinutes = 125,
        })).ExpectProblem(400, "superseded-body");
        Assert.Contains("POST .../dose", refused["detail"]);
        Assert.Equal("arrived", (await Clinic.GetAsync($"/sessions/{id}")).Expect(200)["status"]);
    }

    [Fact]
    public async Task Check_in_is_on_the_day_of_the_session()
    {
        var id = (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-02T09:00")).Expect(201)["id"];
        (await Clinic.PostAsync($"/sessions/{id}/check-in")).ExpectProblem(422, "not-today");
        (await Clinic.PostAsync($"/sessions/{id}/check-in", new { extra = 1 })).ExpectProblem(400);
    }

    [Fact]
    public async Task Two_concurrent_check_ins_give_one_success()
    {
        var id = await BookedTodayAsync();
        var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Clinic.PostAsync($"/sessions/{id}/check-in")));
        Assert.Single(replies, r => r.Status == 200);
        Assert.All(replies.Where(r => r.Status != 200), r => r.ExpectProblem(409, "invalid-transition"));
        var session = (await Clinic.GetAsync($"/sessions/{id}")).Expect(200);
        Assert.Equal("2", session["version"]);
        Assert.Equal(2, session.Json!["history"]!.AsArray().Count);
    }

    [Fact]
    public async Task Reschedule_moves_the_chair_keeps_history_and_refuses_stale_versions()
    {
        var clinic = await AddClinicAsync(new() { Chairs = 1 });
        var patient = await clinic.RegisterPatientAsync();
        var other = await clinic.RegisterPatientAsync();
        var id = (await clinic.BookAsync(patient, "2026-12-02T09:00")).Expect(201)["id"];
        (await clinic.BookAsync(other, "2026-12-03T09:00")).Expect(201);

        (await clinic.PostAsync($"/sessions/{id}/reschedule", new { start = "2026-12-03T10:00" })).ExpectProblem(409, "capacity");
        (await clinic.PostAsync($"/sessions/{id}/reschedule", new { start = "2026-12-02T10:00" }, ifMatch: "\"5\"")).ExpectProblem(409, "stale-version");
        // Overlapping its own old slot is fine: it keeps its own chair claims.
        var moved = (await clinic.PostAsync($"/sessions/{id}/reschedule", new { start = "2026-12-02T10:00" }, ifMatch: "\"1\"")).Expect(200);
        Assert.Equal("2026-12-02T10:00", moved["start"]);
        Assert.Equal("2", moved["version"]);
        (await clinic.BookAsync(other, "2026-12-02T09:00")).ExpectProblem(409, "capacity");
        var moved2 = (await clinic.PostAsync($"/sessions/{id}/reschedule", new { start = "2026-12-04T09:00" })).Expect(200);
        Assert.Equal("3", moved2["version"]);
        // The old day is free again, the patient may be booked there, and both days list correctly.
        (await clinic.BookAsync(other, "2026-12-02T09:00")).Expect(201);
        Assert.Single((await clinic.GetAsync("/sessions?date=2026-12-04")).Json!["sessions"]!.AsArray());
        var history = moved2.Json!["history"]!.AsArray().Select(h => h!["detail"]?.ToString());
        Assert.Equal(["2026-12-02T09:00", "2026-12-02T09:00 -> 2026-12-02T10:00", "2026-12-02T10:00 -> 2026-12-04T09:00"], history);
    }

    [Fact]
    public async Task Cancel_frees_the_chair_and_keeps_the_session_with_its_reason()
    {
        var clinic = await AddClinicAsync(new() { Chairs = 1 });
        var id = (await clinic.BookAsync(await clinic.RegisterPatientAsync(), "2026-12-02T09:00")).Expect(201)["id"];
        var cancelled = (await clinic.PostAsync($"/sessions/{id}/cancel", new { reason = "no ride home" })).Expect(200);
        Assert.Equal("cancelled", cancelled["status"]);
        Assert.Equal("no ride home", cancelled["cancelReason"]);
        (await clinic.PostAsync($"/sessions/{id}/cancel", new { reason = "again" })).ExpectProblem(409, "invalid-transition");
        (await clinic.PostAsync($"/sessions/{id}/reschedule", new { start = "2026-12-02T10:00" })).ExpectProblem(409, "invalid-transition");
        (await clinic.BookAsync(await clinic.RegisterPatientAsync(), "2026-12-02T09:00")).Expect(201);
        var day = (await clinic.GetAsync("/sessions?date=2026-12-02")).Json!["sessions"]!.AsArray();
        Assert.Equal(["cancelled", "booked"], day.Select(s => s!["status"]!.ToString()).Order(StringComparer.Ordinal).Reverse());
    }
}
