using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Monitoring;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Domain.Forms;

/// <summary>A field the form asks that the clinic's records do not hold yet: what staff complete before filing.</summary>
public sealed record MissingField(string Field, string Label);

public sealed record FormReadings(BloodPressure? PreDose, BloodPressure? AfterDose, int? AfterDoseMinutes, BloodPressure? Discharge);

/// <summary>Sedation, dissociation and respiratory depression seen at any observation; null when nobody observed.</summary>
public sealed record FormEffects(bool? Sedation, bool? Dissociation, bool? RespiratoryDepression);

/// <summary>
/// The REMS Patient Monitoring Form of one session, as far as the session, the patient and the clinic hold it:
/// every field the form asks, and the ones still missing.
/// </summary>
public sealed record MonitoringForm(
    Clinic Clinic,
    Patient Patient,
    Session Session,
    bool FirstTreatment,
    int? DoseMg,
    string? DoseReason,
    IReadOnlyList<DeviceUse> Devices,
    Instant? FirstDeviceAt,
    int? Spo2BeforeDose,
    IReadOnlyList<Concomitant>? Concomitant,
    Clinician? MonitoringClinician,
    int? MonitoringMinutes,
    Instant? ReadyToLeaveAt,
    VitalsAcceptable? VitalsAcceptable,
    FormReadings BloodPressure,
    FormEffects Effects,
    int Observations,
    IReadOnlyList<AdverseEvent>? AdverseEvents,
    IReadOnlyList<MissingField> Missing)
{
    /// <summary>The form asks 56, 84 or another dose.</summary>
    public string? DoseCategory => DoseMg switch
    {
        null => null,
        56 or 84 => DoseMg.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "other",
    };

    public IReadOnlyList<AdverseEvent> SeriousAdverseEvents => AdverseEvents?.Where(e => e.Serious).ToList() ?? [];

    public bool IsComplete => Missing.Count == 0;

    /// <summary>The nearest observation to this many minutes after the dose gives the form's post-dose reading.</summary>
    public const int AfterDoseReadingMinutes = 40;

    /// <summary>
    /// Builds the form of <paramref name="session"/>. <paramref name="firstTreatment"/>: no earlier session of the patient
    /// was fulfilled.
    /// </summary>
    public static MonitoringForm Of(Clinic clinic, Patient patient, Session session, bool firstTreatment)
    {
        var missing = new List<MissingField>();
        void Need(bool present, string field, string label)
        {
            if (!present)
            {
                missing.Add(new MissingField(field, label));
            }
        }
        Need(patient.DateOfBirth is not null, "patient.dateOfBirth", "Patient's date of birth");
        Need(patient.Sex is not null, "patient.sex", "Patient's sex");

        var dose = session.Dose;
        var legacy = session.Legacy;
        var afterDose = session.Observations.Where(o => o.BloodPressure is not null)
            .OrderBy(o => Math.Abs(o.MinutesAfterDose - AfterDoseReadingMinutes)).ThenBy(o => o.At).FirstOrDefault();
        var readings = legacy is not null && dose is null
            ? new FormReadings(legacy.PreDose, legacy.PostDose40Min, null, legacy.Discharge)
            : new FormReadings(dose?.PreDose.BloodPressure, afterDose?.BloodPressure, afterDose?.MinutesAfterDose, session.Discharge?.BloodPressure);
        var observed = session.Observations.Count > 0;
        var effects = new FormEffects(
            observed ? session.Observations.Any(o => o.Sedation) : null,
            observed ? session.Observations.Any(o => o.Dissociation) : null,
            observed ? session.Observations.Any(o => o.RespiratoryDepression) : null);

        if (dose is null && legacy is null)
        {
            Need(false, "dose", "Dose, lot number, time of the first device and pre-dose vitals (record the dose)");
        }
        else if (dose is null)
        {
            Need(false, "dose.lot", "Lot number (not recorded for sessions completed before doses were kept)");
        }
        Need(dose?.Concomitant is not null, "otherMedicines", "Other medicines (benzodiazepines, sedative hypnotics, psychostimulants, MAOIs, opioids), or none");
        Need(dose is not null, "monitoringClinician.name", "Monitoring clinician's name");
        Need(dose?.MonitoringClinician.Phone is not null, "monitoringClinician.phone", "Monitoring clinician's phone");
        Need(dose?.MonitoringClinician.Email is not null, "monitoringClinician.email", "Monitoring clinician's email");
        Need(observed, "observations", "Sedation, dissociation and respiratory depression (record observations)");
        if (session.Discharge is null && legacy is null)
        {
            Need(false, "discharge", "Ready-to-leave time, total monitoring minutes, discharge vitals and adverse events (complete the session)");
        }
        else if (session.Discharge is null)
        {
            Need(false, "readyToLeaveAt", "When the patient was ready to leave");
            Need(false, "vitalsAcceptable", "Whether vitals were acceptable before the dose and after monitoring");
            Need(false, "adverseEvents", "Serious adverse events, or none");
        }

        return new MonitoringForm(
            clinic, patient, session, firstTreatment,
            dose?.DoseMg ?? legacy?.DoseMg, dose?.DoseReason, dose?.Devices ?? [], dose?.At, dose?.PreDose.Spo2,
            dose?.Concomitant, dose?.MonitoringClinician, session.MonitoringMinutes, session.Discharge?.ReadyToLeaveAt,
            session.Discharge?.VitalsAcceptable, readings, effects, session.Observations.Count, session.Discharge?.AdverseEvents, missing);
    }
}
