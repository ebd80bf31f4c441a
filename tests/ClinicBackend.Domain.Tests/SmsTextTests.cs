using ClinicBackend.Domain.Messaging;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

public sealed class SmsTextTests
{
    private static readonly LocalDateTime Start = new(2026, 12, 2, 9, 0);

    /// <summary>Every text the product can send, in every language.</summary>
    public static IEnumerable<object[]> AllTexts()
    {
        foreach (var name in new[] { "Riverside Behavioral Health", "Clínica Río Grande", "A" })
        {
            var clinic = TestClinics.Riverside() with { Name = name };
            foreach (var language in new[] { "en", "es" })
            {
                yield return [$"day-before/{language}/{name}", SmsTexts.DayBeforeReminder(clinic, language, Start)];
                yield return [$"missed/{language}/{name}", SmsTexts.MissedSession(clinic, language)];
                yield return [$"confirmed/{language}/{name}", SmsTexts.Confirmed(clinic, language, Start)];
                yield return [$"reschedule/{language}/{name}", SmsTexts.RescheduleRequested(clinic, language)];
                yield return [$"no-visit/{language}/{name}", SmsTexts.NoUpcomingVisit(clinic, language)];
                yield return [$"free-text/{language}/{name}", SmsTexts.FreeTextReceived(clinic, language)];
                yield return [$"help/{language}/{name}", SmsTexts.Help(clinic, language)];
                yield return [$"opted-out/{language}/{name}", SmsTexts.OptedOut(clinic, language)];
                yield return [$"opted-in/{language}/{name}", SmsTexts.OptedIn(clinic, language)];
                yield return [$"crisis/{language}/{name}", SmsTexts.Crisis(clinic, language)];
                yield return [$"waitlist-offer/{language}/{name}", SmsTexts.WaitlistOffer(clinic, language, Start, 17, null)];
                yield return [$"rescheduled/{language}/{name}", SmsTexts.Rescheduled(clinic, language, Start, null)];
                yield return [$"new-visit/{language}/{name}", SmsTexts.NewVisitBooked(clinic, language, Start, null, null)];
                yield return [$"new-visit-beside/{language}/{name}", SmsTexts.NewVisitBooked(clinic, language, Start, Start.PlusDays(2), "Chicago time")];
            }
        }
        yield return ["unknown-sender", SmsTexts.UnknownSender];
    }

    [Theory]
    [MemberData(nameof(AllTexts))]
    public void No_text_names_the_drug_the_diagnosis_or_the_treatment(string which, string text)
    {
        Assert.False(SmsTexts.ContainsForbiddenWord(text), $"{which}: {text}");
        foreach (var word in new[] { "esketamine", "Spravato", "ketamine", "depression" })
        {
            Assert.DoesNotContain(word, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("en", "Riverside Behavioral Health: done, you have a new visit Wed Dec 2, 9:00 AM; your visit Fri Dec 4, 9:00 AM stays booked. Someone must drive you home.")]
    [InlineData("es", "Riverside Behavioral Health: listo, tiene una nueva cita el mie 2 dic a las 9:00; su cita del vie 4 dic a las 9:00 sigue en pie. Alguien debe llevarle a casa.")]
    public void A_new_visit_from_the_waitlist_is_called_new_and_names_the_visit_that_stays(string language, string expected) =>
        Assert.Equal(expected, SmsTexts.NewVisitBooked(TestClinics.Riverside(), language, Start, Start.PlusDays(2), null));

    [Fact]
    public void The_forbidden_word_check_catches_them_in_any_case_or_accent()
    {
        Assert.True(SmsTexts.ContainsForbiddenWord("Your SPRAVATO visit"));
        Assert.True(SmsTexts.ContainsForbiddenWord("su depresión"));
        Assert.True(SmsTexts.ContainsForbiddenWord("esKetamine"));
        Assert.False(SmsTexts.ContainsForbiddenWord("Riverside: visit Wed Dec 2"));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("es")]
    public void Automated_texts_fit_one_GSM7_segment_with_a_usual_clinic_name(string language)
    {
        var clinic = TestClinics.Riverside();
        foreach (var text in new[] { SmsTexts.DayBeforeReminder(clinic, language, Start), SmsTexts.MissedSession(clinic, language) })
        {
            Assert.True(SmsSegments.IsGsm7(text), text);
            Assert.Equal(1, SmsSegments.Count(text));
            Assert.Contains("(212) 555-0100", text);
            Assert.Contains("STOP", text);
            Assert.Contains(clinic.Name, text);
        }
    }

    [Fact]
    public void The_reminder_names_the_date_time_ride_and_reply_words()
    {
        var text = SmsTexts.DayBeforeReminder(TestClinics.Riverside(), "en", new LocalDateTime(2026, 12, 6, 13, 45));
        Assert.Contains("Sun Dec 6, 1:45 PM", text);
        Assert.Contains("drive you home", text);
        Assert.Contains("Reply 1 to confirm, 2 to reschedule", text);
        Assert.DoesNotContain("YES", text);
        Assert.DoesNotContain("CANCEL", text);
    }

    [Theory]
    [InlineData(160, 'a', 1)]
    [InlineData(161, 'a', 2)]
    [InlineData(306, 'a', 2)]
    [InlineData(307, 'a', 3)]
    [InlineData(70, 'á', 1)] // á is not GSM-7: UCS-2
    [InlineData(71, 'á', 2)]
    [InlineData(80, '€', 1)] // extension table: two septets each
    [InlineData(81, '€', 2)]
    public void Segments_are_counted_per_encoding(int length, char c, int segments) =>
        Assert.Equal(segments, SmsSegments.Count(new string(c, length)));
}

public sealed class SmsScheduleTests
{
    private static Instant Utc(string text) => NodaTime.Text.InstantPattern.General.Parse(text).Value;

    [Theory]
    // New York springs forward on Sunday 2027-03-14: the Sunday-morning session is reminded Saturday 17:00 EST,
    // the Monday one Sunday 17:00 EDT.
    [InlineData("America/New_York", "2027-03-14T14:00:00Z", "2027-03-13T22:00:00Z")]
    [InlineData("America/New_York", "2027-03-15T13:00:00Z", "2027-03-14T21:00:00Z")]
    // New York falls back on Sunday 2027-11-07.
    [InlineData("America/New_York", "2027-11-08T14:00:00Z", "2027-11-07T22:00:00Z")]
    [InlineData("America/New_York", "2027-11-07T14:00:00Z", "2027-11-06T21:00:00Z")]
    // Sydney falls back on Sunday 2027-04-04 (AEDT +11 -> AEST +10) and springs forward on 2027-10-03.
    [InlineData("Australia/Sydney", "2027-04-04T23:00:00Z", "2027-04-04T07:00:00Z")]
    [InlineData("Australia/Sydney", "2027-04-03T22:00:00Z", "2027-04-03T06:00:00Z")]
    [InlineData("Australia/Sydney", "2027-10-03T22:00:00Z", "2027-10-03T06:00:00Z")]
    [InlineData("Australia/Sydney", "2027-10-02T23:00:00Z", "2027-10-02T07:00:00Z")]
    public void The_day_before_reminder_keeps_the_local_clock_time_across_daylight_saving(string zone, string sessionStart, string expected)
    {
        var clinic = TestClinics.Riverside(zone);
        var start = Utc(sessionStart);
        Assert.Equal(Utc(expected), SmsSchedule.DayBefore(clinic, start, start - Duration.FromDays(5)));
    }

    [Theory]
    [InlineData("2026-12-01T23:00:00Z", "2026-12-01T23:00:00Z")] // 18:00 local: allowed now
    [InlineData("2026-12-02T02:30:00Z", "2026-12-02T13:00:00Z")] // 21:30 local: next 08:00
    [InlineData("2026-12-02T11:00:00Z", "2026-12-02T13:00:00Z")] // 06:00 local: 08:00 that morning
    [InlineData("2026-12-02T02:00:00Z", "2026-12-02T13:00:00Z")] // exactly 21:00: quiet
    [InlineData("2026-12-02T13:00:00Z", "2026-12-02T13:00:00Z")] // exactly 08:00: allowed
    public void Quiet_hours_push_texts_to_the_next_morning(string at, string expected) =>
        Assert.Equal(Utc(expected), SmsSchedule.NextAllowed(TestClinics.Riverside(), Utc(at)));

    [Fact]
    public void Quiet_hours_end_on_the_first_morning_after_a_spring_forward_night()
    {
        // 22:30 EST Saturday 2027-03-13 -> 08:00 EDT Sunday.
        Assert.Equal(Utc("2027-03-14T12:00:00Z"), SmsSchedule.NextAllowed(TestClinics.Riverside(), Utc("2027-03-14T03:30:00Z")));
    }

    [Fact]
    public void A_reminder_too_late_to_help_is_not_planned()
    {
        var clinic = TestClinics.Riverside();
        var start = Utc("2026-12-02T14:00:00Z"); // 09:00 local
        Assert.Equal(Utc("2026-12-02T13:00:00Z"), SmsSchedule.DayBefore(clinic, start, Utc("2026-12-02T03:00:00Z"))); // booked 22:00: 08:00
        Assert.Null(SmsSchedule.DayBefore(clinic, start, Utc("2026-12-02T13:30:00Z"))); // booked 08:30 for 09:00
    }

    [Theory]
    [InlineData(new int[0], 0, true, 0)]
    [InlineData(new[] { 0 }, 0, false, 1)] // one text today: tomorrow
    [InlineData(new[] { -1 }, 0, true, 0)]
    [InlineData(new[] { -6, -4, -2 }, 0, false, 1)] // three this week: wait until the oldest is 7 days old
    [InlineData(new[] { -7, -4, -2 }, 0, true, 0)]
    [InlineData(new[] { -5, -3, -1 }, 0, false, 2)]
    public void Daily_and_weekly_limits(int[] usedOffsets, int todayOffset, bool allowed, int firstAllowedOffset)
    {
        var today = new LocalDate(2026, 12, 10);
        var used = usedOffsets.Select(d => today.PlusDays(d)).ToList();
        var (ok, first) = SmsSchedule.Limits(used, today.PlusDays(todayOffset));
        Assert.Equal(allowed, ok);
        Assert.Equal(today.PlusDays(firstAllowedOffset), first);
    }
}
