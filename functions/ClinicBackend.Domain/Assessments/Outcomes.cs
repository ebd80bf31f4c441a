using ClinicBackend.Domain.Patients;
using NodaTime;

namespace ClinicBackend.Domain.Assessments;

/// <summary>A course's PHQ-9s: its baseline (the first of the course), the latest, and what they say together.</summary>
public sealed record Phq9Course(Assessment? Baseline, Assessment? Latest)
{
    /// <summary>Response: the latest PHQ-9 at least 50% below the baseline.</summary>
    public const double ResponseFall = 0.5;
    /// <summary>Remission: the latest PHQ-9 under 5.</summary>
    public const int RemissionBelow = 5;

    public int? Change => Baseline is not null && Latest is not null ? Latest.Total - Baseline.Total : null;

    /// <summary>A later PHQ-9 fell by at least half of a baseline above 0.</summary>
    public bool Response => Baseline is { Total: > 0 } b && Latest is { } l && l.Id != b.Id && l.Total <= b.Total * (1 - ResponseFall);

    public bool Remission => Latest is { Total: < RemissionBelow };

    /// <summary>The PHQ-9s of <paramref name="assessments"/> (any order) taken from the course's start on.</summary>
    public static Phq9Course Of(TreatmentCourse course, DateTimeZone zone, IEnumerable<Assessment> assessments)
    {
        var ofCourse = OfCourse(course, zone, assessments, Instrument.Phq9);
        return new Phq9Course(ofCourse.FirstOrDefault(), ofCourse.LastOrDefault());
    }

    /// <summary>The ratings on <paramref name="instrument"/> taken from the course's start on (in the clinic's zone), oldest first.</summary>
    public static List<Assessment> OfCourse(TreatmentCourse course, DateTimeZone zone, IEnumerable<Assessment> assessments, Instrument instrument) =>
        assessments.Where(a => a.Instrument == instrument && a.At.InZone(zone).Date >= course.StartDate).OrderBy(a => a.At).ToList();

    /// <summary>One sentence for the induction-review flag.</summary>
    public string Summary()
    {
        if (Baseline is null || Latest is null)
        {
            return "No PHQ-9 was recorded in this course.";
        }
        if (Latest.Id == Baseline.Id)
        {
            return $"PHQ-9: baseline {Baseline.Total} ({Baseline.Severity}); no later PHQ-9 yet.";
        }
        var fall = Baseline.Total > 0 ? $" ({Math.Round(100.0 * -Change!.Value / Baseline.Total):0}% {(Change <= 0 ? "lower" : "higher")})" : "";
        return $"PHQ-9: baseline {Baseline.Total} ({Baseline.Severity}), latest {Latest.Total} ({Latest.Severity}), change {Change:+0;-0;0}{fall}"
            + (Response ? ": response (at least 50% below baseline)" : ": no response yet (less than 50% below baseline)")
            + (Remission ? ", remission (under 5)." : ".");
    }
}

/// <summary>A course's MADRS ratings (clinician-rated) for the induction review: its first and latest, when there are any.</summary>
public static class MadrsCourse
{
    /// <summary>One sentence, or nothing when staff rated no MADRS in the course.</summary>
    public static string Summary(TreatmentCourse course, DateTimeZone zone, IEnumerable<Assessment> assessments) =>
        Phq9Course.OfCourse(course, zone, assessments, Instrument.Madrs) switch
        {
            [] => "",
            [var only] => $"MADRS: {only.Total} ({only.Severity}); no later MADRS yet.",
            [var first, .., var latest] => $"MADRS: first {first.Total} ({first.Severity}), latest {latest.Total} ({latest.Severity}), change {latest.Total - first.Total:+0;-0;0}.",
        };
}

/// <summary>
/// The report's assessments block: the patients with a PHQ-9 of their course taken in the range; of those, how many have a
/// baseline, and, judged on their latest PHQ-9 up to the range's end, how many responded (at least 50% below baseline) and
/// how many are in remission (under 5).
/// </summary>
public sealed record AssessmentCounts(int Patients, int WithBaseline, int Response, int Remission)
{
    public static readonly AssessmentCounts None = new(0, 0, 0, 0);

    public static AssessmentCounts Of(IEnumerable<Patient> patients, IReadOnlyList<Assessment> assessments, DateTimeZone zone, LocalDate from, LocalDate to)
    {
        var byPatient = assessments.Where(a => a.At.InZone(zone).Date <= to).ToLookup(a => a.PatientId, StringComparer.Ordinal);
        var (count, baseline, response, remission) = (0, 0, 0, 0);
        foreach (var patient in patients)
        {
            var course = Phq9Course.Of(patient.Course, zone, byPatient[patient.Id]);
            if (course.Latest is null || course.Latest.At.InZone(zone).Date < from)
            {
                continue;
            }
            count++;
            baseline += course.Baseline is null ? 0 : 1;
            response += course.Response ? 1 : 0;
            remission += course.Remission ? 1 : 0;
        }
        return new AssessmentCounts(count, baseline, response, remission);
    }
}
