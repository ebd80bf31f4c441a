using ClinicBackend.Domain.Reports;
using ClinicBackend.Domain.Sessions;
using NodaTime;
using NodaTime.Text;

namespace ClinicBackend.Domain.Tests;

/// <summary>The report's chair figures: hours open, booked and fulfilled, and chair-time freed and taken again.</summary>
public sealed class ChairUseTests
{
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];
    private static readonly LocalDate Monday = new(2026, 12, 7);

    private static LocalDate Date(string text) => LocalDatePattern.Iso.Parse(text).Value;

    private static Instant Utc(string text) => InstantPattern.General.Parse(text).Value;

    private static ZonedDateTime At(string hhmm) => Monday.At(LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(hhmm).Value).InZoneStrictly(NewYork);

    /// <summary>A two-hour session on Monday 2026-12-07 at <paramref name="hhmm"/>, booked at <paramref name="placedAt"/>.</summary>
    private static Session Booked(string id, string hhmm, string placedAt) =>
        Session.Book(id, "riverside", $"patient-{id}", At(hhmm), At(hhmm).PlusHours(2), [], Utc(placedAt), "staff");

    private static (Session After, ChairRelease Release) Cancel(Session session, string at)
    {
        var after = session.Cancel("patient called", Utc(at), "staff").Value;
        return (after, ChairRelease.Of(session, after, Utc(at))!);
    }

    private static (Session After, ChairRelease Release) Move(Session session, string hhmm, string at)
    {
        var after = session.MoveTo(At(hhmm), At(hhmm).PlusHours(2), [], Utc(at), "staff").Value;
        return (after, ChairRelease.Of(session, after, Utc(at))!);
    }

    [Theory]
    [InlineData("2026-03-02", "2026-03-08", 17_020)] // Sunday 8 March: clocks spring forward at 02:00, the Sunday has 23 hours
    [InlineData("2026-10-26", "2026-11-01", 17_500)] // Sunday 1 November: clocks fall back at 02:00, the Sunday has 25 hours
    [InlineData("2026-11-30", "2026-12-06", 17_260)] // an ordinary week
    public void Available_chair_hours_count_the_real_hours_of_each_open_day_and_none_on_closed_days(string from, string to, int minutes)
    {
        // Riverside, 4 chairs: Monday to Thursday 08:00-18:00, Friday 08:00-16:00, closed on Saturday, Sunday 00:00-23:55.
        // Per chair: 4 x 600 + 480 + 0 + the Sunday (1,435 minutes, 60 fewer or more when the clocks change).
        var clinic = TestClinics.Riverside();
        Assert.Equal(minutes, ChairUse.OpenChairMinutes(clinic, new ReportRange(Date(from), Date(to))));
    }

    [Fact]
    public void Days_before_the_clinic_existed_have_no_chair_hours()
    {
        var clinic = TestClinics.Riverside() with { CreatedAt = Utc("2026-03-05T15:00:00Z") }; // Thursday 10:00 in New York
        // Thursday 600 + Friday 480 + Saturday closed + the 23-hour Sunday 1,375, by 4 chairs.
        Assert.Equal(4 * (600 + 480 + 1_375), ChairUse.OpenChairMinutes(clinic, new ReportRange(Date("2026-03-02"), Date("2026-03-08"))));
    }

    [Fact]
    public void A_cancellation_taken_by_a_later_booking_is_freed_and_refilled_once_with_the_minutes_from_the_release()
    {
        var early = Booked("early", "10:00", "2026-12-02T15:00:00Z"); // on another chair before the cancellation: takes nothing
        var (cancelled, release) = Cancel(Booked("gone", "10:00", "2026-12-01T15:00:00Z"), "2026-12-06T14:00:00Z");
        var taker = Booked("taker", "10:00", "2026-12-06T14:25:00Z");
        var second = Booked("second", "10:00", "2026-12-06T16:00:00Z"); // after the taker: nothing freed is left

        var day = ChairDay.Of(Monday, [early, cancelled, taker, second], [release]);

        Assert.Equal(new ChairDay(BookedMinutes: 360, FulfilledMinutes: 0, FreedMinutes: 120, RefilledMinutes: 120, day.MinutesToRefill), day);
        Assert.Equal([25], day.MinutesToRefill);
    }

    [Fact]
    public void A_booking_at_the_instant_of_the_release_is_not_known_to_follow_it_and_takes_nothing()
    {
        var (cancelled, release) = Cancel(Booked("gone", "10:00", "2026-12-01T15:00:00Z"), "2026-12-06T14:00:00Z");
        var same = Booked("same", "10:00", "2026-12-06T14:00:00Z");

        var day = ChairDay.Of(Monday, [cancelled, same], [release]);

        Assert.Equal((120, 0), (day.FreedMinutes, day.RefilledMinutes));
        Assert.Empty(day.MinutesToRefill);
    }

    [Fact]
    public void A_move_into_freed_time_counts_the_time_it_leaves_as_freed_and_the_time_it_takes_as_refilled()
    {
        var (cancelled, first) = Cancel(Booked("gone", "10:00", "2026-12-01T15:00:00Z"), "2026-12-05T15:00:00Z");
        var (moved, second) = Move(Booked("mover", "14:00", "2026-12-01T15:00:00Z"), "10:00", "2026-12-05T16:30:00Z");

        var day = ChairDay.Of(Monday, [cancelled, moved], [first, second]);

        Assert.Equal(240, day.FreedMinutes); // 10:00-12:00 cancelled and 14:00-16:00 left
        Assert.Equal(120, day.RefilledMinutes); // 10:00-12:00 taken by the move
        Assert.Equal([90], day.MinutesToRefill);
        Assert.Equal(120, day.BookedMinutes);
    }

    [Fact]
    public void A_move_by_half_an_hour_frees_only_the_half_hour_it_left_and_the_same_session_never_refills_its_own_time()
    {
        var (moved, release) = Move(Booked("mover", "10:00", "2026-12-01T15:00:00Z"), "10:30", "2026-12-05T15:00:00Z");
        var alone = ChairDay.Of(Monday, [moved], [release]);
        Assert.Equal((30, 0), (alone.FreedMinutes, alone.RefilledMinutes));
        Assert.Empty(alone.MinutesToRefill);

        var overlapping = Booked("other", "09:00", "2026-12-05T16:00:00Z"); // 09:00-11:00 takes the freed 10:00-10:30
        var day = ChairDay.Of(Monday, [moved, overlapping], [release]);
        Assert.Equal((30, 30), (day.FreedMinutes, day.RefilledMinutes));
        Assert.Equal([60], day.MinutesToRefill);
    }

    [Fact]
    public void Freed_minutes_are_taken_once_each_the_earliest_release_first_and_a_partial_overlap_takes_only_its_part()
    {
        var (a, first) = Cancel(Booked("a", "10:00", "2026-12-01T15:00:00Z"), "2026-12-04T15:00:00Z"); // frees 10:00-12:00
        var (b, second) = Cancel(Booked("b", "11:00", "2026-12-01T15:00:00Z"), "2026-12-04T16:00:00Z"); // frees 11:00-13:00
        var taker = Booked("taker", "11:00", "2026-12-04T17:00:00Z"); // 11:00-12:00 from the first, 12:00-13:00 from the second

        var day = ChairDay.Of(Monday, [a, b, taker], [first, second]);
        var use = ChairUse.Of(4 * 600, [day]);

        Assert.Equal((240, 120), (day.FreedMinutes, day.RefilledMinutes));
        Assert.Equal([120, 60], day.MinutesToRefill);
        Assert.Equal(90, use.MedianMinutesToRefill); // the mean of the middle two
        Assert.Equal(new Share(120, 240), use.RefillRate);
    }

    [Fact]
    public void Late_cancellations_and_no_shows_free_nothing_and_no_shows_hold_booked_hours_that_are_not_fulfilled()
    {
        var arrived = Booked("arrived", "10:00", "2026-12-01T15:00:00Z").CheckIn(Utc("2026-12-07T15:00:00Z"), Monday, "staff").Value;
        var cancelledAfterArrival = arrived.Cancel("felt unwell", Utc("2026-12-07T15:10:00Z"), "staff").Value;
        Assert.Null(ChairRelease.Of(arrived, cancelledAfterArrival, Utc("2026-12-07T15:10:00Z")));

        var late = Booked("late", "12:00", "2026-12-01T15:00:00Z");
        Assert.Null(ChairRelease.Of(late, late.Cancel("called after the start", Utc("2026-12-07T17:05:00Z"), "staff").Value, Utc("2026-12-07T17:05:00Z")));

        var noshow = Booked("noshow", "14:00", "2026-12-01T15:00:00Z").MarkNoShow(Utc("2026-12-07T21:00:00Z"), "sweep", "not checked in");
        var fulfilled = Booked("done", "08:00", "2026-12-01T15:00:00Z") with { Status = SessionStatus.Fulfilled };
        var day = ChairDay.Of(Monday, [cancelledAfterArrival, noshow, fulfilled], []);
        var use = ChairUse.Of(4 * 600, [day]);

        Assert.Equal(new ChairDay(240, 120, 0, 0, day.MinutesToRefill), day);
        Assert.Equal(new Share(120, 2_400), use.Utilisation);
        Assert.Null(use.MedianMinutesToRefill);
        Assert.Equal(0, use.RefillRate.Value);
    }

    [Fact]
    public void A_move_to_the_same_start_releases_nothing_and_sessions_of_other_days_do_not_count()
    {
        var (moved, release) = Move(Booked("mover", "10:00", "2026-12-01T15:00:00Z"), "10:00", "2026-12-02T15:00:00Z");
        Assert.Null(release);
        var tuesday = Session.Book("tue", "riverside", "patient-tue", At("10:00").PlusHours(24), At("12:00").PlusHours(24), [], Utc("2026-12-01T15:00:00Z"), "staff");
        var (_, tuesdayRelease) = Cancel(tuesday, "2026-12-02T15:00:00Z");

        var day = ChairDay.Of(Monday, [moved, tuesday], [tuesdayRelease]);

        Assert.Equal((120, 0), (day.BookedMinutes, day.FreedMinutes));
    }
}
