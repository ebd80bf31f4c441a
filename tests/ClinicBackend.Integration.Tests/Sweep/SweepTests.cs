using System.Globalization;

namespace ClinicBackend.Integration.Tests.Sweep;

public sealed class SweepTests
{
    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static async Task<string> StatusAsync(Scenario clinic, string session) =>
        (await clinic.GetAsync($"/sessions/{session}")).Expect(200)["status"]!;

    [Fact]
    public async Task A_session_not_checked_in_by_its_end_plus_grace_becomes_a_noshow_with_one_flag_and_one_text()
    {
        await using var twilio = await TwilioStandIn.StartAsync();
        await using var app = await TestApp.StartAsync(Utc("2026-11-30T15:00:00Z"), twilio.Settings());
        var clinic = await Scenario.CreateAsync(app);
        var patient = await clinic.RegisterPatientAsync();
        var session = (await clinic.BookAsync(patient, "2026-12-02T09:00")).Expect(201)["id"]!;
        var checkedIn = (await clinic.BookAsync(await clinic.RegisterPatientAsync(), "2026-12-02T09:00")).Expect(201)["id"]!;

        app.Clock.SetUtcNow(Utc("2026-12-02T16:29:00Z")); // 11:29: one minute inside the 30-minute grace
        (await clinic.PostAsync($"/sessions/{checkedIn}/check-in")).Expect(200);
        await app.RunFunctionAsync("SweepMissedSessions");
        Assert.Equal("booked", await StatusAsync(clinic, session));

        app.Clock.SetUtcNow(Utc("2026-12-02T16:30:00Z")); // 11:30: grace over
        await app.RunFunctionAsync("SweepMissedSessions");
        await app.RunFunctionAsync("SweepMissedSessions");
        Assert.Equal("noshow", await StatusAsync(clinic, session));
        Assert.Equal("arrived", await StatusAsync(clinic, checkedIn));
        var flag = Assert.Single(await clinic.FlagsAsync("missed-session"))!;
        Assert.Equal(session, flag["sessionId"]!.ToString());

        await app.RunFunctionAsync("DispatchSms");
        var text = Assert.Single(twilio.Accepted, t => t.Body.Contains("we missed you"));
        Assert.Equal("Riverside Behavioral Health: we missed you today. Reply 2 to reschedule or call (212) 555-0100. STOP to opt out", text.Body);
        await app.RunFunctionAsync("SweepMissedSessions");
        await app.RunFunctionAsync("DispatchSms");
        Assert.Single(twilio.Accepted, t => t.Body.Contains("we missed you"));
    }

    [Fact]
    public async Task After_three_days_of_outage_the_sweep_catches_up_on_everything()
    {
        await using var app = await TestApp.StartAsync(Utc("2026-11-30T13:00:00Z"));
        var clinic = await Scenario.CreateAsync(app);
        await app.RunFunctionAsync("SweepMissedSessions"); // Monday 08:00: the last sweep before the outage
        var sessions = new List<string>();
        foreach (var day in new[] { "2026-11-30T14:00", "2026-12-01T09:00", "2026-12-02T16:00", "2026-12-03T08:00" })
        {
            sessions.Add((await clinic.BookAsync(await clinic.RegisterPatientAsync(), day)).Expect(201)["id"]!);
        }
        app.Clock.SetUtcNow(Utc("2026-12-03T14:00:00Z")); // Thursday 09:00: the Thursday session is still running
        await app.RunFunctionAsync("SweepMissedSessions");
        Assert.Equal(["noshow", "noshow", "noshow", "booked"], await Task.WhenAll(sessions.Select(s => StatusAsync(clinic, s))));
        Assert.Equal(3, (await clinic.FlagsAsync("missed-session")).Count);
    }

    [Fact]
    public async Task Clinics_in_different_zones_are_swept_on_their_own_clocks_across_midnight_and_daylight_saving()
    {
        await using var app = await TestApp.StartAsync(Utc("2027-04-01T00:00:00Z"));
        static void LateHours(Dictionary<string, object?> body) => body["openingHours"] = new Dictionary<string, string[]?>
        {
            ["mon"] = ["08:00", "23:55"],
            ["tue"] = ["08:00", "23:55"],
            ["wed"] = ["08:00", "23:55"],
            ["thu"] = ["08:00", "23:55"],
            ["fri"] = ["08:00", "23:55"],
            ["sat"] = ["00:00", "23:55"],
            ["sun"] = ["00:00", "23:55"],
        };
        var newYork = await Scenario.CreateAsync(app, new() { Adjust = LateHours });
        var sydney = await Scenario.CreateAsync(app, new() { TimeZone = "Australia/Sydney", Country = "AU", Phone = "+61291234567", SmsFrom = "+61291234500", Adjust = LateHours });
        await app.RunFunctionAsync("SweepMissedSessions");
        // New York: Friday 21:30-23:30 EDT; missed from 00:00 Saturday local (04:00Z).
        var ny = (await newYork.BookAsync(await newYork.RegisterPatientAsync(), "2027-04-02T21:30")).Expect(201)["id"]!;
        // Sydney falls back on Sunday 2027-04-04 03:00 -> 02:00: 01:30-03:30 lasts two real hours, ending 02:30 AEST (16:30Z).
        var syd = (await sydney.BookAsync(await sydney.RegisterPatientAsync(phone: "0412 345 670"), "2027-04-04T01:30")).Expect(201)["id"]!;
        Assert.Equal("2027-04-04T02:30", (await sydney.GetAsync($"/sessions/{syd}")).Json!["end"]!.ToString());

        app.Clock.SetUtcNow(Utc("2027-04-03T03:59:00Z"));
        await app.RunFunctionAsync("SweepMissedSessions");
        Assert.Equal("booked", await StatusAsync(newYork, ny));
        app.Clock.SetUtcNow(Utc("2027-04-03T04:00:00Z"));
        await app.RunFunctionAsync("SweepMissedSessions");
        Assert.Equal("noshow", await StatusAsync(newYork, ny));

        app.Clock.SetUtcNow(Utc("2027-04-03T16:59:00Z")); // 03:59 AEDT: end 02:30 AEST is still 30 min ahead... in real time
        await app.RunFunctionAsync("SweepMissedSessions");
        Assert.Equal("booked", await StatusAsync(sydney, syd));
        app.Clock.SetUtcNow(Utc("2027-04-03T17:00:00Z"));
        await app.RunFunctionAsync("SweepMissedSessions");
        Assert.Equal("noshow", await StatusAsync(sydney, syd));
    }

    public static TheoryData<string, int, string, string, bool> CadenceEdges => new()
    {
        // course start, maintenance interval, last completed session (local), sweep day (local, 10:00), flagged?
        // induction: at most 4 days apart, 2 days' grace: flagged on the 7th day after
        { "2026-11-23", 14, "2026-11-30T09:00", "2026-12-06", false },
        { "2026-11-23", 14, "2026-11-30T09:00", "2026-12-07", true },
        // optimisation (weeks 5-8): weekly, flagged on the 10th day
        { "2026-10-26", 14, "2026-11-30T09:00", "2026-12-09", false },
        { "2026-10-26", 14, "2026-11-30T09:00", "2026-12-10", true },
        // maintenance every 14 days: flagged on the 17th day
        { "2026-09-01", 14, "2026-11-30T09:00", "2026-12-16", false },
        { "2026-09-01", 14, "2026-11-30T09:00", "2026-12-17", true },
        // maintenance every 7 days: flagged on the 10th day
        { "2026-09-01", 7, "2026-11-30T09:00", "2026-12-09", false },
        { "2026-09-01", 7, "2026-11-30T09:00", "2026-12-10", true },
    };

    [Theory]
    [MemberData(nameof(CadenceEdges))]
    public async Task A_lapsed_cadence_is_flagged_at_each_phase_boundary(string courseStart, int interval, string last, string sweepDay, bool flagged)
    {
        await using var app = await TestApp.StartAsync(Utc("2026-11-29T15:00:00Z"));
        var clinic = await Scenario.CreateAsync(app, new()
        {
            Adjust = b => b["openingHours"] = new Dictionary<string, string[]?>
            {
                ["mon"] = ["08:00", "18:00"],
                ["tue"] = ["08:00", "18:00"],
                ["wed"] = ["08:00", "18:00"],
                ["thu"] = ["08:00", "18:00"],
                ["fri"] = ["08:00", "18:00"],
                ["sat"] = ["08:00", "18:00"],
                ["sun"] = ["08:00", "18:00"],
            },
        });
        var patient = await clinic.RegisterPatientAsync(startDate: courseStart, interval: interval);
        var session = (await clinic.BookAsync(patient, last)).Expect(201)["id"]!;
        await clinic.TreatAsync(session, Utc(last[..10] + "T13:55:00Z"));
        (await clinic.PostAsync($"/sessions/{session}/rems-form", new { submittedAt = last[..10] + "T11:05" })).Expect(200);

        app.Clock.SetUtcNow(Utc(sweepDay + "T15:00:00Z"));
        await app.RunFunctionAsync("SweepMissedSessions");
        await app.RunFunctionAsync("SweepMissedSessions");
        var flags = await clinic.FlagsAsync("overdue-cadence");
        Assert.Equal(flagged ? 1 : 0, flags.Count);
        if (flagged)
        {
            var detail = flags[0]!["detail"]!.ToString();
            Assert.Contains("2026-11-30", detail);
            Assert.Contains("none is booked", detail);
            Assert.Equal(courseStart == "2026-09-01", detail.Contains("considering a return to the previous frequency"));
        }
    }

    [Fact]
    public async Task Nothing_is_flagged_while_a_session_is_booked_and_the_flag_comes_once_it_lapses()
    {
        await using var app = await TestApp.StartAsync(Utc("2026-11-29T15:00:00Z"));
        var clinic = await Scenario.CreateAsync(app);
        var patient = await clinic.RegisterPatientAsync(startDate: "2026-09-01", interval: 7);
        var first = (await clinic.BookAsync(patient, "2026-11-30T09:00")).Expect(201)["id"]!;
        var next = (await clinic.BookAsync(patient, "2026-12-21T09:00")).Expect(201)["id"]!;
        await clinic.TreatAsync(first, Utc("2026-11-30T13:55:00Z"));
        app.Clock.SetUtcNow(Utc("2026-12-14T15:00:00Z"));
        await app.RunFunctionAsync("SweepMissedSessions");
        Assert.Empty(await clinic.FlagsAsync("overdue-cadence"));
        (await clinic.PostAsync($"/sessions/{next}/cancel", new { reason = "patient travelling" })).Expect(200);
        await app.RunFunctionAsync("SweepMissedSessions");
        Assert.Single(await clinic.FlagsAsync("overdue-cadence"));
    }

    [Fact]
    public async Task An_unfiled_monitoring_form_is_flagged_at_five_days_and_urgent_at_seven()
    {
        await using var app = await TestApp.StartAsync(Utc("2026-11-30T15:00:00Z"));
        var clinic = await Scenario.CreateAsync(app);
        var session = (await clinic.BookAsync(await clinic.RegisterPatientAsync(), "2026-12-02T09:00")).Expect(201)["id"]!;
        await clinic.TreatAsync(session, Utc("2026-12-02T13:55:00Z"));

        async Task SweepAtAsync(string utc)
        {
            app.Clock.SetUtcNow(Utc(utc));
            await app.RunFunctionAsync("SweepMissedSessions");
        }
        await SweepAtAsync("2026-12-07T13:59:00Z"); // start + 5 days - 1 minute
        Assert.Empty(await clinic.FlagsAsync("rems-form-due"));
        await SweepAtAsync("2026-12-07T14:00:00Z"); // start + 5 days
        Assert.Equal("normal", Assert.Single(await clinic.FlagsAsync("rems-form-due"))!["severity"]!.ToString());
        await SweepAtAsync("2026-12-09T13:59:00Z");
        Assert.Equal("normal", Assert.Single(await clinic.FlagsAsync("rems-form-due"))!["severity"]!.ToString());
        await SweepAtAsync("2026-12-09T14:00:00Z"); // start + 7 days: the deadline
        await SweepAtAsync("2026-12-09T15:00:00Z");
        var urgent = Assert.Single(await clinic.FlagsAsync("rems-form-due"))!;
        Assert.Equal("urgent", urgent["severity"]!.ToString());
        Assert.StartsWith("OVERDUE", urgent["detail"]!.ToString());

        (await clinic.PostAsync($"/sessions/{session}/rems-form", new { submittedAt = "2026-12-09T09:30" })).Expect(200);
        Assert.Empty(await clinic.FlagsAsync("rems-form-due"));
        Assert.Equal("The monitoring form was filed.", Assert.Single(await clinic.FlagsAsync("rems-form-due", "resolved"))!["note"]!.ToString());
    }

    [Fact]
    public async Task A_form_filed_in_time_never_raises_a_flag()
    {
        await using var app = await TestApp.StartAsync(Utc("2026-11-30T15:00:00Z"));
        var clinic = await Scenario.CreateAsync(app);
        var session = (await clinic.BookAsync(await clinic.RegisterPatientAsync(), "2026-12-02T09:00")).Expect(201)["id"]!;
        await clinic.TreatAsync(session, Utc("2026-12-02T13:55:00Z"));
        (await clinic.PostAsync($"/sessions/{session}/rems-form", new { submittedAt = "2026-12-02T11:05" })).Expect(200);
        app.Clock.SetUtcNow(Utc("2026-12-12T15:00:00Z"));
        await app.RunFunctionAsync("SweepMissedSessions");
        Assert.Empty(await clinic.FlagsAsync("rems-form-due"));
        Assert.Empty(await clinic.FlagsAsync("rems-form-due", "resolved"));
    }

    [Fact]
    public async Task A_ride_not_confirmed_by_the_evening_before_is_flagged()
    {
        await using var twilio = await TwilioStandIn.StartAsync();
        await using var app = await TestApp.StartAsync(Utc("2026-11-30T15:00:00Z"), twilio.Settings());
        var clinic = await Scenario.CreateAsync(app);
        var silent = (await clinic.BookAsync(await clinic.RegisterPatientAsync(), "2026-12-02T09:00")).Expect(201)["id"]!;
        var confirmedPatient = await clinic.RegisterPatientAsync(phone: "+12125550166");
        (await clinic.BookAsync(confirmedPatient, "2026-12-02T10:00")).Expect(201);
        var notAsked = await clinic.RegisterPatientAsync(smsConsent: false);
        (await clinic.BookAsync(notAsked, "2026-12-02T11:00")).Expect(201);

        app.Clock.SetUtcNow(Utc("2026-12-01T22:00:30Z")); // Tuesday 17:00: reminders go
        await app.RunFunctionAsync("DispatchSms");
        Assert.Equal(2, twilio.Accepted.Count);
        var fields = new Dictionary<string, string>
        {
            ["MessageSid"] = "SM" + new string('7', 32),
            ["AccountSid"] = TwilioStandIn.AccountSid,
            ["From"] = "+12125550166",
            ["To"] = clinic.SmsFrom,
            ["Body"] = "1",
        };
        (await TwilioRequests.PostSignedAsync(app, "/api/sms/inbound", fields)).Expect(200);

        app.Clock.SetUtcNow(Utc("2026-12-02T00:59:00Z")); // 19:59
        await app.RunFunctionAsync("SweepMissedSessions");
        Assert.Empty(await clinic.FlagsAsync("ride-unconfirmed"));
        app.Clock.SetUtcNow(Utc("2026-12-02T01:15:00Z")); // 20:15
        await app.RunFunctionAsync("SweepMissedSessions");
        await app.RunFunctionAsync("SweepMissedSessions");
        var flag = Assert.Single(await clinic.FlagsAsync("ride-unconfirmed"))!;
        Assert.Equal(silent, flag["sessionId"]!.ToString());
        Assert.Equal("normal", flag["severity"]!.ToString());
    }

    [Fact]
    public async Task Flags_and_status_changes_are_published_as_CloudEvents_with_ids_stable_across_reruns()
    {
        await using var app = await TestApp.StartAsync(Utc("2026-11-30T15:00:00Z"));
        var clinic = await Scenario.CreateAsync(app);
        var session = (await clinic.BookAsync(await clinic.RegisterPatientAsync(), "2026-12-02T09:00")).Expect(201)["id"]!;
        app.Clock.SetUtcNow(Utc("2026-12-02T17:00:00Z"));
        await app.RunFunctionAsync("SweepMissedSessions");
        await app.RunFunctionAsync("DispatchSms"); // relays anything not yet published
        await app.RunFunctionAsync("SweepMissedSessions");
        await app.RunFunctionAsync("DispatchSms");

        var events = await PublishedEvents.DrainAsync(app);
        var ids = events.Select(e => e["id"]!.ToString()).ToList();
        Assert.Contains($"{session}-v1", ids); // booked
        Assert.Contains($"{session}-v2", ids); // noshow
        var flagId = Assert.Single(await clinic.FlagsAsync("missed-session"))!["id"]!.ToString();
        Assert.Contains($"flag-{flagId}-raised", ids);
        var noshow = events.First(e => e["id"]!.ToString() == $"{session}-v2");
        Assert.Equal("clinic.session.status-changed", noshow["type"]!.ToString());
        Assert.Equal("noshow", noshow["data"]!["status"]!.ToString());
        Assert.Equal("1.0", noshow["specversion"]!.ToString());
        Assert.Equal($"/clinics/{clinic.ClinicId}", noshow["source"]!.ToString());
        // An event published twice (right after the commit and again by the relay) is the same event.
        Assert.All(events.GroupBy(e => e["id"]!.ToString()), same => Assert.Single(same.Select(e => e.ToJsonString()).Distinct()));
        // Reruns publish nothing new: the only new event is the resolution.
        (await clinic.PostAsync($"/flags/{flagId}/resolve", new { note = "Called; rebooked for Friday." })).Expect(200);
        await app.RunFunctionAsync("DispatchSms");
        await app.RunFunctionAsync("SweepMissedSessions");
        await app.RunFunctionAsync("DispatchSms");
        // (A late background publish of an earlier event may still arrive: same id, so not new.)
        var later = (await PublishedEvents.DrainAsync(app)).Select(e => e["id"]!.ToString()).ToList();
        Assert.Equal([$"flag-{flagId}-resolved"], later.Except(ids).Distinct());
    }
}
