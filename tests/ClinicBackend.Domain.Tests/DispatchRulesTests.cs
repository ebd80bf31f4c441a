using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Offers;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

/// <summary>Whether a due text still goes, and when: the dispatcher's decisions as a table.</summary>
public sealed class DispatchRulesTests
{
    // Tuesday 2026-12-01 17:00 in New York; the session is Wednesday 09:00.
    private static readonly Instant Tuesday1700 = Instant.FromUtc(2026, 12, 1, 22, 0);
    private static readonly Instant SessionStart = Instant.FromUtc(2026, 12, 2, 14, 0);

    private static Patient Patient(bool consent = true, bool optedOut = false, bool active = true, string? paused = null, string? zone = null) =>
        TestPatients.Ana(consent, optedOut, active, paused: paused, zone: zone);

    private static Session Session(SessionStatus status = SessionStatus.Booked, int scheduleVersion = 1) => new()
    {
        Id = "session0001",
        ClinicId = "riverside",
        PatientId = "patient0001",
        Start = new LocalDateTime(2026, 12, 2, 9, 0),
        StartUtc = SessionStart,
        End = new LocalDateTime(2026, 12, 2, 11, 0),
        EndUtc = SessionStart + Duration.FromHours(2),
        Status = status,
        ScheduleVersion = scheduleVersion,
    };

    private static SmsMessage Text(string kind = SmsKinds.DayBefore, int version = 1, Instant? expires = null) => new()
    {
        Id = "r-session0001-v1-" + kind,
        PatientId = "patient0001",
        Direction = "outbound",
        Kind = kind,
        SessionId = "session0001",
        SessionVersion = version,
        Status = SmsStatus.Planned,
        At = Tuesday1700,
        ExpiresAt = expires,
    };

    private static DispatchDecision Decide(Patient? patient = null, Session? session = null, SmsMessage? text = null, Instant? now = null,
        LocalDate[]? quota = null, bool rebooked = false, Offer? offer = null, bool chairFree = true) =>
        DispatchRules.Decide(new DispatchFacts(TestClinics.Riverside(), patient ?? Patient(), session ?? Session(), text ?? Text(), now ?? Tuesday1700,
            quota ?? [], rebooked, Offer: offer, OfferChairFree: chairFree));

    private static Offer WaitlistOffer(Instant expires) => new()
    {
        Id = "o1",
        PatientId = "patient0001",
        Kind = OfferKind.Waitlist,
        Starts = [new LocalDateTime(2026, 12, 2, 9, 0)],
        SentAt = Tuesday1700,
        ExpiresAt = expires,
    };

    public static TheoryData<string, DispatchDecision> Skips => new()
    {
        { "no consent", Decide(patient: Patient(consent: false)) },
        { "opted out", Decide(patient: Patient(optedOut: true)) },
        { "inactive", Decide(patient: Patient(active: false)) },
        { "paused by a crisis flag", Decide(patient: Patient(paused: "flag1")) },
        { "cancelled session", Decide(session: Session(SessionStatus.Cancelled)) },
        { "rescheduled since planning", Decide(session: Session(scheduleVersion: 2)) },
        { "session already arrived", Decide(session: Session(SessionStatus.Arrived)) },
        { "too late before the session", Decide(now: SessionStart - Duration.FromMinutes(30)) },
        { "missed text for a session that is no no-show", Decide(text: Text(SmsKinds.Missed)) },
        { "missed text after a rebooking", Decide(session: Session(SessionStatus.Noshow), text: Text(SmsKinds.Missed), rebooked: true) },
        { "expired missed text", Decide(session: Session(SessionStatus.Noshow), text: Text(SmsKinds.Missed, expires: Tuesday1700 - Duration.FromHours(1))) },
    };

    [Theory]
    [MemberData(nameof(Skips))]
    public void Texts_that_no_longer_make_sense_are_skipped(string why, DispatchDecision decision) =>
        Assert.True(decision is DispatchDecision.Skip, $"{why}: {decision}");

    [Fact]
    public void A_wanted_text_in_the_sending_window_goes()
    {
        Assert.IsType<DispatchDecision.Send>(Decide());
        Assert.IsType<DispatchDecision.Send>(Decide(session: Session(SessionStatus.Noshow), text: Text(SmsKinds.Missed, expires: Tuesday1700 + Duration.FromHours(1))));
    }

    [Fact]
    public void Quiet_hours_defer_to_the_morning_or_drop_a_reminder_that_would_come_too_late()
    {
        var missed = Decide(session: Session(SessionStatus.Noshow), text: Text(SmsKinds.Missed), now: Instant.FromUtc(2026, 12, 2, 3, 0)); // 22:00 local
        var defer = Assert.IsType<DispatchDecision.Defer>(missed);
        Assert.Equal(Instant.FromUtc(2026, 12, 2, 13, 0), defer.Until); // 08:00 local
        var early = Session() with { StartUtc = Instant.FromUtc(2026, 12, 2, 13, 30) }; // 08:30 local
        var reminder = Decide(session: early, now: Instant.FromUtc(2026, 12, 2, 3, 0)); // 08:00 is less than an hour before 08:30
        Assert.StartsWith("dropped: quiet hours", Assert.IsType<DispatchDecision.Skip>(reminder).Reason);
        Assert.IsType<DispatchDecision.Defer>(Decide(now: Instant.FromUtc(2026, 12, 2, 3, 0))); // 08:00 is an hour before 09:00: still useful
    }

    [Fact]
    public void The_daily_and_weekly_limits_defer_to_the_first_free_day_or_past_the_texts_moment()
    {
        var today = new LocalDate(2026, 12, 1);
        var daily = Decide(session: Session(SessionStatus.Noshow), text: Text(SmsKinds.Missed, expires: Tuesday1700 + Duration.FromDays(2)), quota: [today]);
        Assert.Equal(Instant.FromUtc(2026, 12, 2, 13, 0), Assert.IsType<DispatchDecision.Defer>(daily).Until);
        var weekly = Decide(session: Session(SessionStatus.Noshow), text: Text(SmsKinds.Missed, expires: Tuesday1700 + Duration.FromHours(3)),
            quota: [today.PlusDays(-1), today.PlusDays(-2), today.PlusDays(-3)]);
        Assert.StartsWith("dropped: weekly limit", Assert.IsType<DispatchDecision.Skip>(weekly).Reason);
    }

    [Fact]
    public void Quiet_hours_and_the_daily_limit_follow_the_patients_own_zone()
    {
        var missed = Text(SmsKinds.Missed, expires: Tuesday1700 + Duration.FromDays(2));
        var noshow = Session(SessionStatus.Noshow);
        // 22:00 in New York is 19:00 in Los Angeles: a patient there is texted now; one in New York at 08:00.
        var night = Instant.FromUtc(2026, 12, 2, 3, 0);
        Assert.IsType<DispatchDecision.Send>(Decide(patient: Patient(zone: "America/Los_Angeles"), session: noshow, text: missed, now: night));
        Assert.IsType<DispatchDecision.Defer>(Decide(session: noshow, text: missed, now: night));
        // 09:00 in New York is 06:00 in Los Angeles: the text waits for 08:00 there (16:00 UTC).
        var morning = Instant.FromUtc(2026, 12, 2, 14, 0);
        var defer = Assert.IsType<DispatchDecision.Defer>(Decide(patient: Patient(zone: "America/Los_Angeles"), session: noshow, text: missed, now: morning));
        Assert.Equal(Instant.FromUtc(2026, 12, 2, 16, 0), defer.Until);
        // At 22:00 in New York on Tuesday it is still Tuesday in Los Angeles: Tuesday's text counts for the day.
        Assert.IsType<DispatchDecision.Defer>(Decide(patient: Patient(zone: "America/Los_Angeles"), session: noshow, text: missed, now: night, quota: [new LocalDate(2026, 12, 1)]));
        Assert.IsType<DispatchDecision.Send>(Decide(patient: Patient(zone: "America/Los_Angeles"), session: noshow, text: missed, now: night, quota: [new LocalDate(2026, 11, 30)]));
    }

    [Fact]
    public void A_waitlist_offer_keeps_quiet_hours_but_not_the_daily_limit_and_goes_only_while_open_and_free()
    {
        var offerText = Text(SmsKinds.Offer);
        var open = WaitlistOffer(Tuesday1700 + Duration.FromMinutes(30));
        Assert.IsType<DispatchDecision.Send>(Decide(text: offerText, offer: open, quota: [new LocalDate(2026, 12, 1)]));
        Assert.IsType<DispatchDecision.Defer>(Decide(text: offerText, offer: WaitlistOffer(Instant.FromUtc(2026, 12, 2, 14, 0)), now: Instant.FromUtc(2026, 12, 2, 3, 0)));
        Assert.Equal("offer-closed", Assert.IsType<DispatchDecision.Skip>(Decide(text: offerText, offer: open, now: open.ExpiresAt)).Reason);
        Assert.Equal("offer-closed", Assert.IsType<DispatchDecision.Skip>(Decide(text: offerText, offer: open.Close(OfferStatus.Declined))).Reason);
        Assert.Equal("offer-chair-taken", Assert.IsType<DispatchDecision.Skip>(Decide(text: offerText, offer: open, chairFree: false)).Reason);
    }

    private static DispatchDecision DecideLink(LinkFacts? link, Instant? now = null, LocalDate[]? quota = null, Session? session = null) =>
        DispatchRules.Decide(new DispatchFacts(TestClinics.Riverside(), Patient(), session ?? Session(), Text(SmsKinds.Assessment, expires: SessionStart), now ?? Tuesday1700,
            quota ?? [], false, Link: link));

    [Fact]
    public void A_link_of_its_own_goes_only_while_a_PHQ9_is_due_and_the_reminder_cannot_carry_it()
    {
        Assert.IsType<DispatchDecision.Send>(DecideLink(new LinkFacts(Due: true, ReminderCarries: false, ReminderDueAt: Tuesday1700 + Duration.FromDays(1))));
        Assert.IsType<DispatchDecision.Send>(DecideLink(new LinkFacts(true, true, ReminderDueAt: null))); // the reminder went (or was skipped) without it
        Assert.Equal("assessment-not-due", Assert.IsType<DispatchDecision.Skip>(DecideLink(null)).Reason);
        Assert.Equal("assessment-not-due", Assert.IsType<DispatchDecision.Skip>(DecideLink(new LinkFacts(false, false, null))).Reason);
        Assert.Equal("carried-by-the-reminder", Assert.IsType<DispatchDecision.Skip>(DecideLink(new LinkFacts(true, true, Tuesday1700))).Reason);
        Assert.Equal("session-cancelled", Assert.IsType<DispatchDecision.Skip>(DecideLink(new LinkFacts(true, false, null), session: Session(SessionStatus.Cancelled))).Reason);
        Assert.Equal("rescheduled", Assert.IsType<DispatchDecision.Skip>(DecideLink(new LinkFacts(true, false, null), session: Session(scheduleVersion: 2))).Reason);
    }

    [Fact]
    public void A_link_of_its_own_waits_for_a_reminder_that_is_due_and_keeps_quiet_hours_and_the_limits()
    {
        var waits = Assert.IsType<DispatchDecision.Defer>(DecideLink(new LinkFacts(true, false, Tuesday1700 - Duration.FromMinutes(1))));
        Assert.Equal(Tuesday1700 + DispatchRules.LinkWaitsForReminder, waits.Until);
        // 22:00 in New York is quiet: the link waits for the morning.
        var quiet = Assert.IsType<DispatchDecision.Defer>(DecideLink(new LinkFacts(true, false, null), now: Tuesday1700 + Duration.FromHours(5)));
        Assert.Equal(Instant.FromUtc(2026, 12, 2, 13, 0), quiet.Until);
        // The day's automated text is used: the link goes at 08:00 tomorrow, still before the 09:00 visit.
        var limited = Assert.IsType<DispatchDecision.Defer>(DecideLink(new LinkFacts(true, false, null), quota: [new LocalDate(2026, 12, 1)]));
        Assert.Equal(Instant.FromUtc(2026, 12, 2, 13, 0), limited.Until);
        // Three this week already: the next allowed day is past the visit, so the link is dropped, never sent late.
        var dropped = Assert.IsType<DispatchDecision.Skip>(DecideLink(new LinkFacts(true, false, null),
            quota: [new LocalDate(2026, 11, 27), new LocalDate(2026, 11, 29), new LocalDate(2026, 11, 30)]));
        Assert.StartsWith("dropped: weekly limit", dropped.Reason);
    }
}
