using ClinicBackend.Domain.Assessments;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Domain.Patients;

/// <summary>
/// The end of an induction course, when the label asks the prescriber to evaluate the benefit before going on: the
/// 8th fulfilled session of the course, or the end of its 4 weeks. For an MDSI course this is the end of the course.
/// </summary>
public static class InductionReview
{
    /// <summary>Twice a week for 4 weeks.</summary>
    public const int Sessions = 8;

    /// <summary>One review per patient and course start: the raise-once cause of its flag.</summary>
    public static string Cause(string patientId, TreatmentCourse course) => $"{patientId}|{ClinicTime.FormatDate(course.StartDate)}";

    /// <summary>Whether the course's induction is over after <paramref name="fulfilled"/> sessions since its start, on <paramref name="day"/>.</summary>
    public static bool IsDue(TreatmentCourse course, int fulfilled, LocalDate day) =>
        fulfilled >= Sessions || IsOverOn(course, day);

    /// <summary>
    /// A course that goes on after induction (TRD): its 8th fulfilled session, or its first fulfilled session past week 4 after one within
    /// weeks 1-4 (<paramref name="previousFulfilled"/>), whichever comes first. A course already past induction raises nothing.
    /// </summary>
    public static bool IsDueAfterSession(TreatmentCourse course, int fulfilled, LocalDate day, LocalDate? previousFulfilled) =>
        fulfilled == Sessions
        || IsOverOn(course, day) && previousFulfilled is { } previous && !IsOverOn(course, previous);

    /// <summary>
    /// The first day after week 4 of a course never paused. The sweep looks from then on whether the induction is over
    /// (<see cref="IsOverOn"/>): pauses only make that later.
    /// </summary>
    public static LocalDate EarliestEnd(TreatmentCourse course) => course.StartDate.PlusDays(TreatmentCourse.InductionDays);

    /// <summary>Whether the course has had its 4 weeks (paused days left out) by <paramref name="day"/>.</summary>
    public static bool IsOverOn(TreatmentCourse course, LocalDate day) => course.CourseDays(day) >= TreatmentCourse.InductionDays;

    /// <summary>
    /// The flag for the prescriber, raised once per course, under the latest fulfilled session when there is one: the sessions
    /// fulfilled, the course's PHQ-9s (baseline, latest, change, response) and its MADRS ratings when there are any.
    /// </summary>
    /// <param name="assessments">The patient's ratings (any order); those of the course count, by the clinic's <paramref name="zone"/>.</param>
    public static Flag FlagFor(string patientId, TreatmentCourse course, int fulfilled, string? lastSessionId, Instant now, DateTimeZone zone,
        IEnumerable<Assessment> assessments)
    {
        var rated = assessments.ToList();
        var detail = Detail(course, fulfilled, Phq9Course.Of(course, zone, rated).Summary()) + Madrs(Phq9Course.OfCourse(course, zone, rated, Instrument.Madrs));
        return Flag.For(FlagKinds.InductionReview, Cause(patientId, course), FlagSeverity.Normal, patientId, lastSessionId, now, detail);
    }

    /// <summary>The course's first and latest MADRS (clinician-rated), when there is one.</summary>
    private static string Madrs(List<Assessment> madrs) => madrs switch
    {
        [] => "",
        [var only] => $" MADRS: {only.Total} ({only.Severity}); no later MADRS yet.",
        [var first, .., var latest] => $" MADRS: first {first.Total} ({first.Severity}), latest {latest.Total} ({latest.Severity}), change {latest.Total - first.Total:+0;-0;0}.",
    };

    /// <param name="phq9">The course's baseline and latest PHQ-9, as one sentence (<c>Phq9Course.Summary</c>).</param>
    private static string Detail(TreatmentCourse course, int fulfilled, string phq9) => (course.Indication == Indication.Mdsi
        ? $"The 4-week MDSI course that started {ClinicTime.FormatDate(course.StartDate)} has ended ({Fulfilled(fulfilled)}). "
          + "Use beyond 4 weeks has not been studied: the prescriber evaluates the benefit before any further treatment; no lapse of cadence is flagged after it."
        : $"Induction of the course that started {ClinicTime.FormatDate(course.StartDate)} is over ({Fulfilled(fulfilled)}): the prescriber evaluates the benefit before going on.")
        + " " + phq9;

    private static string Fulfilled(int count) => $"{count} session{(count == 1 ? "" : "s")} fulfilled";
}
