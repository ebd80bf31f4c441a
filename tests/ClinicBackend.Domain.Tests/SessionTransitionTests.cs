using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

/// <summary>The session's own transitions: which status may move to which, and what each one records.</summary>
public sealed class SessionTransitionTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 12, 2, 14, 0);
    private static readonly MonitoringRecord Monitoring = new(84, new(128, 82), new(134, 86), new(126, 80), 125, null);

    private static Session Booked() => new()
    {
        Id = "s1",
        ClinicId = "riverside",
        PatientId = "p1",
        Start = new LocalDateTime(2026, 12, 2, 9, 0),
        StartUtc = Now,
        End = new LocalDateTime(2026, 12, 2, 11, 0),
        EndUtc = Now + Duration.FromHours(2),
    };

    public static TheoryData<SessionStatus, string, string?> Transitions => new()
    {
        { SessionStatus.Booked, "cancel", null },
        { SessionStatus.Arrived, "cancel", null },
        { SessionStatus.Fulfilled, "cancel", "invalid-transition" },
        { SessionStatus.Noshow, "cancel", "invalid-transition" },
        { SessionStatus.Booked, "check-in", null },
        { SessionStatus.Arrived, "check-in", "invalid-transition" },
        { SessionStatus.Cancelled, "check-in", "invalid-transition" },
        { SessionStatus.Arrived, "complete", null },
        { SessionStatus.Booked, "complete", "invalid-transition" },
        { SessionStatus.Booked, "move", null },
        { SessionStatus.Arrived, "move", "invalid-transition" },
        { SessionStatus.Fulfilled, "file-form", null },
        { SessionStatus.Booked, "file-form", "invalid-transition" },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public void Each_change_is_allowed_only_from_its_statuses(SessionStatus from, string change, string? refusal)
    {
        var session = Booked() with { Status = from, CheckedInAt = Now - Duration.FromHours(3) };
        var zone = DateTimeZoneProviders.Tzdb["America/New_York"];
        Result<Session> result = change switch
        {
            "cancel" => session.Cancel("ill", Now, "staff"),
            "check-in" => session.CheckIn(Now, session.Date, "staff"),
            "complete" => session.Complete(Monitoring, Now, "staff"),
            "move" => session.MoveTo(session.Start.PlusDays(1).InZoneLeniently(zone), session.End.PlusDays(1).InZoneLeniently(zone), ["chair|x|00"], Now, "staff"),
            "file-form" => session.FileRemsForm(Now, Now, "staff"),
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        Assert.Equal(refusal, result.Problem?.Code);
        if (result.IsSuccess)
        {
            Assert.Equal(session.Version + 1, result.Value.Version);
            Assert.Equal("staff", result.Value.History[^1].By);
        }
    }

    [Fact]
    public void Moving_asks_for_a_new_confirmation_and_makes_reminders_stale()
    {
        var zone = DateTimeZoneProviders.Tzdb["America/New_York"];
        var confirmed = Booked().Confirm(Now, "patient:p1");
        var moved = confirmed.MoveTo(new LocalDateTime(2026, 12, 3, 10, 0).InZoneLeniently(zone), new LocalDateTime(2026, 12, 3, 12, 0).InZoneLeniently(zone), [], Now, "staff").Value;
        Assert.Equal(Confirmation.NeedsAction, moved.Confirmation);
        Assert.Equal(2, moved.ScheduleVersion);
        Assert.Equal("2026-12-02T09:00 -> 2026-12-03T10:00", moved.History[^1].Detail);
    }

    [Fact]
    public void Confirming_again_changes_nothing()
    {
        var once = Booked().Confirm(Now, "patient:p1");
        var twice = once.Confirm(Now + Duration.FromMinutes(5), "patient:p1");
        Assert.Same(once, twice);
        Assert.Equal(2, twice.Version);
    }

    [Fact]
    public void The_history_keeps_the_newest_changes_only()
    {
        var session = Booked();
        for (var i = 0; i < 3 * Session.MaxHistory; i++)
        {
            session = (session with { Confirmation = Confirmation.NeedsAction }).Confirm(Now + Duration.FromMinutes(i), "patient:p1");
        }
        Assert.Equal(Session.MaxHistory, session.History.Count);
        Assert.Equal(Now + Duration.FromMinutes(3 * Session.MaxHistory - 1), session.History[^1].At);
    }

    [Fact]
    public void Completing_waits_for_two_hours_of_monitoring_after_check_in()
    {
        var arrived = Booked().CheckIn(Now, Booked().Date, "staff").Value;
        Assert.Equal("monitoring-not-over", arrived.Complete(Monitoring, Now + Duration.FromMinutes(119), "staff").Problem?.Code);
        Assert.True(arrived.Complete(Monitoring, Now + Duration.FromMinutes(120), "staff").IsSuccess);
        Assert.Equal("not-today", Booked().CheckIn(Now, Booked().Date.PlusDays(1), "staff").Problem?.Code);
    }

    [Theory]
    [InlineData("128/82", "126/80", null)]
    [InlineData("142/88", "130/80", "pre-dose")]
    [InlineData("138/92", "130/80", "pre-dose")]
    [InlineData("128/82", "131/80", "discharge")]
    [InlineData("128/82", "120/85", "discharge")]
    public void Blood_pressure_worth_a_prescribers_look(string preDose, string discharge, string? concern)
    {
        static BloodPressure Read(string text) => new(int.Parse(text.Split('/')[0]), int.Parse(text.Split('/')[1]));
        var record = Monitoring with { PreDose = Read(preDose), Discharge = Read(discharge) };
        var found = record.BloodPressureConcern();
        if (concern is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(concern, found);
        }
    }
}
