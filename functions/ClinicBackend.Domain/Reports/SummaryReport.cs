using ClinicBackend.Domain.Patients;
using NodaTime;

namespace ClinicBackend.Domain.Reports;

/// <summary>Sessions of the range by status.</summary>
public sealed record SessionCounts(int Booked, int Arrived, int Fulfilled, int Cancelled, int Noshow);

/// <summary>A share: <see cref="Count"/> of <see cref="Of"/>, 0 when there is nothing to count.</summary>
public sealed record Share(int Count, int Of)
{
    public double Value => Of == 0 ? 0 : (double)Count / Of;
}

/// <summary>The REMS monitoring forms of the range's fulfilled sessions.</summary>
public sealed record RemsFormCounts(int Due, int FiledInTime, int FiledLate, int Open);

public sealed record PhaseCounts(int Induction, int Optimization, int Maintenance);

/// <summary>Patients in treatment, whether their cadence has lapsed, and their phase on the range's last day.</summary>
public sealed record CadenceCounts(int Patients, int OnTrack, int Lapsed, PhaseCounts ByPhase);

public sealed record SmsCounts(int Sent, int Delivered, int Undelivered, int OptOuts, int Replies);

/// <summary>One Monday-to-Sunday week; only its days inside the range are counted.</summary>
public sealed record WeekCounts(LocalDate WeekStart, int Fulfilled, int Noshow, int Cancelled);

/// <summary>The clinic's summary of a range of days.</summary>
public sealed record SummaryReport(
    ReportRange Range,
    SessionCounts Sessions,
    Share NoShows,
    Share Confirmations,
    RemsFormCounts RemsForms,
    CadenceCounts Cadence,
    SmsCounts Sms,
    IReadOnlyList<WeekCounts> Weeks,
    ChairUse Chairs)
{
    /// <summary>Visits of the range that were not ready the day before, by cause.</summary>
    public ReadinessCounts Readiness { get; init; } = ReadinessCounts.None;

    /// <summary>Patients with a PHQ-9 in the range, and how their courses stand.</summary>
    public Assessments.AssessmentCounts Assessments { get; init; } = Domain.Assessments.AssessmentCounts.None;
}

/// <summary>
/// Visits found not ready by the last sweep of the day before them, and how many had each cause (a visit may have two:
/// its authorization and its drug).
/// </summary>
public sealed record ReadinessCounts(int NotReady, int AuthorizationMissing, int AuthorizationExhausted, int AuthorizationExpired, int DrugNotReceived, int DrugShort)
{
    public static readonly ReadinessCounts None = new(0, 0, 0, 0, 0, 0);

    /// <summary>Counts the causes of each visit (<c>authorization-missing</c>, <c>drug-short</c>, ...).</summary>
    public static ReadinessCounts Of(IEnumerable<IReadOnlyList<string>> visits)
    {
        var list = visits.ToList();
        int Count(string cause) => list.Count(v => v.Contains(cause));
        return new(list.Count, Count("authorization-missing"), Count("authorization-exhausted"), Count("authorization-expired"),
            Count("drug-not-received"), Count("drug-short"));
    }
}

/// <summary>What a summary is computed from, already read.</summary>
/// <param name="Days">The session figures of each clinic-local day of the range (days outside it are ignored).</param>
/// <param name="Patients">The clinic's patients.</param>
/// <param name="LapsedPatientIds">Patients whose treatment cadence has lapsed (decided from flags and cadence watches).</param>
/// <param name="Sms">The patients' texts dated in the range.</param>
/// <param name="AvailableChairMinutes">Opening hours times chairs over the range (<see cref="ChairUse.OpenChairMinutes"/>).</param>
public sealed record SummaryInput(
    ReportRange Range,
    DateTimeZone Zone,
    IReadOnlyList<SessionDay> Days,
    IReadOnlyList<Patient> Patients,
    IReadOnlySet<string> LapsedPatientIds,
    SmsCounts Sms,
    int AvailableChairMinutes);
