using System.Text.Json.Nodes;

namespace ClinicBackend.Integration.Tests.Sessions;

/// <summary>
/// What the prescriber changes about a course (an explicit phase, pauses) and what staff confirm by phone (the
/// ride home), and how the sweep respects both. Monday 2026-11-30 10:00 in New York.
/// </summary>
public sealed class CourseChangeTests : TwilioAppTest
{
    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    private Task<Reply> PatchCourseAsync(string patient, object course) =>
        App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{patient}", Clinic.Staff, new { course });

    private async Task<JsonNode> CourseAsync(string patient) => (await Clinic.GetAsync($"/patients/{patient}")).Expect(200).Json!["course"]!;

    [Fact]
    public async Task A_ride_confirmed_by_phone_and_a_patient_who_texted_2_are_not_checked_again()
    {
        var silent = (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-02T09:00")).Expect(201)["id"]!;
        var phoned = (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-02T10:00")).Expect(201)["id"]!;
        const string texter = "+12125550177";
        var asked = (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(texter), "2026-12-02T11:00")).Expect(201)["id"]!;

        var ride = (await Clinic.PostAsync($"/sessions/{phoned}/ride", new { confirmedBy = "phone call with daughter" })).Expect(200);
        Assert.Equal("phone call with daughter", ride.Json!["ride"]!["confirmedBy"]!.ToString());
        Assert.Equal("2026-11-30T15:00:00Z", ride.Json!["ride"]!["confirmedAt"]!.ToString());
        Assert.Equal("ride-confirmed", ride.Json!["history"]!.AsArray()[^1]!["action"]!.ToString());
        var again = (await Clinic.PostAsync($"/sessions/{phoned}/ride", new { confirmedBy = "phone call with daughter" })).Expect(200);
        Assert.Equal(ride["version"], again["version"]);

        App.Clock.SetUtcNow(Utc(12, 1, 22, 0)); // Tuesday 17:00: the reminders ask everybody
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal(3, Twilio.Accepted.Count);
        await TextAsync(texter, "2");
        Assert.Single(await Clinic.FlagsAsync("reschedule-request"));

        App.Clock.SetUtcNow(Utc(12, 2, 1, 15)); // 20:15, after the ride check time
        await App.RunFunctionAsync("SweepMissedSessions");
        await App.RunFunctionAsync("SweepMissedSessions");
        var flag = Assert.Single(await Clinic.FlagsAsync("ride-unconfirmed"))!;
        Assert.Equal(silent, flag["sessionId"]!.ToString());
        Assert.Equal("declined", (await Clinic.GetAsync($"/sessions/{asked}")).Expect(200)["confirmation"]);
    }

    [Theory]
    [InlineData("""{ "confirmedBy": "" }""")]
    [InlineData("""{ "confirmedBy": "   " }""")]
    [InlineData("""{ "confirmedBy": "daughter\u0007" }""")]
    [InlineData("""{ }""")]
    public async Task A_ride_without_who_confirmed_it_is_a_400(string body)
    {
        var session = (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-02T09:00")).Expect(201)["id"]!;
        (await Clinic.PostAsync($"/sessions/{session}/ride", JsonNode.Parse(body))).ExpectProblem(400);
        Assert.Null((await Clinic.GetAsync($"/sessions/{session}")).Expect(200).Json!["ride"]);
    }

    [Fact]
    public async Task A_ride_for_a_cancelled_or_unknown_session_is_refused()
    {
        var session = (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-02T09:00")).Expect(201)["id"]!;
        (await Clinic.PostAsync($"/sessions/{session}/cancel", new { reason = "ill" })).Expect(200);
        (await Clinic.PostAsync($"/sessions/{session}/ride", new { confirmedBy = "son" })).ExpectProblem(409, "invalid-transition");
        (await Clinic.PostAsync("/sessions/s0000000000000000000000000/ride", new { confirmedBy = "son" })).ExpectProblem(404);
    }

    [Fact]
    public async Task The_phase_follows_an_explicit_override_and_leaves_paused_days_out()
    {
        var patient = await Clinic.RegisterPatientAsync(startDate: "2026-11-02"); // day 28 today: optimisation
        Assert.Equal("optimization", (await CourseAsync(patient))["phase"]!.ToString());

        (await PatchCourseAsync(patient, new { phaseOverride = "induction" })).Expect(200);
        var course = await CourseAsync(patient);
        Assert.Equal("induction", course["phase"]!.ToString());
        Assert.Equal("induction", course["phaseOverride"]!.ToString());
        (await PatchCourseAsync(patient, new { maintenanceIntervalDays = 14 })).Expect(200); // other fields keep the override
        Assert.Equal("induction", (await CourseAsync(patient))["phaseOverride"]!.ToString());
        (await PatchCourseAsync(patient, JsonNode.Parse("""{ "phaseOverride": null }""")!)).Expect(200);
        Assert.Null((await CourseAsync(patient))["phaseOverride"]);
        Assert.Equal("optimization", (await CourseAsync(patient))["phase"]!.ToString());

        // A week's pause: 21 treated days, still induction.
        (await PatchCourseAsync(patient, new { pauses = new[] { new { from = "2026-11-10", to = "2026-11-16", reason = "Hospital stay" } } })).Expect(200);
        course = await CourseAsync(patient);
        Assert.Equal("induction", course["phase"]!.ToString());
        Assert.Equal("Hospital stay", course["pauses"]![0]!["reason"]!.ToString());
        (await PatchCourseAsync(patient, new { pauses = Array.Empty<object>() })).Expect(200);
        Assert.Equal("optimization", (await CourseAsync(patient))["phase"]!.ToString());
    }

    [Theory]
    [InlineData("""{ "phaseOverride": "relapse" }""", "course.phaseOverride")]
    [InlineData("""{ "pauses": [ { "from": "2026-11-10", "to": "2026-11-09", "reason": "x" } ] }""", "course.pauses[0].to")]
    [InlineData("""{ "pauses": [ { "from": "2026-11-10", "to": "2026-11-12" } ] }""", "course.pauses[0].reason")]
    [InlineData("""{ "pauses": [ { "to": "2026-11-12", "reason": "x" } ] }""", "course.pauses[0].from")]
    [InlineData("""{ "pauses": [ { "from": "2026-11-10", "to": "2026-11-20", "reason": "a" }, { "from": "2026-11-15", "to": null, "reason": "b" } ] }""", "course.pauses")]
    [InlineData("""{ "pauses": [ { "from": "2026-11-10", "to": null, "reason": "a" }, { "from": "2026-11-25", "to": null, "reason": "b" } ] }""", "course.pauses")]
    public async Task Bad_course_changes_are_400s_that_change_nothing(string course, string field)
    {
        var patient = await Clinic.RegisterPatientAsync();
        var before = (await Clinic.GetAsync($"/patients/{patient}")).Expect(200);
        var refused = (await PatchCourseAsync(patient, JsonNode.Parse(course)!)).ExpectProblem(400);
        Assert.True(refused.Json!["errors"]![field] is not null, refused.Body);
        Assert.Equal(before.Body, (await Clinic.GetAsync($"/patients/{patient}")).Expect(200).Body);
    }

    [Fact]
    public async Task A_pause_is_no_lapse_and_paused_days_do_not_count_towards_the_gap()
    {
        // Maintenance every 7 days (2 days' grace): without a pause, a session on Nov 30 lapses on Dec 10.
        var patient = await Clinic.RegisterPatientAsync(startDate: "2026-09-01", interval: 7);
        var session = (await Clinic.BookAsync(patient, "2026-11-30T11:00")).Expect(201)["id"]!;
        await Clinic.TreatAsync(session, Utc(11, 30, 15, 55));
        (await Clinic.PostAsync($"/sessions/{session}/rems-form", new { submittedAt = "2026-11-30T13:05" })).Expect(200);
        (await PatchCourseAsync(patient, new { pauses = new[] { new { from = "2026-12-03", to = (string?)null, reason = "Travelling" } } })).Expect(200);

        App.Clock.SetUtcNow(Utc(12, 14, 15));
        await App.RunFunctionAsync("SweepMissedSessions");
        Assert.Empty(await Clinic.FlagsAsync("overdue-cadence"));

        // The pause ended on Dec 9: 7 paused days, so the gap is 10 - 7 = 3 on Dec 10 and lapses only on Dec 17.
        (await PatchCourseAsync(patient, new { pauses = new[] { new { from = "2026-12-03", to = "2026-12-09", reason = "Travelling" } } })).Expect(200);
        App.Clock.SetUtcNow(Utc(12, 16, 15));
        await App.RunFunctionAsync("SweepMissedSessions");
        Assert.Empty(await Clinic.FlagsAsync("overdue-cadence"));
        App.Clock.SetUtcNow(Utc(12, 17, 15));
        await App.RunFunctionAsync("SweepMissedSessions");
        Assert.Single(await Clinic.FlagsAsync("overdue-cadence"));
    }
}
