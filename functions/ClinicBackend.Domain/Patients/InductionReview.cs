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
    public static string Cause(string patientId, TreatmentCourse course) => Cause(patientId, course.StartDate);

    /// <summary>The cause of the review of the patient's course that starts on <paramref name="start"/>.</summary>
    public static string Cause(string patientId, LocalDate start) => $"{patientId}|{ClinicTime.FormatDate(start)}";

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

    /// <summary>The review's detail: what ended, the sessions fulfilled, then <paramref name="ratings"/>.</summary>
    /// <param name="ratings">The course's ratings in sentences (<c>Phq9Course.Summary</c>, then <c>MadrsCourse.Summary</c>).</param>
    public static string Detail(TreatmentCourse course, int fulfilled, string ratings) => (course.Indication == Indication.Mdsi
        ? $"The 4-week MDSI course that started {ClinicTime.FormatDate(course.StartDate)} has ended ({Fulfilled(fulfilled)}). "
          + "Use beyond 4 weeks has not been studied: the prescriber evaluates the benefit before any further treatment; no lapse of cadence is flagged after it."
        : $"Induction of the course that started {ClinicTime.FormatDate(course.StartDate)} is over ({Fulfilled(fulfilled)}): the prescriber evaluates the benefit before going on.")
        + " " + ratings;

    private static string Fulfilled(int count) => $"{count} session{(count == 1 ? "" : "s")} fulfilled";
}
