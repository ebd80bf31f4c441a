using NodaTime;

namespace ClinicBackend.Domain.Assessments;

/// <summary>The rating scales the clinic records.</summary>
public enum Instrument
{
    /// <summary>Patient Health Questionnaire: 9 items, each 0-3 (total 0-27), answered by the patient.</summary>
    Phq9,
    /// <summary>Montgomery-Asberg Depression Rating Scale: 10 items, each 0-6 (total 0-60), rated by a clinician.</summary>
    Madrs,
}

/// <summary>Who gave the answers: the patient through a one-time link, or staff.</summary>
public enum AssessmentSource
{
    PatientLink,
    Staff,
}

/// <summary>How many items a scale has, their range, and the severity band of a total.</summary>
public static class Scales
{
    public static int Items(Instrument instrument) => instrument == Instrument.Phq9 ? 9 : 10;

    public static int MaxItem(Instrument instrument) => instrument == Instrument.Phq9 ? 3 : 6;

    public static int MaxTotal(Instrument instrument) => Items(instrument) * MaxItem(instrument);

    /// <summary>The bands by their lowest total, in order: PHQ-9 (Kroenke 2001) and MADRS (the usual clinical cut-offs).</summary>
    public static IReadOnlyList<(int From, string Band)> Bands(Instrument instrument) => instrument == Instrument.Phq9
        ? [(0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately-severe"), (20, "severe")]
        : [(0, "normal"), (7, "mild"), (20, "moderate"), (35, "severe")];

    public static string Severity(Instrument instrument, int total) => Bands(instrument).Last(b => total >= b.From).Band;

    /// <summary>Why the items are not a complete answer to the scale, or null when they are.</summary>
    public static string? Problem(Instrument instrument, IReadOnlyList<int> items)
    {
        var (count, max) = (Items(instrument), MaxItem(instrument));
        if (items.Count != count)
        {
            return $"items holds the {count} item scores in order (it has {items.Count}).";
        }
        for (var i = 0; i < count; i++)
        {
            if (items[i] < 0 || items[i] > max)
            {
                return $"Item {i + 1} is {items[i]}: each item is a whole number from 0 to {max}.";
            }
        }
        return null;
    }

    /// <summary>PHQ-9 item 9 asks about thoughts of being better off dead or of self-harm: any answer above 0 is urgent.</summary>
    public static bool AnswersSelfHarm(Instrument instrument, IReadOnlyList<int> items) => instrument == Instrument.Phq9 && items.Count == 9 && items[8] > 0;
}

/// <summary>
/// One completed rating. The total and the band are stored with the answers (the scale's rules could change;
/// what was shown then stays). <see cref="Baseline"/> marks the first PHQ-9 of the patient's course.
/// </summary>
public sealed record Assessment
{
    public required string Id { get; init; }
    public required string PatientId { get; init; }
    public required Instrument Instrument { get; init; }
    public required Instant At { get; init; }
    public required IReadOnlyList<int> Items { get; init; }
    public required int Total { get; init; }
    public required string Severity { get; init; }
    public required AssessmentSource Source { get; init; }
    /// <summary>PHQ-9's last question (0 not difficult at all .. 3 extremely difficult), when answered.</summary>
    public int? Difficulty { get; init; }
    /// <summary>The visit a patient's link was sent for.</summary>
    public string? SessionId { get; init; }
    /// <summary>Who entered a clinician rating.</summary>
    public string? EnteredBy { get; init; }
    public bool Baseline { get; init; }
    public Instant RecordedAt { get; init; }

    public static Assessment Rate(string id, string patientId, Instrument instrument, Instant at, IReadOnlyList<int> items, AssessmentSource source, bool baseline, Instant now) => new()
    {
        Id = id,
        PatientId = patientId,
        Instrument = instrument,
        At = at,
        Items = items,
        Total = items.Sum(),
        Severity = Scales.Severity(instrument, items.Sum()),
        Source = source,
        Baseline = baseline,
        RecordedAt = now,
    };
}
