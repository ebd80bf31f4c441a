using ClinicBackend.Application.Sweep;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

public sealed class TreatmentCourseTests
{
    private static readonly TreatmentCourse Course = new(new LocalDate(2026, 12, 1), 14);

    [Theory]
    [InlineData("2026-11-20", TreatmentPhase.Induction)] // before the start: the course has not begun; induction is next
    [InlineData("2026-12-01", TreatmentPhase.Induction)] // day 1 of week 1
    [InlineData("2026-12-28", TreatmentPhase.Induction)] // day 28: last day of week 4
    [InlineData("2026-12-29", TreatmentPhase.Optimization)] // week 5
    [InlineData("2027-01-25", TreatmentPhase.Optimization)] // last day of week 8
    [InlineData("2027-01-26", TreatmentPhase.Maintenance)] // week 9
    [InlineData("2028-06-01", TreatmentPhase.Maintenance)]
    public void The_phase_follows_the_weeks_since_the_start(string date, TreatmentPhase phase) =>
        Assert.Equal(phase, Course.PhaseOn(LocalDate.FromDateTime(DateTime.Parse(date, System.Globalization.CultureInfo.InvariantCulture))));

    [Theory]
    [InlineData(TreatmentPhase.Induction, 14, 4)]
    [InlineData(TreatmentPhase.Optimization, 14, 7)]
    [InlineData(TreatmentPhase.Maintenance, 14, 14)]
    [InlineData(TreatmentPhase.Maintenance, 7, 7)]
    public void Each_phase_allows_its_own_gap(TreatmentPhase phase, int interval, int days) =>
        Assert.Equal(days, new TreatmentCourse(new LocalDate(2026, 1, 1), interval).AllowedGapDays(phase));

    [Theory]
    [InlineData("2026-12-03", "2026-12-08")] // induction: 4 days allowed, flaggable from day 5
    [InlineData("2026-12-28", "2027-01-05")] // last induction day: the next phase (weekly) governs
    [InlineData("2027-01-05", "2027-01-13")] // optimisation: 7 days
    [InlineData("2027-02-01", "2027-02-16")] // maintenance every 14 days
    public void A_cadence_watch_falls_due_the_day_after_the_allowed_gap(string last, string due) =>
        Assert.Equal(Parse(due), Watches.CadenceDue(Course, Parse(last)));

    private static LocalDate Parse(string text) => NodaTime.Text.LocalDatePattern.Iso.Parse(text).Value;

    [Fact]
    public void Paused_days_do_not_count_towards_the_weeks_and_an_override_wins()
    {
        var paused = Course with { Pauses = [new CoursePause(Parse("2026-12-10"), Parse("2026-12-16"), "Hospital stay")] };
        Assert.Equal(TreatmentPhase.Induction, paused.PhaseOn(Parse("2027-01-04"))); // day 35, but 7 of them paused: day 28
        Assert.Equal(TreatmentPhase.Optimization, paused.PhaseOn(Parse("2027-01-05")));
        Assert.Equal(7, paused.PausedDays(Parse("2026-12-01"), Parse("2027-01-01")));
        Assert.Equal(3, paused.PausedDays(Parse("2026-12-14"), Parse("2027-01-01")));
        Assert.Equal(0, paused.PausedDays(Parse("2026-12-17"), Parse("2027-01-01")));
        Assert.True(paused.IsPausedOn(Parse("2026-12-16")));
        Assert.False(paused.IsPausedOn(Parse("2026-12-17")));

        var open = Course with { Pauses = [new CoursePause(Parse("2026-12-10"), null, "Travelling")] };
        Assert.True(open.IsPausedOn(Parse("2028-01-01")));
        Assert.Equal(TreatmentPhase.Induction, open.PhaseOn(Parse("2028-01-01")));
        Assert.Equal(TreatmentPhase.Maintenance, (open with { PhaseOverride = TreatmentPhase.Maintenance }).PhaseOn(Parse("2026-12-02")));
    }

    [Fact]
    public void A_course_plan_takes_the_first_dates_on_its_weekdays()
    {
        var starts = CoursePlan.Starts(Parse("2026-12-03"), new HashSet<IsoDayOfWeek> { IsoDayOfWeek.Monday, IsoDayOfWeek.Thursday }, new LocalTime(10, 0), 4);
        Assert.Equal([Parse("2026-12-03"), Parse("2026-12-07"), Parse("2026-12-10"), Parse("2026-12-14")], starts.Select(s => s.Date));
        Assert.All(starts, s => Assert.Equal(new LocalTime(10, 0), s.TimeOfDay));
        var wanted = new LocalDateTime(2026, 12, 10, 10, 0);
        var free = new[] { wanted.PlusHours(-2), wanted.PlusHours(2), wanted.PlusMinutes(15), wanted.PlusDays(1), wanted.PlusDays(2), wanted };
        Assert.Equal([wanted.PlusMinutes(15), wanted.PlusHours(-2), wanted.PlusHours(2)], CoursePlan.Nearest(wanted, free));
        Assert.Equal([wanted.PlusDays(1)], CoursePlan.Nearest(wanted, [wanted.PlusDays(1), wanted.PlusDays(2)]));
    }
}
