using System.Globalization;
using System.Text.Json.Nodes;
using ClinicBackend.Application.Persistence;
using NodaTime;

namespace ClinicBackend.Integration.Tests.Sweep;

/// <summary>
/// The end-of-induction review of a TRD course whose sessions never reach it (fewer than 8, none past week 4): the hourly
/// sweep raises it on the clinic-local day the course's 4 weeks are over, once.
/// </summary>
public sealed class InductionReviewSweepTests
{
    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>Books and treats the patient at 11:00 New York time on each of <paramref name="days"/>; returns the sessions.</summary>
    private static async Task<List<string>> TreatOnAsync(Scenario clinic, string patient, string offset, params string[] days)
    {
        var sessions = new List<string>();
        foreach (var day in days)
        {
            var session = (await clinic.BookAsync(patient, $"{day}T11:00")).Expect(201)["id"]!;
            await clinic.TreatAsync(session, DateTimeOffset.Parse($"{day}T11:00:00{offset}", CultureInfo.InvariantCulture));
            sessions.Add(session);
        }
        return sessions;
    }

    private static async Task ChangeStartAsync(Scenario clinic, string patient, string startDate) =>
        (await clinic.App.SendAsync(HttpMethod.Patch, $"{clinic.Base}/patients/{patient}", clinic.Staff, new { course = new { startDate } })).Expect(200);

    /// <summary>A course started 2026-11-30 with two sessions, reviewed by the sweep of its day 28: the clinic, the patient and the review.</summary>
    private static async Task<(Scenario Clinic, string Patient, JsonNode Review)> ReviewedAfterTwoSessionsAsync(TestApp app)
    {
        var clinic = await Scenario.CreateAsync(app);
        var patient = await clinic.RegisterPatientAsync(startDate: "2026-11-30");
        await TreatOnAsync(clinic, patient, "-05:00", "2026-11-30", "2026-12-03");
        await SweepAsync(app, "2026-12-28T15:00:00Z");
        return (clinic, patient, Assert.Single(await clinic.FlagsAsync("induction-review"))!);
    }

    private static async Task SweepAsync(TestApp app, string utc)
    {
        app.Clock.SetUtcNow(Utc(utc));
        await app.RunFunctionAsync("SweepMissedSessions");
    }

    [Fact]
    public async Task A_course_with_five_sessions_and_no_visit_after_week_four_gets_one_review_from_the_sweep_on_the_day_week_four_is_over()
    {
        await using var app = await TestApp.StartAsync(Utc("2026-11-30T14:00:00Z")); // Monday 09:00 in New York
        var clinic = await Scenario.CreateAsync(app);
        var patient = await clinic.RegisterPatientAsync(startDate: "2026-11-30");
        (await clinic.PostAsync($"/patients/{patient}/assessments", new { instrument = "phq9", at = "2026-11-30T08:30", items = new[] { 3, 3, 3, 2, 2, 2, 2, 2, 1 } })).Expect(201); // 20
        var sessions = await TreatOnAsync(clinic, patient, "-05:00", "2026-11-30", "2026-12-03", "2026-12-07", "2026-12-10");
        (await clinic.PostAsync($"/patients/{patient}/assessments", new { instrument = "madrs", at = "2026-11-30T08:45", items = new[] { 4, 4, 3, 3, 3, 3, 3, 3, 2, 2 } })).Expect(201); // 30
        (await clinic.PostAsync($"/patients/{patient}/assessments", new { instrument = "phq9", items = new[] { 2, 2, 2, 2, 1, 1, 1, 1, 0 } })).Expect(201); // 12
        (await clinic.PostAsync($"/patients/{patient}/assessments", new { instrument = "madrs", items = new[] { 2, 2, 2, 2, 2, 2, 1, 1, 1, 1 } })).Expect(201); // 16
        sessions.AddRange(await TreatOnAsync(clinic, patient, "-05:00", "2026-12-14"));
        Assert.Empty(await clinic.FlagsAsync("induction-review"));

        // Week 4 is days 0-27 (to Sunday 12-27); on Monday 12-28 the induction is over. 23:30 on the 27th is already the 28th in UTC.
        await SweepAsync(app, "2026-12-28T04:30:00Z");
        Assert.Empty(await clinic.FlagsAsync("induction-review"));

        await SweepAsync(app, "2026-12-28T05:30:00Z"); // 00:30 on the 28th
        await SweepAsync(app, "2026-12-28T06:30:00Z");
        var review = Assert.Single(await clinic.FlagsAsync("induction-review"))!;
        Assert.Equal(patient, review["patientId"]!.ToString());
        Assert.Equal(sessions[^1], review["sessionId"]!.ToString());
        Assert.Equal("normal", review["severity"]!.ToString());
        var detail = review["detail"]!.ToString();
        Assert.Contains("Induction of the course that started 2026-11-30 is over (5 sessions fulfilled)", detail);
        Assert.Contains("PHQ-9: baseline 20 (severe), latest 12 (moderate), change -8 (40% lower): no response yet", detail);
        Assert.Contains("MADRS: first 30 (moderate), latest 16 (mild), change -14.", detail);

        // The patient comes back after week 4: that session's review is the one already raised.
        await TreatOnAsync(clinic, patient, "-05:00", "2026-12-30");
        await SweepAsync(app, "2026-12-31T15:00:00Z");
        Assert.Equal(review["id"]!.ToString(), Assert.Single(await clinic.FlagsAsync("induction-review"))!["id"]!.ToString());
    }

    [Fact]
    public async Task A_review_raised_by_the_eighth_session_gets_no_second_one_from_the_sweep()
    {
        await using var app = await TestApp.StartAsync(Utc("2026-11-30T14:00:00Z"));
        var clinic = await Scenario.CreateAsync(app);
        var patient = await clinic.RegisterPatientAsync(startDate: "2026-11-30");
        var sessions = await TreatOnAsync(clinic, patient, "-05:00",
            "2026-11-30", "2026-12-03", "2026-12-07", "2026-12-10", "2026-12-14", "2026-12-17", "2026-12-21", "2026-12-23");
        var review = Assert.Single(await clinic.FlagsAsync("induction-review"))!;
        Assert.Equal(sessions[^1], review["sessionId"]!.ToString());

        await SweepAsync(app, "2026-12-28T05:30:00Z");
        await SweepAsync(app, "2026-12-29T15:00:00Z");
        var after = Assert.Single(await clinic.FlagsAsync("induction-review"))!;
        Assert.Equal((review["id"]!.ToString(), review["detail"]!.ToString()), (after["id"]!.ToString(), after["detail"]!.ToString()));
        Assert.Contains("(8 sessions fulfilled)", after["detail"]!.ToString());
    }

    [Fact]
    public async Task The_day_week_four_is_over_is_the_clinics_day_after_daylight_saving_ends()
    {
        // Course from Monday 2026-10-12 (EDT, UTC-4); New York falls back on 11-01, so day 28, Monday 11-09, starts at 05:00Z (EST).
        await using var app = await TestApp.StartAsync(Utc("2026-10-12T13:00:00Z"));
        var clinic = await Scenario.CreateAsync(app);
        var patient = await clinic.RegisterPatientAsync(startDate: "2026-10-12");
        await TreatOnAsync(clinic, patient, "-04:00", "2026-10-12", "2026-10-15");

        await SweepAsync(app, "2026-11-09T04:30:00Z"); // 23:30 EST on Sunday: still the 8th (at the course start's offset it would be the 9th)
        Assert.Empty(await clinic.FlagsAsync("induction-review"));
        await SweepAsync(app, "2026-11-09T05:00:00Z"); // midnight EST
        Assert.Contains("(2 sessions fulfilled)", Assert.Single(await clinic.FlagsAsync("induction-review"))!["detail"]!.ToString());
    }

    [Fact]
    public async Task A_course_restarted_before_its_fourth_week_is_over_gets_no_review_for_the_old_start()
    {
        await using var app = await TestApp.StartAsync(Utc("2026-11-30T14:00:00Z"));
        var clinic = await Scenario.CreateAsync(app);
        var patient = await clinic.RegisterPatientAsync(startDate: "2026-11-30");
        await TreatOnAsync(clinic, patient, "-05:00", "2026-11-30", "2026-12-03");
        await ChangeStartAsync(clinic, patient, "2026-12-21");
        await TreatOnAsync(clinic, patient, "-05:00", "2026-12-21");

        await SweepAsync(app, "2026-12-28T15:00:00Z"); // the old start's day 28
        Assert.Empty(await clinic.FlagsAsync("induction-review"));

        await SweepAsync(app, "2027-01-18T04:30:00Z"); // 23:30 on 01-17, day 27 of the new course
        Assert.Empty(await clinic.FlagsAsync("induction-review"));
        await SweepAsync(app, "2027-01-18T15:00:00Z");
        Assert.Contains("the course that started 2026-12-21 is over (1 session fulfilled)", Assert.Single(await clinic.FlagsAsync("induction-review"))!["detail"]!.ToString());
    }

    [Fact]
    public async Task A_course_start_moved_back_past_its_day_28_is_reviewed_by_the_next_sweep()
    {
        // Entered as starting Thursday 12-03; the course really began Monday 11-30, so its day 28 was 12-28, not 12-31.
        await using var app = await TestApp.StartAsync(Utc("2026-11-30T14:00:00Z"));
        var clinic = await Scenario.CreateAsync(app);
        var patient = await clinic.RegisterPatientAsync(startDate: "2026-12-03");
        var sessions = await TreatOnAsync(clinic, patient, "-05:00", "2026-12-03", "2026-12-07");

        app.Clock.SetUtcNow(Utc("2026-12-29T15:00:00Z"));
        await ChangeStartAsync(clinic, patient, "2026-11-30");
        await SweepAsync(app, "2026-12-29T16:00:00Z");
        var review = Assert.Single(await clinic.FlagsAsync("induction-review"))!;
        Assert.Equal(sessions[^1], review["sessionId"]!.ToString());
        Assert.Contains("the course that started 2026-11-30 is over (2 sessions fulfilled)", review["detail"]!.ToString());

        await SweepAsync(app, "2026-12-31T15:00:00Z"); // the day 28 of the start first entered
        Assert.Equal(review["id"]!.ToString(), Assert.Single(await clinic.FlagsAsync("induction-review"))!["id"]!.ToString());
    }

    [Fact]
    public async Task A_course_start_corrected_twice_after_its_review_was_raised_is_not_reviewed_again()
    {
        await using var app = await TestApp.StartAsync(Utc("2026-11-30T14:00:00Z"));
        var (clinic, patient, review) = await ReviewedAfterTwoSessionsAsync(app);

        // Corrected twice: the second change's old start (11-26) was never reviewed, but its weeks were.
        await ChangeStartAsync(clinic, patient, "2026-11-26");
        await SweepAsync(app, "2026-12-28T16:00:00Z");
        await ChangeStartAsync(clinic, patient, "2026-11-27");
        await SweepAsync(app, "2026-12-28T17:00:00Z");
        await SweepAsync(app, "2026-12-29T15:00:00Z");
        Assert.Equal(review["id"]!.ToString(), Assert.Single(await clinic.FlagsAsync("induction-review"))!["id"]!.ToString());
    }

    [Fact]
    public async Task A_restart_entered_after_its_first_sessions_is_reviewed_at_its_own_day_28()
    {
        await using var app = await TestApp.StartAsync(Utc("2026-11-30T14:00:00Z"));
        var (clinic, patient, first) = await ReviewedAfterTwoSessionsAsync(app);

        // The patient comes back in January; staff enter the restart after its first two sessions.
        await TreatOnAsync(clinic, patient, "-05:00", "2027-01-11", "2027-01-14");
        app.Clock.SetUtcNow(Utc("2027-01-15T15:00:00Z"));
        await ChangeStartAsync(clinic, patient, "2027-01-11");

        await SweepAsync(app, "2027-02-08T04:30:00Z"); // 23:30 on 02-07, day 27
        Assert.Single(await clinic.FlagsAsync("induction-review"));
        await SweepAsync(app, "2027-02-08T15:00:00Z");
        var reviews = await clinic.FlagsAsync("induction-review");
        Assert.Equal(2, reviews.Count);
        Assert.Contains(reviews, r => r!["id"]!.ToString() != first["id"]!.ToString()
            && r["detail"]!.ToString().Contains("the course that started 2027-01-11 is over (2 sessions fulfilled)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_watch_left_under_a_start_changed_since_is_moved_to_the_current_start_by_the_sweep()
    {
        // What a session's commit racing the correction leaves: the watch of the start first entered (12-03), none of 11-30.
        await using var app = await TestApp.StartAsync(Utc("2026-11-30T14:00:00Z"));
        var clinic = await Scenario.CreateAsync(app);
        var patient = await clinic.RegisterPatientAsync(startDate: "2026-12-03");
        await TreatOnAsync(clinic, patient, "-05:00", "2026-12-03", "2026-12-07");
        app.Clock.SetUtcNow(Utc("2026-12-29T15:00:00Z"));
        await ChangeStartAsync(clinic, patient, "2026-11-30");
        var store = app.Services.GetRequiredService<IDocumentStore>();
        await store.CommitAsync(clinic.ClinicId,
        [
            new Change.Delete(Keys.InductionWatch(new LocalDate(2026, 12, 28), patient)),
            new Change.Upsert(Keys.InductionWatch(new LocalDate(2026, 12, 31), patient), new InductionWatch(patient, new LocalDate(2026, 12, 3))),
        ], default);

        await SweepAsync(app, "2026-12-30T15:00:00Z");
        Assert.Empty(await clinic.FlagsAsync("induction-review"));
        await SweepAsync(app, "2026-12-31T15:00:00Z"); // the stale watch falls due: it moves to 11-30's day 28, already past
        await SweepAsync(app, "2026-12-31T16:00:00Z");
        Assert.Contains("the course that started 2026-11-30 is over (2 sessions fulfilled)", Assert.Single(await clinic.FlagsAsync("induction-review"))!["detail"]!.ToString());
    }
}
