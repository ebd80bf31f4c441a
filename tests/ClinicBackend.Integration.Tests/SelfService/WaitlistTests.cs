using System.Text.Json.Nodes;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Messaging;

namespace ClinicBackend.Integration.Tests.SelfService;

/// <summary>
/// A freed chair goes to the oldest waiting entry whose window holds it, by text; "1" takes it; an untaken offer
/// passes the chair on when it expires; nobody is texted at night. One chair; Monday 2026-11-30 10:00 New York.
/// </summary>
public sealed class WaitlistTests : TwilioAppTest
{
    private const string Clinic1 = "Riverside Behavioral Health";
    private const string Offer = $"A visit opened at {Clinic1}: Tue Dec 1, 10:00 AM. Reply 1 to take it in the next 30 min.";
    private readonly GatedStore.Gate _gate = new();

    protected override ClinicOptions ClinicOptions => new()
    {
        Chairs = 1,
        Adjust = body => body["selfService"] = new { reschedule = true, waitlist = true, waitlistOfferMinutes = 30 },
    };

    protected override void ConfigureServices(IServiceCollection services) => GatedStore.Install(services, _gate);

    private string _booked = null!;

    /// <summary>Somebody holds the chair of Tuesday 10:00 (to cancel in a test).</summary>
    protected override async Task SetUpAsync() =>
        _booked = (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-01T10:00")).Expect(201)["id"]!;

    private async Task<(string Patient, string Phone, string Entry)> WaitAsync(string earliest = "09:00", string latest = "12:00", string? phone = null)
    {
        phone ??= Fixtures.UniquePhone();
        var patient = await Clinic.RegisterPatientAsync(phone);
        var entry = (await Clinic.PostAsync("/waitlist", new { patientId = patient, from = "2026-12-01", to = "2026-12-04", earliest, latest })).Expect(201);
        Assert.Equal("waiting", entry["status"]);
        App.Clock.Advance(TimeSpan.FromSeconds(1)); // entries are served oldest first
        return (patient, phone, entry["id"]!);
    }

    private async Task CancelAsync(string session) =>
        (await Clinic.PostAsync($"/sessions/{session}/cancel", new { reason = "Patient is travelling." })).Expect(200);

    private async Task<string> EntryStatusAsync(string entry) =>
        (await Clinic.GetAsync("/waitlist")).Expect(200).Json!["entries"]!.AsArray().Single(e => e!["id"]!.ToString() == entry)!["status"]!.ToString();

    private IReadOnlyList<string> TextsTo(string phone) => Twilio.Accepted.Where(t => t.To == phone).Select(t => t.Body).ToList();

    private async Task<JsonArray> SessionsOfAsync(string patient) =>
        (await Clinic.GetAsync($"/sessions?patientId={patient}")).Expect(200).Json!["sessions"]!.AsArray();

    [Fact]
    public async Task A_freed_chair_is_offered_by_text_and_one_reply_books_it()
    {
        var afternoons = await WaitAsync("13:00", "15:00"); // older, but the window does not hold 10:00
        var waiting = await WaitAsync();
        await CancelAsync(_booked);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal([Offer], TextsTo(waiting.Phone));
        Assert.Empty(TextsTo(afternoons.Phone));
        Assert.False(SmsTexts.ContainsForbiddenWord(Offer));
        Assert.Equal("offered", await EntryStatusAsync(waiting.Entry));

        App.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal($"{Clinic1}: done, you have a new visit Tue Dec 1, 10:00 AM. Someone must drive you home.", await TextAsync(waiting.Phone, "1"));
        var session = Assert.Single(await SessionsOfAsync(waiting.Patient))!;
        Assert.Equal("2026-12-01T10:00", session["start"]!.ToString());
        Assert.Equal("patient-sms", session["history"]!.AsArray()[0]!["by"]!.ToString());
        Assert.Equal("booked", await EntryStatusAsync(waiting.Entry));
        Assert.Equal("waiting", await EntryStatusAsync(afternoons.Entry));
        var history = await Clinic.MessagesAsync(waiting.Patient);
        Assert.Equal(["reply", "inbound", "offer"], history.Where(m => m!["kind"]!.ToString() != "day-before").Select(m => m!["kind"]!.ToString()));
        Assert.Equal("queued", history.Single(m => m!["kind"]!.ToString() == "offer")!["status"]!.ToString());

        // The slot is gone: the next run offers nothing more, and a repeated "1" is no second booking.
        await App.RunFunctionAsync("ExpireOffers");
        await App.RunFunctionAsync("DispatchSms");
        Assert.Single(TextsTo(waiting.Phone), b => b.StartsWith("A visit opened"));
        await TextAsync(waiting.Phone, "1");
        Assert.Single(await SessionsOfAsync(waiting.Patient));
    }

    [Fact]
    public async Task A_booking_frees_nothing_and_reads_no_freed_chair_while_a_cancel_looks_for_takers()
    {
        await WaitAsync();
        var patient = await Clinic.RegisterPatientAsync();
        _gate.Queries.Clear();
        (await Clinic.BookAsync(patient, "2026-12-02T10:00")).Expect(201);
        Assert.DoesNotContain(_gate.Queries, key => key.StartsWith(Keys.FreedSlotPrefix, StringComparison.Ordinal));

        await CancelAsync(_booked);
        Assert.Contains(_gate.Queries, key => key.StartsWith(Keys.FreedSlotPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_untaken_offer_passes_the_chair_to_the_next_entry_and_a_late_reply_hears_it_was_taken()
    {
        var first = await WaitAsync();
        var second = await WaitAsync();
        await CancelAsync(_booked);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal([Offer], TextsTo(first.Phone));
        Assert.Empty(TextsTo(second.Phone));

        App.Clock.Advance(TimeSpan.FromMinutes(31));
        await App.RunFunctionAsync("ExpireOffers");
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal([Offer], TextsTo(second.Phone));
        Assert.Equal("waiting", await EntryStatusAsync(first.Entry));
        Assert.Equal("offered", await EntryStatusAsync(second.Entry));

        Assert.Equal($"{Clinic1}: that time was just taken.", await TextAsync(first.Phone, "1"));
        Assert.Contains("done", await TextAsync(second.Phone, "1"));
        Assert.Empty(await SessionsOfAsync(first.Patient));
        Assert.Single(await SessionsOfAsync(second.Patient));
    }

    [Fact]
    public async Task A_staff_booking_between_the_offer_and_the_reply_leaves_the_taker_told_it_was_taken()
    {
        var waiting = await WaitAsync();
        await CancelAsync(_booked);
        await App.RunFunctionAsync("DispatchSms");
        (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-01T10:00")).Expect(201);
        Assert.Equal($"{Clinic1}: that time was just taken.", await TextAsync(waiting.Phone, "1"));
        Assert.Empty(await SessionsOfAsync(waiting.Patient));
        Assert.Equal("waiting", await EntryStatusAsync(waiting.Entry));
    }

    [Fact]
    public async Task Zero_declines_and_the_chair_goes_on()
    {
        var first = await WaitAsync();
        var second = await WaitAsync();
        await CancelAsync(_booked);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Contains("waiting list", await TextAsync(first.Phone, "0"));
        await App.RunFunctionAsync("ExpireOffers");
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal([Offer], TextsTo(second.Phone));
    }

    [Fact]
    public async Task A_named_session_moves_earlier_into_the_freed_chair()
    {
        var phone = Fixtures.UniquePhone();
        var patient = await Clinic.RegisterPatientAsync(phone);
        var later = (await Clinic.BookAsync(patient, "2026-12-04T09:00")).Expect(201)["id"]!;
        var entry = (await Clinic.PostAsync("/waitlist", new { patientId = patient, from = "2026-12-01", to = "2026-12-03", earliest = "08:00", latest = "12:00", sessionId = later })).Expect(201);
        Assert.Equal(later, entry["sessionId"]);
        await CancelAsync(_booked);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Contains("done", await TextAsync(phone, "1"));
        var moved = Assert.Single(await SessionsOfAsync(patient))!;
        Assert.Equal(later, moved["id"]!.ToString());
        Assert.Equal("2026-12-01T10:00", moved["start"]!.ToString());
        Assert.Equal(2, (int)moved["version"]!);
    }

    [Fact]
    public async Task A_chair_freed_at_night_is_offered_in_the_morning_only_if_it_is_still_free()
    {
        var waiting = await WaitAsync();
        var other = await Clinic.RegisterPatientAsync();
        var wednesday = (await Clinic.BookAsync(other, "2026-12-02T10:00")).Expect(201)["id"]!;
        (await Clinic.PostAsync("/waitlist", new { patientId = waiting.Patient, from = "2026-12-02", to = "2026-12-02", earliest = "09:00", latest = "12:00" })).Expect(201);
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 3, 30, 0, TimeSpan.Zero)); // Monday 22:30 in New York
        await CancelAsync(_booked);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Empty(TextsTo(waiting.Phone));

        // 08:00: the offer goes, and is open for 30 minutes from then.
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 13, 0, 5, TimeSpan.Zero));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal([Offer], TextsTo(waiting.Phone));
        App.Clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Contains("done", await TextAsync(waiting.Phone, "1"));

        // Wednesday's chair frees at night too, but the front desk books it before the morning: no text then.
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 3, 30, 0, TimeSpan.Zero));
        await CancelAsync(wednesday);
        (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-02T10:00")).Expect(201);
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 13, 0, 5, TimeSpan.Zero));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Single(TextsTo(waiting.Phone));
        Assert.Contains(await Clinic.MessagesAsync(waiting.Patient), m => m!["kind"]!.ToString() == "offer" && m["reason"]!.ToString() == "offer-chair-taken");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_offer_expiring_while_its_answer_arrives_goes_to_exactly_one_patient(bool answerFirst)
    {
        var first = await WaitAsync();
        var second = await WaitAsync();
        await CancelAsync(_booked);
        await App.RunFunctionAsync("DispatchSms");
        App.Clock.Advance(TimeSpan.FromMinutes(29));

        // The answer reads the offer while it is open; its commit waits until the expiry run has finished.
        var paused = _gate.PauseNext(changes => changes.Any(c => c.Key.StartsWith(Keys.Inbound(""), StringComparison.Ordinal)));
        var answer = TextAsync(first.Phone, "1");
        await paused.Reached;
        App.Clock.Advance(TimeSpan.FromMinutes(2));
        if (answerFirst)
        {
            paused.Release();
            await answer;
            await App.RunFunctionAsync("ExpireOffers");
        }
        else
        {
            await App.RunFunctionAsync("ExpireOffers");
            paused.Release();
            await answer;
        }
        await App.RunFunctionAsync("DispatchSms");

        var firstBooked = (await SessionsOfAsync(first.Patient)).Count;
        Assert.Equal(answerFirst ? 1 : 0, firstBooked);
        Assert.Equal(answerFirst ? "booked" : "waiting", await EntryStatusAsync(first.Entry));
        Assert.Equal(answerFirst ? "waiting" : "offered", await EntryStatusAsync(second.Entry));
        Assert.Equal(answerFirst ? [] : [Offer], TextsTo(second.Phone));
        Assert.Contains(answerFirst ? "done" : "that time was just taken", await answer);
        var tuesday = (await Clinic.GetAsync("/sessions?date=2026-12-01")).Expect(200).Json!["sessions"]!.AsArray();
        Assert.True(tuesday.Count(s => s!["status"]!.ToString() == "booked") <= 1);
    }

    [Fact]
    public async Task A_patient_gets_at_most_two_waitlist_offers_a_day()
    {
        var waiting = await WaitAsync("08:00", "16:00");
        var others = new List<string>();
        foreach (var start in new[] { "2026-12-01T13:00", "2026-12-02T13:00", "2026-12-03T13:00" })
        {
            others.Add((await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), start)).Expect(201)["id"]!);
        }
        var offered = new List<int>();
        foreach (var session in others.Prepend(_booked))
        {
            await CancelAsync(session);
            await App.RunFunctionAsync("DispatchSms");
            offered.Add(TextsTo(waiting.Phone).Count(b => b.StartsWith("A visit opened")));
            if (offered[^1] > offered.ElementAtOrDefault(offered.Count - 2))
            {
                Assert.Contains("waiting list", await TextAsync(waiting.Phone, "0"));
            }
        }
        Assert.Equal([1, 2, 2, 2], offered);
        Assert.Equal("waiting", await EntryStatusAsync(waiting.Entry));

        // The next day (in the patient's zone) the chairs still free are offered again.
        App.Clock.Advance(TimeSpan.FromDays(1));
        await App.RunFunctionAsync("ExpireOffers");
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal(3, TextsTo(waiting.Phone).Count(b => b.StartsWith("A visit opened")));
        Assert.EndsWith("Wed Dec 2, 1:00 PM. Reply 1 to take it in the next 30 min.", TextsTo(waiting.Phone)[^1]);
    }

    [Fact]
    public async Task The_waitlist_routes_refuse_bad_input_and_a_clinic_without_a_waitlist()
    {
        var patient = await Clinic.RegisterPatientAsync();
        (await Clinic.PostAsync("/waitlist", new { patientId = patient, from = "2026-12-04", to = "2026-12-01", earliest = "09:00", latest = "12:00" })).ExpectProblem(400);
        (await Clinic.PostAsync("/waitlist", new { patientId = patient, from = "2026-12-01", to = "2026-12-04", earliest = "13:00", latest = "09:00" })).ExpectProblem(400);
        (await Clinic.PostAsync("/waitlist", new { patientId = "p-nobody", from = "2026-12-01", to = "2026-12-04", earliest = "09:00", latest = "12:00" })).ExpectProblem(422);
        (await Clinic.GetAsync("/waitlist?status=maybe")).ExpectProblem(400);
        var entry = (await Clinic.PostAsync("/waitlist", new { patientId = patient, from = "2026-12-01", to = "2026-12-04", earliest = "09:00", latest = "12:00" })).Expect(201)["id"]!;
        (await App.SendAsync(HttpMethod.Delete, $"{Clinic.Base}/waitlist/{entry}", Clinic.Staff)).Expect(204);
        (await App.SendAsync(HttpMethod.Delete, $"{Clinic.Base}/waitlist/{entry}", Clinic.Staff)).Expect(204);
        Assert.Equal("removed", await EntryStatusAsync(entry));
        await CancelAsync(_booked);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Empty(Twilio.Accepted);

        var without = await AddClinicAsync();
        var theirs = await without.RegisterPatientAsync();
        (await without.PostAsync("/waitlist", new { patientId = theirs, from = "2026-12-01", to = "2026-12-04", earliest = "09:00", latest = "12:00" })).ExpectProblem(422, "waitlist-off");
    }
}
