using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Monitoring;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

/// <summary>The session's own transitions: which status may move to which, and what each one records.</summary>
public sealed class SessionTransitionTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 12, 2, 14, 0);
    private static readonly DoseRecord Dose = new(Now, 84, null, [new DeviceUse("ABC1234", 3)], new PreDoseVitals(new(128, 82), 98), [], new Clinician("Nurse Kim", null, null));
    private static readonly Discharge Discharge = new(Now + Duration.FromMinutes(125), new(126, 80), new VitalsAcceptable(true, true), [], null);

    private static Observation Reading(Instant at, bool dissociation = false, BloodPressure? bloodPressure = null, int? spo2 = null) =>
        new(0, at, 0, bloodPressure, spo2, false, dissociation, false, [], null, false, "nurse");

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
        { SessionStatus.Arrived, "dose", null },
        { SessionStatus.Booked, "dose", "not-arrived" },
        { SessionStatus.Fulfilled, "dose", "invalid-transition" },
        { SessionStatus.Arrived, "observe", null },
        { SessionStatus.Fulfilled, "observe", "invalid-transition" },
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
        var dosed = session with { Dose = Dose, Observations = [Reading(Now + Duration.FromMinutes(30)) with { Number = 1 }] };
        var zone = DateTimeZoneProviders.Tzdb["America/New_York"];
        Result<Session> result = change switch
        {
            "cancel" => session.Cancel("ill", Now, "staff"),
            "check-in" => session.CheckIn(Now, session.Date, "staff"),
            "complete" => dosed.Complete(Discharge, Now + Duration.FromHours(3), "staff"),
            "dose" => session.RecordDose(Dose, session.Date, patientEnrolled: true, Now, "staff"),
            "observe" => dosed.Observe(Reading(Now + Duration.FromMinutes(40)), MonitoringSettings.Default, Now + Duration.FromHours(1), "staff"),
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
    public void Completing_waits_two_hours_after_the_dose_not_after_check_in()
    {
        var arrived = Booked().CheckIn(Now, Booked().Date, "staff").Value;
        var lateDose = Dose with { At = Now + Duration.FromMinutes(101) };
        var dosed = arrived.RecordDose(lateDose, arrived.Date, patientEnrolled: true, lateDose.At, "nurse").Value
            .Observe(Reading(lateDose.At + Duration.FromMinutes(10)), MonitoringSettings.Default, lateDose.At + Duration.FromMinutes(10), "nurse").Value;
        Discharge ReadyAt(Instant at) => Discharge with { ReadyToLeaveAt = at };
        var checkIn200 = Now + Duration.FromMinutes(200);
        Assert.Equal("monitoring-not-over", dosed.Complete(ReadyAt(checkIn200), checkIn200, "staff").Problem?.Code);
        var dose119 = lateDose.At + Duration.FromMinutes(119);
        Assert.Equal("monitoring-not-over", dosed.Complete(ReadyAt(dose119), dose119, "staff").Problem?.Code);
        var dose120 = lateDose.At + Duration.FromMinutes(120);
        Assert.Equal("monitoring-not-over", dosed.Complete(ReadyAt(dose119), dose120, "staff").Problem?.Code);
        var done = dosed.Complete(ReadyAt(dose120), dose120, "staff").Value;
        Assert.Equal(120, done.MonitoringMinutes);
        Assert.Equal("implausible-discharge-time", dosed.Complete(ReadyAt(dose120 + Duration.FromMinutes(6)), dose120, "staff").Problem?.Code);
        Assert.Equal("not-today", Booked().CheckIn(Now, Booked().Date.PlusDays(1), "staff").Problem?.Code);
    }

    [Fact]
    public void The_latest_observation_by_time_decides_whether_the_patient_may_leave()
    {
        var dosed = Booked().CheckIn(Now, Booked().Date, "staff").Value.RecordDose(Dose, Booked().Date, true, Now, "nurse").Value;
        var end = Now + Duration.FromMinutes(150);
        Assert.Equal("not-ready", dosed.Complete(Discharge, end, "staff").Problem?.Code); // nothing observed
        var dissociated = dosed.Observe(Reading(Now + Duration.FromMinutes(140), dissociation: true), MonitoringSettings.Default, end, "nurse").Value;
        Assert.Contains("dissociation", dissociated.Complete(Discharge, end, "staff").Problem?.Detail);
        var backdated = dissociated.Observe(Reading(Now + Duration.FromMinutes(100)), MonitoringSettings.Default, end, "nurse").Value;
        Assert.Equal([1, 2], backdated.Observations.Select(o => o.Number).Reverse());
        Assert.Equal("not-ready", backdated.Complete(Discharge, end, "staff").Problem?.Code);
        var resolved = backdated.Observe(Reading(Now + Duration.FromMinutes(145)), MonitoringSettings.Default, end, "nurse").Value;
        Assert.True(resolved.Complete(Discharge, end, "staff").IsSuccess);
    }

    [Fact]
    public void The_dose_needs_enrolment_its_day_and_a_time_not_ahead()
    {
        var arrived = Booked().CheckIn(Now, Booked().Date, "staff").Value;
        Assert.Equal("not-rems-enrolled", arrived.RecordDose(Dose, arrived.Date, patientEnrolled: false, Now, "nurse").Problem?.Code);
        Assert.Equal("implausible-dose-time", arrived.RecordDose(Dose, arrived.Date.PlusDays(1), true, Now, "nurse").Problem?.Code);
        Assert.Equal("implausible-dose-time", arrived.RecordDose(Dose with { At = Now + Duration.FromMinutes(6) }, arrived.Date, true, Now, "nurse").Problem?.Code);
        var dosed = arrived.RecordDose(Dose, arrived.Date, true, Now, "nurse").Value;
        Assert.Equal("already-dosed", dosed.RecordDose(Dose, arrived.Date, true, Now, "nurse").Problem?.Code);
        Assert.Equal("already-dosed", dosed.Cancel("changed", Now, "staff").Problem?.Code);
        Assert.Equal("implausible-observation-time", dosed.Observe(Reading(Now - Duration.FromMinutes(1)), MonitoringSettings.Default, Now, "nurse").Problem?.Code);
    }

    [Theory]
    [InlineData("180/110", 92, false)]
    [InlineData("181/100", 95, true)]
    [InlineData("170/111", 95, true)]
    [InlineData("120/80", 91, true)]
    [InlineData(null, null, false)]
    public void An_observation_past_the_clinics_thresholds_is_an_alert(string? bloodPressure, int? spo2, bool alert)
    {
        var dosed = Booked().CheckIn(Now, Booked().Date, "staff").Value.RecordDose(Dose, Booked().Date, true, Now, "nurse").Value;
        BloodPressure? reading = bloodPressure is null ? null : BloodPressure.TryParse(bloodPressure, out var parsed) ? parsed : throw new ArgumentException(bloodPressure);
        var observed = dosed.Observe(Reading(Now + Duration.FromMinutes(40), bloodPressure: reading, spo2: spo2), MonitoringSettings.Default, Now + Duration.FromHours(1), "nurse").Value;
        Assert.Equal(alert, observed.Observations.Single().Alert);
        Assert.Equal(40, observed.Observations.Single().MinutesAfterDose);
    }

    [Fact]
    public void A_session_keeps_a_bounded_number_of_observations()
    {
        var session = Booked().CheckIn(Now, Booked().Date, "staff").Value.RecordDose(Dose, Booked().Date, true, Now, "nurse").Value;
        for (var i = 0; i < Session.MaxObservations; i++)
        {
            session = session.Observe(Reading(Now + Duration.FromMinutes(i)), MonitoringSettings.Default, Now + Duration.FromHours(3), "nurse").Value;
        }
        Assert.Equal("too-many-observations", session.Observe(Reading(Now), MonitoringSettings.Default, Now + Duration.FromHours(3), "nurse").Problem?.Code);
    }

    [Theory]
    [InlineData("128/82", "126/80", null)]
    [InlineData("142/88", "130/80", "pre-dose")]
    [InlineData("138/92", "130/80", "pre-dose")]
    [InlineData("128/82", "131/80", "discharge")]
    [InlineData("128/82", "120/85", "discharge")]
    public void Blood_pressure_worth_a_prescribers_look(string preDose, string discharge, string? concern)
    {
        static BloodPressure Read(string text) => BloodPressure.TryParse(text, out var reading) ? reading : throw new ArgumentException(text);
        var found = BloodPressureReview.Concern(Read(preDose), Read(discharge));
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
