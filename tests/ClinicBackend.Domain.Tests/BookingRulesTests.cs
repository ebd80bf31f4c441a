using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

public sealed class BookingRulesTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 11, 30, 15, 0); // Monday 10:00 in New York

    [Theory]
    [InlineData("2026-12-02T09:00", null)]
    [InlineData("2026-12-02T16:00", null)] // ends 18:00, exactly at closing
    [InlineData("2026-12-02T16:15", "outside-opening-hours")]
    [InlineData("2026-12-02T07:45", "outside-opening-hours")]
    [InlineData("2026-12-05T09:00", "outside-opening-hours")] // Saturday: closed
    [InlineData("2026-12-02T09:10", "off-grid")]
    [InlineData("2026-11-30T09:45", "in-the-past")]
    [InlineData("2027-12-02T09:00", "too-far-ahead")]
    public void Starts_keep_grid_hours_and_time(string start, string? code)
    {
        var clinic = TestClinics.Riverside();
        Assert.True(ClinicTime.TryParseMinute(start, out var local));
        var placed = BookingRules.Place(clinic, local, "start").Value;
        Assert.Equal(code, BookingRules.CheckStart(clinic, placed.Start, placed.End, Now)?.Code);
    }

    [Theory]
    [InlineData("America/New_York", "2027-03-14T02:30", "nonexistent-local-time", null)]
    [InlineData("America/New_York", "2027-11-07T01:30", null, "2027-11-07T05:30:00Z")] // ambiguous: the earlier (EDT) instant
    [InlineData("Australia/Sydney", "2027-10-03T02:00", "nonexistent-local-time", null)]
    [InlineData("Australia/Sydney", "2027-04-04T02:30", null, "2027-04-03T15:30:00Z")]
    [InlineData("Europe/London", "2027-03-28T01:15", "nonexistent-local-time", null)]
    public void Gaps_are_refused_and_overlaps_take_the_earlier_instant(string zone, string start, string? code, string? utc)
    {
        Assert.True(ClinicTime.TryParseMinute(start, out var local));
        var resolved = ClinicTime.Resolve(local, ClinicTime.FindZone(zone)!, "start");
        Assert.Equal(code, resolved.Problem?.Code);
        if (utc is not null)
        {
            Assert.Equal(utc, ClinicTime.FormatUtc(resolved.Value.ToInstant()));
        }
    }

    [Fact]
    public void The_grid_skips_the_missing_hour_and_sessions_last_real_minutes()
    {
        var clinic = TestClinics.Riverside(slot: 30);
        var starts = BookingRules.GridStarts(clinic, new LocalDate(2027, 3, 14)).ToList();
        Assert.DoesNotContain(starts, s => s.Start.LocalDateTime.Hour == 2);
        var one = starts.Single(s => s.Start.LocalDateTime == new LocalDateTime(2027, 3, 14, 1, 30));
        Assert.Equal(new LocalDateTime(2027, 3, 14, 4, 30), one.End.LocalDateTime); // 2 real hours across the jump
        Assert.All(starts, s => Assert.Equal(Duration.FromMinutes(120), s.End.ToInstant() - s.Start.ToInstant()));
        Assert.Equal(starts.Count, starts.Select(s => s.Start.ToInstant()).Distinct().Count());
    }

    [Theory]
    [InlineData(" 2026-12-02T09:00")]
    [InlineData("2026-02-30T09:00")]
    [InlineData("2026-12-02T9:00")]
    [InlineData("2026-12-02T09:00:00")]
    [InlineData("2026-12-02")]
    [InlineData("")]
    public void Malformed_local_times_do_not_parse(string text) => Assert.False(ClinicTime.TryParseMinute(text, out _));

    [Fact]
    public void Chairs_are_assigned_per_tick_keeping_a_sessions_own_claims()
    {
        var map = new ChairMap(2);
        var t0 = Instant.FromUtc(2026, 12, 2, 14, 0);
        var ticks = BookingRules.Ticks(t0, t0 + Duration.FromMinutes(120)).ToList();
        Assert.Equal(24, ticks.Count);
        foreach (var tick in ticks)
        {
            map.Add(tick, 0, "a");
        }
        map.Add(ticks[5], 1, "b");
        Assert.Equal(0, map.FreeOver(ticks));
        Assert.Null(map.Assign(ticks, "c"));
        var own = map.Assign(ticks, "a")!;
        Assert.All(own.Values, k => Assert.Equal(0, k));
        var shifted = BookingRules.Ticks(t0 + Duration.FromMinutes(30), t0 + Duration.FromMinutes(150)).ToList();
        // 14:30-15:55 overlaps "a" (chair 1 left); 16:00-16:25 is empty ("c" takes its first choice).
        var assigned = map.Assign(shifted, "c")!;
        Assert.All(shifted.Where(t => t < t0 + Duration.FromMinutes(120)), t => Assert.Equal(1, assigned[t]));
        Assert.All(shifted.Where(t => t >= t0 + Duration.FromMinutes(120)), t => Assert.Equal(ChairMap.FirstChoice("c", 2), assigned[t]));
        Assert.Equal(1, map.FreeOver(shifted));
    }

    [Fact]
    public void Sessions_booked_at_once_try_different_chairs_first()
    {
        var firsts = Enumerable.Range(0, 16).Select(_ => ChairMap.FirstChoice(Ids.New(), 20)).ToList();
        Assert.All(firsts, k => Assert.InRange(k, 0, 19));
        Assert.True(firsts.Distinct().Count() >= 6, $"16 sessions chose only chairs {string.Join(", ", firsts.Distinct())} first");
        Assert.Equal(ChairMap.FirstChoice("s1", 20), ChairMap.FirstChoice("s1", 20));
    }

    [Fact]
    public void A_session_keeps_one_chair_and_goes_round_to_the_next_free_one_where_that_is_taken()
    {
        var t0 = Instant.FromUtc(2026, 12, 2, 14, 0);
        var ticks = BookingRules.Ticks(t0, t0 + Duration.FromMinutes(60)).ToList();
        const int chairs = 5;
        var first = ChairMap.FirstChoice("s", chairs);
        var map = new ChairMap(chairs);
        map.Add(ticks[3], first, "other");
        map.Add(ticks[3], (first + 1) % chairs, "another");
        var assigned = map.Assign(ticks, "s")!;
        Assert.All(ticks.Where(t => t != ticks[3]), t => Assert.Equal(first, assigned[t]));
        Assert.Equal((first + 2) % chairs, assigned[ticks[3]]);
    }

    [Fact]
    public void A_full_tick_refuses_even_when_claims_sit_above_a_reduced_chair_count()
    {
        var tick = Instant.FromUtc(2026, 12, 2, 14, 0);
        var map = new ChairMap(2);
        map.Add(tick, 0, "a");
        map.Add(tick, 5, "b"); // claimed when the clinic had more chairs
        Assert.Null(map.Assign([tick], "c"));
        Assert.Equal(0, map.FreeOver([tick]));
    }

    [Fact]
    public void Chair_claim_keys_read_back()
    {
        var tick = Instant.FromUtc(2026, 12, 2, 14, 35);
        Assert.True(ClaimKeys.TryParseChair(Keys.ChairClaim(tick, 7), out var parsed, out var k));
        Assert.Equal(tick, parsed);
        Assert.Equal(7, k);
        Assert.False(ClaimKeys.TryParseChair("chair|garbage|1", out _, out _));
        Assert.Equal("day}", Keys.PrefixEnd("day|"));
    }
}
