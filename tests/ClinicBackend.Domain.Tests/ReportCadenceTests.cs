using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Reports;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Reports;
using NodaTime;
using NodaTime.Text;

namespace ClinicBackend.Domain.Tests;

/// <summary>Which patients the summary counts as lapsed: from open cadence flags and cadence watches, as the sweep judges them.</summary>
public sealed class ReportCadenceTests
{
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];

    private static LocalDate Date(string text) => LocalDatePattern.Iso.Parse(text).Value;

    private static Patient PatientWith(string id, string courseStart, int interval = 14) =>
        TestPatients.Ana() with { Id = id, Course = new TreatmentCourse(Date(courseStart), interval) };

    private static IReadOnlySet<string> Lapsed(Patient patient, string lastFulfilled, string day, int grace = 2) =>
        ReportService.LapsedPatients([], [new CadenceWatch(patient.Id, "s1", default, Date(lastFulfilled))],
            new Dictionary<string, Patient> { [patient.Id] = patient }, Date(day), grace, NewYork);

    [Theory]
    // the same edges as the sweep's cadence tests: induction 4 days, optimisation 7, maintenance its interval; 2 days' grace
    [InlineData("2026-11-23", 14, "2026-11-30", "2026-12-06", false)]
    [InlineData("2026-11-23", 14, "2026-11-30", "2026-12-07", true)]
    [InlineData("2026-10-26", 14, "2026-11-30", "2026-12-09", false)]
    [InlineData("2026-10-26", 14, "2026-11-30", "2026-12-10", true)]
    [InlineData("2026-09-01", 14, "2026-11-30", "2026-12-16", false)]
    [InlineData("2026-09-01", 14, "2026-11-30", "2026-12-17", true)]
    [InlineData("2026-09-01", 7, "2026-11-30", "2026-12-10", true)]
    public void A_watch_has_lapsed_from_the_day_the_sweep_would_flag_it(string courseStart, int interval, string last, string day, bool lapsed) =>
        Assert.Equal(lapsed, Lapsed(PatientWith("p1", courseStart, interval), last, day).Contains("p1"));

    [Theory]
    // maintenance every 14 days, last session 11-30, 2 days' grace: lapsed from 12-17 unpaused
    [InlineData("2026-12-05", "2026-12-09", "2026-12-17", false)] // five paused days push the lapse to 12-22
    [InlineData("2026-12-05", "2026-12-09", "2026-12-22", true)]
    [InlineData("2026-12-15", null, "2026-12-20", false)] // paused on the day: no lapse while it lasts
    public void Paused_days_do_not_count_and_a_paused_course_has_not_lapsed(string pauseFrom, string? pauseTo, string day, bool lapsed)
    {
        var patient = PatientWith("p1", "2026-09-01");
        patient = patient with { Course = patient.Course with { Pauses = [new CoursePause(Date(pauseFrom), pauseTo is null ? null : Date(pauseTo), "hospital stay")] } };
        Assert.Equal(lapsed, Lapsed(patient, "2026-11-30", day).Contains("p1"));
    }

    [Fact]
    public void An_open_cadence_flag_of_a_course_paused_on_the_day_is_no_lapse()
    {
        var patient = PatientWith("a", "2026-09-01");
        patient = patient with { Course = patient.Course with { Pauses = [new CoursePause(Date("2026-12-05"), null, "travel")] } };
        var flags = new[] { Flag.For(FlagKinds.OverdueCadence, "a|s1", FlagSeverity.Normal, "a", "s1", Instant.FromUtc(2026, 12, 3, 12, 0), "overdue") };
        var patients = new Dictionary<string, Patient> { ["a"] = patient };
        Assert.Equal(new[] { "a" }, ReportService.LapsedPatients(flags, [], patients, Date("2026-12-04"), 2, NewYork));
        Assert.Empty(ReportService.LapsedPatients(flags, [], patients, Date("2026-12-06"), 2, NewYork));
    }

    [Fact]
    public void A_watch_of_an_unknown_patient_counts_for_nobody() =>
        Assert.Empty(ReportService.LapsedPatients([], [new CadenceWatch("gone", "s1", default, Date("2026-01-01"))],
            new Dictionary<string, Patient>(), Date("2026-12-01"), 2, NewYork));

    [Fact]
    public void An_open_overdue_cadence_flag_raised_by_the_day_is_a_lapse()
    {
        var raised = Instant.FromUtc(2026, 12, 8, 4, 30); // 23:30 on the 7th in New York
        var flags = new[]
        {
            Flag.For(FlagKinds.OverdueCadence, "a|s1", FlagSeverity.Normal, "a", "s1", raised, "overdue"),
            Flag.For(FlagKinds.OverdueCadence, "b|s2", FlagSeverity.Normal, "b", "s2", raised + Duration.FromHours(1), "overdue"), // the 8th
            Flag.For(FlagKinds.MissedSession, "s3", FlagSeverity.Normal, "c", "s3", raised, "missed"),
            Flag.For(FlagKinds.OverdueCadence, "d|s4", FlagSeverity.Normal, "d", "s4", raised, "overdue") with { Status = FlagStatus.Resolved },
        };
        var lapsed = ReportService.LapsedPatients(flags, [], new Dictionary<string, Patient>(), Date("2026-12-07"), 2, NewYork);
        Assert.Equal(new[] { "a" }, lapsed);
    }

    [Theory]
    [InlineData("2026-12-13", "2026-12-11", "2026-12-11")] // the range reaches past today: judged today
    [InlineData("2026-12-10", "2026-12-11", "2026-12-10")] // a past range: judged on its last day
    public void Cadence_is_judged_on_the_last_day_or_today_whichever_is_first(string to, string today, string day) =>
        Assert.Equal(Date(day), ReportService.CadenceDay(new ReportRange(Date("2026-11-30"), Date(to)), Date(today)));
}
