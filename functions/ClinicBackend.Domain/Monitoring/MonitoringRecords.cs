using System.Text.Json.Serialization;
using NodaTime;

namespace ClinicBackend.Domain.Monitoring;

/// <summary>Other medicines the REMS monitoring form asks about.</summary>
public enum Concomitant
{
    Benzodiazepine,
    SedativeHypnotic,
    Psychostimulant,
    Maoi,
    Opioid,
    Other,
}

/// <summary>Side effects a nurse may note with an observation.</summary>
public enum SideEffect
{
    Nausea,
    Vomiting,
    Dizziness,
    Vertigo,
    Headache,
    Anxiety,
    TasteChange,
    Other,
}

/// <summary>Devices taken from one lot.</summary>
public sealed record DeviceUse(string Lot, int Count);

/// <summary>The clinician who monitored the patient, as the form names them.</summary>
public sealed record Clinician(string Name, string? Phone, string? Email);

public sealed record PreDoseVitals(BloodPressure BloodPressure, int Spo2);

/// <summary>
/// The dose: when the first device was used (the monitoring clock starts here), how much from which lots, the
/// pre-dose vitals, other medicines (null when nobody recorded them; empty for none) and the monitoring clinician.
/// </summary>
public sealed record DoseRecord(
    Instant At,
    int DoseMg,
    string? DoseReason,
    IReadOnlyList<DeviceUse> Devices,
    PreDoseVitals PreDose,
    IReadOnlyList<Concomitant>? Concomitant,
    Clinician MonitoringClinician)
{
    /// <summary>Each nasal spray device holds 28 mg.</summary>
    public const int DeviceMg = 28;

    /// <summary>The label's doses; any other needs a reason.</summary>
    public static readonly int[] LabelDosesMg = [56, 84];

    /// <summary>The most a dose may be: six devices.</summary>
    public const int MaxDoseMg = 6 * DeviceMg;

    public const int MaxLots = 6;

    [JsonIgnore]
    public int DeviceCount => Devices.Sum(d => d.Count);

    [JsonIgnore]
    public bool IsLabelDose => LabelDosesMg.Contains(DoseMg);
}

/// <summary>One observation during monitoring, as a nurse takes it.</summary>
/// <param name="Number">The session's observations numbered in the order they were recorded, from 1.</param>
/// <param name="Alert">A reading past the clinic's thresholds (an urgent vital-signs flag was raised for it).</param>
/// <param name="By">Who recorded it.</param>
public sealed record Observation(
    int Number,
    Instant At,
    int MinutesAfterDose,
    BloodPressure? BloodPressure,
    int? Spo2,
    bool Sedation,
    bool Dissociation,
    bool RespiratoryDepression,
    IReadOnlyList<SideEffect> SideEffects,
    string? Note,
    bool Alert,
    string By)
{
    /// <summary>Sedation, dissociation or respiratory depression: the patient may not leave yet.</summary>
    [JsonIgnore]
    public bool ShowsEffects => Sedation || Dissociation || RespiratoryDepression;
}

public sealed record AdverseEvent(string Description, bool Serious);

public sealed record VitalsAcceptable(bool BeforeDose, bool AfterMonitoring);

/// <summary>The end of monitoring: when the patient was ready to leave, the discharge reading and what the form asks besides.</summary>
public sealed record Discharge(
    Instant ReadyToLeaveAt,
    BloodPressure BloodPressure,
    VitalsAcceptable VitalsAcceptable,
    IReadOnlyList<AdverseEvent> AdverseEvents,
    string? Notes)
{
    public const int MaxAdverseEvents = 10;
}

/// <summary>
/// What completing a session recorded before the dose and observations were kept (sessions completed before
/// December 2026): the dose, three readings and minutes as entered. Read only.
/// </summary>
public sealed record LegacyMonitoring(
    int DoseMg,
    BloodPressure PreDose,
    BloodPressure PostDose40Min,
    BloodPressure Discharge,
    int MonitoringMinutes,
    string? Notes);

/// <summary>What a prescriber should look at in a session's blood pressure; the session is completed all the same.</summary>
public static class BloodPressureReview
{
    /// <summary>A pre-dose reading above 140/90 (the label's caution), or a discharge reading above the pre-dose one; null when neither.</summary>
    public static string? Concern(BloodPressure preDose, BloodPressure discharge)
    {
        var concerns = new List<string>();
        if (preDose.IsElevated)
        {
            concerns.Add($"the pre-dose reading {preDose} is above 140/90");
        }
        if (discharge.IsAbove(preDose))
        {
            concerns.Add($"the discharge reading {discharge} is above the pre-dose reading {preDose}");
        }
        return concerns.Count == 0 ? null : string.Join("; ", concerns);
    }
}
