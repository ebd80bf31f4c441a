using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Offers;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Waitlist;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

/// <summary>Which starts a patient is offered by text, and who may be offered a freed chair.</summary>
public sealed class SelfServiceRulesTests
{
    // Monday 2026-11-30 10:00 in New York.
    private static readonly Instant Monday1000 = Instant.FromUtc(2026, 11, 30, 15, 0);

    [Fact]
    public void Spread_takes_each_days_closest_start_first_then_the_next_closest_and_answers_in_time_order()
    {
        var zone = DateTimeZoneProviders.Tzdb["America/New_York"];
        ZonedDateTime At(int day, int hour, int minute) => new LocalDateTime(2026, 12, day, hour, minute).InZoneLeniently(zone);
        ZonedDateTime[] free = [At(7, 8, 0), At(7, 11, 0), At(7, 12, 0), At(8, 10, 15), At(8, 9, 30), At(9, 14, 0)];

        var chosen = RescheduleChoices.Spread(free, new LocalTime(10, 0), 4);

        // Best of each day: Dec 8 10:15 (15 min off), Dec 7 11:00 (60), Dec 9 14:00 (240); then Dec 8's next best, 09:30.
        Assert.Equal([At(7, 11, 0), At(8, 9, 30), At(8, 10, 15), At(9, 14, 0)], chosen);
        Assert.Empty(RescheduleChoices.Spread([], new LocalTime(10, 0), 4));
    }

    private static Session Booked(string id, string patient, LocalDateTime start, Clinic clinic)
    {
        var zone = clinic.Zone;
        var s = start.InZoneStrictly(zone);
        var e = start.PlusMinutes(clinic.SessionMinutes).InZoneStrictly(zone);
        return new Session
        {
            Id = id,
            ClinicId = clinic.Id,
            PatientId = patient,
            Start = start,
            StartUtc = s.ToInstant(),
            End = e.LocalDateTime,
            EndUtc = e.ToInstant(),
        };
    }

    private static List<string> Choose(Clinic clinic, Session moving, IReadOnlyList<Session> others, Instant now) =>
        RescheduleChoices.Choose(clinic, moving, [moving, .. others], now).Select(s => s.LocalDateTime.ToString("ddd MMM d HH:mm", null)).ToList();

    [Fact]
    public void Starts_are_one_a_day_closest_to_the_visits_time_and_never_the_visit_itself()
    {
        var clinic = TestClinics.Riverside(chairs: 1);
        var visit = Booked("s1", "p1", new LocalDateTime(2026, 12, 2, 10, 0), clinic);
        Assert.Equal(["Tue Dec 1 10:00", "Thu Dec 3 10:00", "Fri Dec 4 10:00"], Choose(clinic, visit, [], Monday1000));
    }

    [Fact]
    public void Full_chairs_and_the_patients_other_days_are_left_out()
    {
        var clinic = TestClinics.Riverside(chairs: 1);
        var visit = Booked("s1", "p1", new LocalDateTime(2026, 12, 2, 10, 0), clinic);
        var others = new[]
        {
            Booked("s2", "p2", new LocalDateTime(2026, 12, 1, 9, 0), clinic), // Tuesday 09:00-11:00: 10:00 taken, 11:00 free
            Booked("s3", "p1", new LocalDateTime(2026, 12, 3, 15, 0), clinic), // the patient's own Thursday
        };
        // Tuesday's best start (11:00) is further from 10:00 than the other days' (10:00).
        Assert.Equal(["Fri Dec 4 10:00", "Sun Dec 6 10:00", "Mon Dec 7 10:00"], Choose(clinic, visit, others, Monday1000));
        var shortWindow = clinic with { SelfService = SelfServiceSettings.Default with { OfferDays = 2 } };
        Assert.Equal(["Mon Nov 30 10:15", "Tue Dec 1 11:00", "Wed Dec 2 09:45"], Choose(shortWindow, visit, others, Monday1000));
    }

    [Fact]
    public void A_full_week_offers_second_starts_of_the_free_days_and_nothing_past()
    {
        var clinic = TestClinics.Riverside(chairs: 1) with { SelfService = SelfServiceSettings.Default with { OfferDays = 1 } };
        var visit = Booked("s1", "p1", new LocalDateTime(2026, 12, 2, 10, 0), clinic);
        // Only today (from 10:15 on) and Tuesday are in the window: Tuesday 10:00, then today 10:15, then Tuesday 09:45.
        Assert.Equal(["Mon Nov 30 10:15", "Tue Dec 1 09:45", "Tue Dec 1 10:00"], Choose(clinic, visit, [], Monday1000));
    }

    [Fact]
    public void Across_a_daylight_saving_change_the_clinic_local_time_is_kept()
    {
        var clinic = TestClinics.Riverside(chairs: 1);
        // Friday 2027-03-12 10:00 EST; clocks spring forward on Sunday the 14th.
        var now = Instant.FromUtc(2027, 3, 12, 15, 0);
        var visit = Booked("s1", "p1", new LocalDateTime(2027, 3, 12, 14, 0), clinic);
        var starts = RescheduleChoices.Choose(clinic, visit, [visit], now);
        Assert.All(starts, s => Assert.Equal(new LocalTime(14, 0), s.TimeOfDay));
        Assert.Contains(starts, s => s.Date == new LocalDate(2027, 3, 14) && s.ToInstant() == Instant.FromUtc(2027, 3, 14, 18, 0));
        Assert.Contains(starts, s => s.Date == new LocalDate(2027, 3, 15) && s.ToInstant() == Instant.FromUtc(2027, 3, 15, 18, 0));
    }

    private static Patient Patient(bool rems = true, bool consent = true, bool active = true) => TestPatients.Ana(consent, active: active, rems: rems);

    private static readonly WaitlistEntry Entry = new()
    {
        Id = "w1",
        PatientId = "p1",
        From = new LocalDate(2026, 12, 1),
        To = new LocalDate(2026, 12, 4),
        Earliest = new LocalTime(9, 0),
        Latest = new LocalTime(12, 0),
        CreatedAt = Monday1000,
    };

    private static readonly LocalDateTime Tuesday1000 = new(2026, 12, 1, 10, 0);

    public static TheoryData<string?, string> WhyNotCases => new()
    {
        { null, "an eligible patient" },
        { "not-waiting", "offered" },
        { "outside-window", "too late in the day" },
        { "outside-window", "after the last date" },
        { null, "not REMS enrolled yet (enrolment gates the dose, not the booking)" },
        { "patient-may-not-book", "inactive" },
        { "patient-gets-no-texts", "no consent" },
        { "other-session-that-day", "a session that day" },
        { WaitlistRules.HoldsAnOffer, "holds an offer" },
        { WaitlistRules.OffersUsedToday, "two offers today" },
    };

    [Theory]
    [MemberData(nameof(WhyNotCases))]
    public void Who_may_be_offered_a_freed_chair(string? expected, string situation)
    {
        var reason = situation switch
        {
            "offered" => WaitlistRules.WhyNot(Entry.With(WaitlistStatus.Offered), Patient(), Tuesday1000, false, 0, false),
            "too late in the day" => WaitlistRules.WhyNot(Entry, Patient(), Tuesday1000.PlusHours(3), false, 0, false),
            "after the last date" => WaitlistRules.WhyNot(Entry, Patient(), Tuesday1000.PlusDays(4), false, 0, false),
            "not REMS enrolled yet (enrolment gates the dose, not the booking)" => WaitlistRules.WhyNot(Entry, Patient(rems: false), Tuesday1000, false, 0, false),
            "inactive" => WaitlistRules.WhyNot(Entry, Patient(active: false), Tuesday1000, false, 0, false),
            "no consent" => WaitlistRules.WhyNot(Entry, Patient(consent: false), Tuesday1000, false, 0, false),
            "a session that day" => WaitlistRules.WhyNot(Entry, Patient(), Tuesday1000, true, 0, false),
            "holds an offer" => WaitlistRules.WhyNot(Entry, Patient(), Tuesday1000, false, 0, true),
            "two offers today" => WaitlistRules.WhyNot(Entry, Patient(), Tuesday1000, false, 2, false),
            _ => WaitlistRules.WhyNot(Entry, Patient(), Tuesday1000, false, 1, false),
        };
        Assert.Equal(expected, reason);
    }

    [Fact]
    public void Offer_texts_carry_no_treatment_words_name_the_clinics_zone_when_it_differs_and_fit_in_two_segments()
    {
        var clinic = TestClinics.Riverside();
        var starts = new[] { new LocalDateTime(2026, 12, 8, 10, 0), new LocalDateTime(2026, 12, 9, 9, 0), new LocalDateTime(2026, 12, 10, 14, 0) };
        var texts = new[]
        {
            SmsTexts.RescheduleOffer(clinic, "en", starts, null),
            SmsTexts.RescheduleOffer(clinic, "es", starts, SmsTexts.ZoneNote(clinic.TimeZone)),
            SmsTexts.WaitlistOffer(clinic, "en", starts[0], 30, SmsTexts.ZoneNote(clinic.TimeZone)),
            SmsTexts.WaitlistOffer(clinic, "es", starts[0], 30, null),
            SmsTexts.Rescheduled(clinic, "en", starts[1], null),
            SmsTexts.TimeJustTaken(clinic, "es"),
            SmsTexts.WaitlistDeclined(clinic, "en"),
        };
        Assert.Equal("Riverside Behavioral Health: Reply 1 for Tue Dec 8 10:00 AM, 2 for Wed Dec 9 9:00 AM, 3 for Thu Dec 10 2:00 PM, or 0 to keep your visit and have the clinic call you.", texts[0]);
        Assert.Equal("A visit opened at Riverside Behavioral Health: Tue Dec 8, 10:00 AM (New York time). Reply 1 to take it in the next 30 min.", texts[2]);
        Assert.All(texts, t =>
        {
            Assert.False(SmsTexts.ContainsForbiddenWord(t), t);
            Assert.True(SmsSegments.Count(t) <= 2, t);
        });
    }

    [Fact]
    public void An_offer_is_open_until_it_expires_and_a_digit_picks_one_of_its_starts()
    {
        var offer = new Offer
        {
            Id = "o1",
            PatientId = "p1",
            Kind = OfferKind.Reschedule,
            Starts = [Tuesday1000, Tuesday1000.PlusDays(1)],
            SentAt = Monday1000,
            ExpiresAt = Monday1000 + Duration.FromMinutes(120),
        };
        Assert.True(offer.IsOpenAt(Monday1000 + Duration.FromMinutes(119)));
        Assert.False(offer.IsOpenAt(offer.ExpiresAt));
        Assert.False(offer.Close(OfferStatus.Taken, Tuesday1000).IsOpenAt(Monday1000));
        Assert.Equal(Tuesday1000.PlusDays(1), offer.Pick(2));
        Assert.Null(offer.Pick(3));
        Assert.Null(offer.Pick(0));
    }
}
