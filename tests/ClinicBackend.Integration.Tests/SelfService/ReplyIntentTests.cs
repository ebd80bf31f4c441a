using System.Text.Json.Nodes;

namespace ClinicBackend.Integration.Tests.SelfService;

/// <summary>
/// A reply means what the last text the patient received asked (issue 27): a digit answers an offer only once its
/// text went out, and only while no later prompt (a reminder) reached the patient; a waitlist offer never silently
/// replaces a reschedule offer; STOP ends the patient's offers; the waitlist keeps working with many entries; texts
/// say what happened. One chair; Monday 2026-11-30 10:00 in New York.
/// </summary>
public sealed class ReplyIntentTests : TwilioAppTest
{
    private const string Clinic1 = "Riverside Behavioral Health";

    protected override ClinicOptions ClinicOptions => new()
    {
        Chairs = 1,
        Adjust = body => body["selfService"] = new { reschedule = true, offerDays = 7, offerMinutes = 120, waitlist = true, waitlistOfferMinutes = 30 },
    };

    /// <summary>New York wall-clock time (EST, UTC-5) in 2026.</summary>
    private static DateTimeOffset NewYork(int month, int day, int hour, int minute) => new(2026, month, day, hour, minute, 0, TimeSpan.FromHours(-5));

    private async Task<(string Id, string Phone)> PatientAsync()
    {
        var phone = Fixtures.UniquePhone();
        return (await Clinic.RegisterPatientAsync(phone), phone);
    }

    private async Task<string> BookAsync(string patient, string start) => (await Clinic.BookAsync(patient, start)).Expect(201)["id"]!;

    private async Task<string> WaitAsync(string patient, string from, string to, string earliest = "09:00", string latest = "12:00", string? sessionId = null) =>
        (await Clinic.PostAsync("/waitlist", new { patientId = patient, from, to, earliest, latest, sessionId })).Expect(201)["id"]!;

    private async Task CancelAsync(string session) =>
        (await Clinic.PostAsync($"/sessions/{session}/cancel", new { reason = "Patient is travelling." })).Expect(200);

    private IReadOnlyList<string> TextsTo(string phone) => Twilio.Accepted.Where(t => t.To == phone).Select(t => t.Body).ToList();

    private async Task<JsonArray> SessionsOfAsync(string patient) =>
        (await Clinic.GetAsync($"/sessions?patientId={patient}")).Expect(200).Json!["sessions"]!.AsArray();

    private async Task<JsonNode> SessionAsync(string id) => (await Clinic.GetAsync($"/sessions/{id}")).Expect(200).Json!;

    private async Task<string> EntryStatusAsync(string entry, string? status = null) =>
        (await Clinic.GetAsync("/waitlist" + (status is null ? "" : $"?status={status}"))).Expect(200).Json!["entries"]!.AsArray()
            .Single(e => e!["id"]!.ToString() == entry)!["status"]!.ToString();

    [Fact]
    public async Task A_digit_goes_to_the_reminder_when_the_waitlist_offer_has_not_been_sent_yet()
    {
        var patient = await PatientAsync();
        var tuesday = await BookAsync(patient.Id, "2026-12-01T14:00");
        var wednesday = await BookAsync((await PatientAsync()).Id, "2026-12-02T10:00");
        await WaitAsync(patient.Id, "2026-12-02", "2026-12-04");
        await App.RunFunctionAsync("NightlyReminders");
        App.Clock.SetUtcNow(NewYork(11, 30, 17, 0));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Contains("Reply 1 to confirm", Assert.Single(TextsTo(patient.Phone)));

        // 22:45: Wednesday's chair frees; its offer waits for 08:00 (quiet hours). At 23:00 the patient confirms tomorrow.
        App.Clock.SetUtcNow(NewYork(11, 30, 22, 45));
        await CancelAsync(wednesday);
        await App.RunFunctionAsync("ExpireOffers");
        await App.RunFunctionAsync("DispatchSms");
        Assert.Single(TextsTo(patient.Phone));
        App.Clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal($"{Clinic1}: thank you, your visit Tue Dec 1, 2:00 PM is confirmed. No food 2 hours or drinks 30 minutes before.", await TextAsync(patient.Phone, "1"));
        Assert.Equal("accepted", (await SessionAsync(tuesday))["confirmation"]!.ToString());
        Assert.Single(await SessionsOfAsync(patient.Id));

        // At 08:00 the offer goes out; from then on "1" takes the freed chair.
        App.Clock.SetUtcNow(NewYork(12, 1, 8, 0).AddSeconds(5));
        await App.RunFunctionAsync("DispatchSms");
        Assert.StartsWith("A visit opened", TextsTo(patient.Phone)[^1]);
        App.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Contains("Wed Dec 2, 10:00 AM", await TextAsync(patient.Phone, "1"));
        Assert.Equal(2, (await SessionsOfAsync(patient.Id)).Count);
    }

    [Fact]
    public async Task A_reminder_sent_after_a_reschedule_offer_makes_1_confirm_the_visit()
    {
        var patient = await PatientAsync();
        var visit = await BookAsync(patient.Id, "2026-12-01T10:00");
        await App.RunFunctionAsync("NightlyReminders");
        App.Clock.SetUtcNow(NewYork(11, 30, 16, 0));
        Assert.StartsWith($"{Clinic1}: Reply 1 for ", await TextAsync(patient.Phone, "2"));

        // 17:00: the day-before reminder asks "Reply 1 to confirm"; the patient answers it.
        App.Clock.SetUtcNow(NewYork(11, 30, 17, 0));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Contains("Reply 1 to confirm", TextsTo(patient.Phone)[^1]);
        App.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal($"{Clinic1}: thank you, your visit Tue Dec 1, 10:00 AM is confirmed. No food 2 hours or drinks 30 minutes before.", await TextAsync(patient.Phone, "1"));
        var kept = await SessionAsync(visit);
        Assert.Equal("2026-12-01T10:00", kept["start"]!.ToString());
        Assert.Equal("accepted", kept["confirmation"]!.ToString());

        // The offer the reminder replaced asks nothing any more: no call is requested when its time runs out.
        App.Clock.Advance(TimeSpan.FromMinutes(120));
        await App.RunFunctionAsync("ExpireOffers");
        Assert.Empty(await Clinic.FlagsAsync("reschedule-request"));
    }

    [Fact]
    public async Task A_freed_chair_waits_while_the_patient_holds_a_reschedule_offer_and_the_pick_moves_the_visit()
    {
        var patient = await PatientAsync();
        var visit = await BookAsync(patient.Id, "2026-12-03T10:00");
        var other = await BookAsync((await PatientAsync()).Id, "2026-12-01T10:00");
        await WaitAsync(patient.Id, "2026-12-01", "2026-12-02");
        var offered = await TextAsync(patient.Phone, "2");
        var first = System.Text.RegularExpressions.Regex.Match(offered!, @"1 for (\w{3} \w{3} \d+) (\d+:\d\d [AP]M)");
        Assert.True(first.Success, offered);

        await CancelAsync(other);
        await App.RunFunctionAsync("ExpireOffers");
        await App.RunFunctionAsync("DispatchSms");
        Assert.DoesNotContain(TextsTo(patient.Phone), t => t.StartsWith("A visit opened"));
        Assert.Equal($"{Clinic1}: done, your visit is now {first.Groups[1].Value}, {first.Groups[2].Value}. Someone must drive you home.",
            await TextAsync(patient.Phone, "1"));
        var moved = Assert.Single(await SessionsOfAsync(patient.Id))!;
        Assert.Equal(visit, moved["id"]!.ToString());
    }

    [Fact]
    public async Task An_unanswered_reschedule_offer_becomes_a_flag_and_then_the_freed_chair_is_offered()
    {
        var patient = await PatientAsync();
        await BookAsync(patient.Id, "2026-12-03T10:00");
        var other = await BookAsync((await PatientAsync()).Id, "2026-12-01T15:00");
        await WaitAsync(patient.Id, "2026-12-01", "2026-12-02", "13:00", "16:00");
        await TextAsync(patient.Phone, "2");
        await CancelAsync(other);
        await App.RunFunctionAsync("DispatchSms");
        Assert.DoesNotContain(TextsTo(patient.Phone), t => t.StartsWith("A visit opened"));

        App.Clock.Advance(TimeSpan.FromMinutes(121));
        await App.RunFunctionAsync("ExpireOffers");
        await App.RunFunctionAsync("DispatchSms");
        Assert.Single(await Clinic.FlagsAsync("reschedule-request"));
        Assert.StartsWith("A visit opened", TextsTo(patient.Phone)[^1]);
    }

    [Fact]
    public async Task Stop_closes_the_patients_offer_and_the_chair_goes_to_the_next_patient_at_once()
    {
        var other = await BookAsync((await PatientAsync()).Id, "2026-12-01T10:00");
        var first = await PatientAsync();
        var firstEntry = await WaitAsync(first.Id, "2026-12-01", "2026-12-01");
        App.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await PatientAsync();
        await WaitAsync(second.Id, "2026-12-01", "2026-12-01");
        await CancelAsync(other);
        await App.RunFunctionAsync("DispatchSms");
        Assert.StartsWith("A visit opened", Assert.Single(TextsTo(first.Phone)));

        App.Clock.Advance(TimeSpan.FromMinutes(2));
        await TextAsync(first.Phone, "STOP");
        Assert.NotEqual("offered", await EntryStatusAsync(firstEntry));
        await App.RunFunctionAsync("ExpireOffers");
        await App.RunFunctionAsync("DispatchSms");
        Assert.StartsWith("A visit opened", Assert.Single(TextsTo(second.Phone)));

        await TextAsync(first.Phone, "1");
        Assert.Empty(await SessionsOfAsync(first.Id));
    }

    [Fact]
    public async Task A_fitting_entry_behind_two_hundred_others_gets_the_offer_and_past_entries_expire()
    {
        var past = await WaitAsync((await PatientAsync()).Id, "2026-11-30", "2026-11-30", "13:00", "17:00");
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
            await WaitAsync((await PatientAsync()).Id, "2026-12-14", "2026-12-18"));
        App.Clock.Advance(TimeSpan.FromSeconds(1));
        var fitting = await PatientAsync();
        await WaitAsync(fitting.Id, "2026-12-01", "2026-12-01");
        await CancelAsync(await BookAsync((await PatientAsync()).Id, "2026-12-01T10:00"));
        await App.RunFunctionAsync("ExpireOffers");
        await App.RunFunctionAsync("DispatchSms");
        Assert.StartsWith("A visit opened", Assert.Single(TextsTo(fitting.Phone)));

        App.Clock.Advance(TimeSpan.FromDays(1));
        await App.RunFunctionAsync("SweepMissedSessions");
        Assert.Equal("expired", await EntryStatusAsync(past, "expired"));
        Assert.DoesNotContain((await Clinic.GetAsync("/waitlist?status=waiting")).Expect(200).Json!["entries"]!.AsArray(), e => e!["id"]!.ToString() == past);
    }

    [Fact]
    public async Task A_waitlist_offer_sent_late_states_the_minutes_it_still_has()
    {
        var patient = await PatientAsync();
        await WaitAsync(patient.Id, "2026-12-01", "2026-12-01");
        var other = await BookAsync((await PatientAsync()).Id, "2026-12-01T10:00");
        App.Clock.SetUtcNow(NewYork(12, 1, 1, 45));
        await CancelAsync(other);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Empty(TextsTo(patient.Phone));
        App.Clock.SetUtcNow(NewYork(12, 1, 8, 13));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal($"A visit opened at {Clinic1}: Tue Dec 1, 10:00 AM. Reply 1 to take it in the next 17 min.", Assert.Single(TextsTo(patient.Phone)));
    }

    [Fact]
    public async Task A_waitlist_chair_that_books_a_new_visit_says_so_and_names_the_visit_that_stays()
    {
        var patient = await PatientAsync();
        await BookAsync(patient.Id, "2026-12-03T10:00");
        await WaitAsync(patient.Id, "2026-12-01", "2026-12-01");
        await CancelAsync(await BookAsync((await PatientAsync()).Id, "2026-12-01T10:00"));
        await App.RunFunctionAsync("DispatchSms");
        Assert.StartsWith("A visit opened", Assert.Single(TextsTo(patient.Phone)));
        Assert.Equal($"{Clinic1}: done, you have a new visit Tue Dec 1, 10:00 AM; your visit Thu Dec 3, 10:00 AM stays booked. Someone must drive you home.",
            await TextAsync(patient.Phone, "1"));
        Assert.Equal(2, (await SessionsOfAsync(patient.Id)).Count);
    }
}
