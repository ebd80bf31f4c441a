using System.Text.RegularExpressions;
using ClinicBackend.Domain.Messaging;

namespace ClinicBackend.Integration.Tests.SelfService;

/// <summary>
/// A patient moves their own visit by text: "2" offers up to three starts, a digit picks one, "0" keeps the
/// visit and asks for a call; a start taken meanwhile gets a fresh offer. Monday 2026-11-30 10:00 in New York.
/// </summary>
public sealed class RescheduleBySmsTests : TwilioAppTest
{
    private const string Phone = "+12125550161";
    private const string Clinic1 = "Riverside Behavioral Health";

    protected override ClinicOptions ClinicOptions => new()
    {
        Chairs = 2,
        Adjust = body => body["selfService"] = new { reschedule = true, offerDays = 7, offerMinutes = 120 },
    };

    private string _patient = null!;
    private string _visit = null!;

    protected override async Task SetUpAsync()
    {
        _patient = await Clinic.RegisterPatientAsync(Phone);
        _visit = (await Clinic.BookAsync(_patient, "2026-12-02T10:00")).Expect(201)["id"]!;
    }

    private async Task<System.Text.Json.Nodes.JsonNode> SessionAsync(string id) => (await Clinic.GetAsync($"/sessions/{id}")).Expect(200).Json!;

    private static List<string> Offered(string? reply) =>
        Regex.Matches(reply ?? "", @"\d for (\w{3} \w{3} \d+ \d+:\d\d [AP]M)").Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public async Task A_patient_picks_a_new_start_by_text_and_it_moves_exactly_as_staff_would()
    {
        var offer = await TextAsync(Phone, "2");
        // The closest starts to 10:00 on other days: one a day, opening hours, never the visit's own day and time.
        Assert.Equal($"{Clinic1}: Reply 1 for Tue Dec 1 10:00 AM, 2 for Thu Dec 3 10:00 AM, 3 for Fri Dec 4 10:00 AM, or 0 to keep your visit and have the clinic call you.", offer);
        Assert.False(SmsTexts.ContainsForbiddenWord(offer!));
        await PublishedEvents.DrainAsync(App);
        var asked = await SessionAsync(_visit);
        Assert.Equal("declined", asked["confirmation"]!.ToString()); // the patient can't come as booked: no ride check for it

        App.Clock.Advance(TimeSpan.FromMinutes(3));
        var done = await TextAsync(Phone, "2");
        Assert.Equal($"{Clinic1}: done, your visit is now Thu Dec 3, 10:00 AM. Someone must drive you home.", done);
        var moved = await SessionAsync(_visit);
        Assert.Equal("2026-12-03T10:00", moved["start"]!.ToString());
        Assert.Equal((int)asked["version"]! + 1, (int)moved["version"]!);
        Assert.Equal("needs-action", moved["confirmation"]!.ToString());
        var change = moved["history"]!.AsArray()[^1]!;
        Assert.Equal("patient-sms", change["by"]!.ToString());
        Assert.Equal("rescheduled", change["action"]!.ToString());
        // The old chair is free again, the new one is taken, and the reminder is planned for the new day.
        var wednesday = (await Clinic.GetAsync("/sessions?date=2026-12-02")).Expect(200).Json!["sessions"]!.AsArray();
        Assert.DoesNotContain(wednesday, s => s!["id"]!.ToString() == _visit);
        var messages = await Clinic.MessagesAsync(_patient);
        Assert.Contains(messages, m => m!["kind"]!.ToString() == "day-before" && m["status"]!.ToString() == "planned" && m["at"]!.ToString().StartsWith("2026-12-02T22:00"));
        // Every offer and answer is in the history, both directions.
        Assert.Equal(["2", "2"], messages.Where(m => m!["direction"]!.ToString() == "inbound").Select(m => m!["body"]!.ToString()));
        Assert.Equal([done, offer], messages.Where(m => m!["kind"]!.ToString() == "reply").Select(m => m!["body"]!.ToString()));
        var audit = (await Clinic.GetAsync("/audit?limit=200", Clinic.Admin)).Json!["entries"]!.AsArray();
        Assert.Contains(audit, a => a!["action"]!.ToString() == "session.rescheduled" && a["actor"]!.ToString() == "patient-sms" && a["entityId"]!.ToString() == _visit);
        var events = await PublishedEvents.DrainAsync(App);
        Assert.Contains(events, e => e["id"]!.ToString() == $"{_visit}-v{moved["version"]}" && e["type"]!.ToString() == "clinic.session.rescheduled"
            && e["data"]!["start"]!.ToString() == "2026-12-03T10:00");

        // The offer is closed: "1" confirms the visit again, "2" asks again.
        Assert.Contains("confirmed", await TextAsync(Phone, "1"), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("accepted", (await SessionAsync(_visit))["confirmation"]!.ToString());
        Assert.Equal(3, Offered(await TextAsync(Phone, "R")).Count);
    }

    [Fact]
    public async Task Zero_keeps_the_visit_and_asks_the_clinic_to_call()
    {
        await TextAsync(Phone, "2");
        Assert.Contains("call", await TextAsync(Phone, "0"));
        Assert.Equal("2026-12-02T10:00", (await SessionAsync(_visit))["start"]!.ToString());
        var flag = Assert.Single(await Clinic.FlagsAsync("reschedule-request"))!;
        Assert.Equal(_visit, flag["sessionId"]!.ToString());
        // A digit after the offer closed means what the reminders say: 3 is just a message.
        await TextAsync(Phone, "3");
        Assert.Single(await Clinic.FlagsAsync("patient-message"));
        Assert.Equal("2026-12-02T10:00", (await SessionAsync(_visit))["start"]!.ToString());
    }

    [Fact]
    public async Task An_offer_closes_after_offerMinutes_and_a_later_digit_is_read_as_usual()
    {
        await TextAsync(Phone, "2");
        App.Clock.Advance(TimeSpan.FromMinutes(121));
        await App.RunFunctionAsync("ExpireOffers");
        Assert.Contains("confirmed", await TextAsync(Phone, "1"), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("2026-12-02T10:00", (await SessionAsync(_visit))["start"]!.ToString());
    }

    [Fact]
    public async Task A_start_a_staff_booking_took_between_the_offer_and_the_pick_gets_a_fresh_offer()
    {
        var first = Offered(await TextAsync(Phone, "2"));
        Assert.Equal("Tue Dec 1 10:00 AM", first[0]);
        // The front desk fills both chairs of Tuesday 10:00 meanwhile.
        (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-01T10:00")).Expect(201);
        (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-01T09:00")).Expect(201);

        var reply = await TextAsync(Phone, "1");
        Assert.StartsWith($"{Clinic1}: that time was just taken. {Clinic1}: Reply 1 for ", reply);
        var fresh = Offered(reply);
        Assert.Equal(3, fresh.Count);
        Assert.DoesNotContain("Tue Dec 1 10:00 AM", fresh);
        Assert.Equal("2026-12-02T10:00", (await SessionAsync(_visit))["start"]!.ToString());

        Assert.Contains(fresh[0], (await TextAsync(Phone, "1"))!.Replace(",", ""));
        Assert.NotEqual("2026-12-02T10:00", (await SessionAsync(_visit))["start"]!.ToString());
    }

    [Fact]
    public async Task Two_patients_picking_the_last_chair_of_a_start_at_once_get_it_once()
    {
        const string other = "+12125550162";
        var second = await Clinic.RegisterPatientAsync(other);
        var secondVisit = (await Clinic.BookAsync(second, "2026-12-02T10:00")).Expect(201)["id"]!;
        (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-01T10:00")).Expect(201); // one chair left then
        Assert.Equal("Tue Dec 1 10:00 AM", Offered(await TextAsync(Phone, "2"))[0]);
        Assert.Equal("Tue Dec 1 10:00 AM", Offered(await TextAsync(other, "2"))[0]);

        var replies = await Task.WhenAll(TextAsync(Phone, "1"), TextAsync(other, "1"));
        Assert.Single(replies, r => r!.Contains("done, your visit is now Tue Dec 1, 10:00 AM"));
        Assert.Single(replies, r => r!.StartsWith($"{Clinic1}: that time was just taken."));
        var tuesday = (await Clinic.GetAsync("/sessions?date=2026-12-01")).Expect(200).Json!["sessions"]!.AsArray();
        Assert.Equal(2, tuesday.Count(s => s!["start"]!.ToString() == "2026-12-01T10:00"));
        var starts = new[] { (await SessionAsync(_visit))["start"]!.ToString(), (await SessionAsync(secondVisit))["start"]!.ToString() };
        Assert.Single(starts, s => s == "2026-12-01T10:00");
        Assert.Single(starts, s => s == "2026-12-02T10:00");
        var claims = await StoredRows.ChairClaimsAsync(App, Clinic.ClinicId);
        Assert.Equal(claims.Count, claims.Select(c => c.Key).Distinct().Count());
    }

    [Fact]
    public async Task A_visit_within_two_hours_is_for_the_front_desk()
    {
        var soon = await Clinic.RegisterPatientAsync("+12125550163");
        (await Clinic.BookAsync(soon, "2026-11-30T11:45")).Expect(201);
        Assert.Empty(Offered(await TextAsync("+12125550163", "2")));
        Assert.Single(await Clinic.FlagsAsync("reschedule-request"));
    }

    [Fact]
    public async Task Crisis_words_and_stop_keep_their_precedence_over_an_open_offer()
    {
        await TextAsync(Phone, "2");
        Assert.Contains("988", await TextAsync(Phone, "1 I want to kill myself"));
        Assert.Single(await Clinic.FlagsAsync("crisis"));
        Assert.Equal("2026-12-02T10:00", (await SessionAsync(_visit))["start"]!.ToString());
        await TextAsync(Phone, "STOP");
        Assert.True((bool)(await Clinic.GetAsync($"/patients/{_patient}")).Expect(200).Json!["smsOptedOut"]!);
    }
}

/// <summary>With self-service off (the default) "2" raises the reschedule-request flag as before.</summary>
public sealed class RescheduleBySmsOffTests : TwilioAppTest
{
    [Fact]
    public async Task Two_raises_the_flag_and_offers_nothing()
    {
        const string phone = "+12125550164";
        var patient = await Clinic.RegisterPatientAsync(phone);
        var visit = (await Clinic.BookAsync(patient, "2026-12-02T10:00")).Expect(201)["id"]!;
        var reply = await TextAsync(phone, "2");
        Assert.DoesNotContain("Reply 1 for", reply);
        Assert.Equal(visit, Assert.Single(await Clinic.FlagsAsync("reschedule-request"))!["sessionId"]!.ToString());
        Assert.Contains("confirmed", await TextAsync(phone, "1"), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await StoredRows.PartitionAsync(App, Clinic.ClinicId, "offer|"));
    }
}
