using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Forms;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Functions.Responses;

/// <summary>
/// Schema MonitoringForm: every field the REMS Patient Monitoring Form asks, from the session, the patient and the
/// clinic, with clinic-local times beside UTC ones, and <c>missing</c>: what staff complete before filing.
/// </summary>
public sealed record MonitoringFormResponse(
    string SessionId,
    FormClinicResponse Clinic,
    FormPatientResponse Patient,
    bool FirstTreatment,
    string SessionStart,
    string SessionStartUtc,
    IReadOnlyList<string>? OtherMedicines,
    ClinicianResponse? MonitoringClinician,
    FormDoseResponse? Dose,
    FormVitalsResponse Vitals,
    int? MonitoringMinutes,
    string? ReadyToLeaveAt,
    string? ReadyToLeaveAtUtc,
    FormObservedResponse Observed,
    IReadOnlyList<AdverseEventResponse>? AdverseEvents,
    FormFilingResponse Filing,
    IReadOnlyList<MissingFieldResponse> Missing,
    bool ReadyToFile)
{
    public static MonitoringFormResponse From(MonitoringForm f)
    {
        var zone = f.Clinic.Zone;
        var p = f.Patient;
        var s = f.Session;
        return new(
            s.Id,
            new FormClinicResponse(f.Clinic.Name, f.Clinic.Phone, f.Clinic.Country),
            new FormPatientResponse(p.Id, p.GivenName, p.FamilyName, p.DateOfBirth is { } born ? ClinicTime.FormatDate(born) : null,
                p.Sex is { } sex ? Names.Kebab(sex) : null, p.ExternalId, p.RemsEnrolled, Names.Kebab(p.Indication)),
            f.FirstTreatment,
            ClinicTime.FormatMinute(s.Start), ClinicTime.FormatUtc(s.StartUtc),
            f.Concomitant?.Select(Names.Kebab).ToList(),
            f.MonitoringClinician is { } c ? ClinicianResponse.From(c) : null,
            f.DoseMg is { } mg ? new FormDoseResponse(mg, f.DoseCategory!, f.DoseReason, f.Devices.Select(d => d.Lot).ToList(),
                f.Devices.Select(d => new DeviceResponse(d.Lot, d.Count)).ToList(), Local(f.FirstDeviceAt, zone), Utc(f.FirstDeviceAt)) : null,
            new FormVitalsResponse(
                new FormBloodPressureResponse(f.BloodPressure.PreDose?.ToString(), f.BloodPressure.AfterDose?.ToString(), f.BloodPressure.AfterDoseMinutes,
                    f.BloodPressure.Discharge?.ToString()),
                f.Spo2BeforeDose, f.VitalsAcceptable?.BeforeDose, f.VitalsAcceptable?.AfterMonitoring),
            f.MonitoringMinutes,
            Local(f.ReadyToLeaveAt, zone), Utc(f.ReadyToLeaveAt),
            new FormObservedResponse(f.Effects.Sedation, f.Effects.Dissociation, f.Effects.RespiratoryDepression, f.Observations),
            f.AdverseEvents?.Select(e => new AdverseEventResponse(e.Description, e.Serious)).ToList(),
            new FormFilingResponse(Local(s.RemsFormDueBy, zone)!, ClinicTime.FormatUtc(s.RemsFormDueBy), Local(s.RemsFormSubmittedAt, zone), Utc(s.RemsFormSubmittedAt)),
            f.Missing.Select(m => new MissingFieldResponse(m.Field, m.Label)).ToList(),
            f.IsComplete);
    }

    private static string? Local(Instant? at, DateTimeZone zone) => at is { } value ? ClinicTime.FormatMinute(value.InZone(zone).LocalDateTime) : null;

    private static string? Utc(Instant? at) => at is { } value ? ClinicTime.FormatUtc(value) : null;
}

public sealed record FormClinicResponse(string Name, string Phone, string Country);

public sealed record FormPatientResponse(string Id, string GivenName, string FamilyName, string? DateOfBirth, string? Sex, string? ExternalId,
    bool RemsEnrolled, string Indication);

/// <param name="Category">"56", "84" or "other", as the form asks.</param>
public sealed record FormDoseResponse(int DoseMg, string Category, string? OtherReason, IReadOnlyList<string> Lots, IReadOnlyList<DeviceResponse> Devices,
    string? FirstDeviceAt, string? FirstDeviceAtUtc);

/// <param name="AfterDose">The reading nearest 40 minutes after the dose, taken <c>afterDoseMinutes</c> after it.</param>
public sealed record FormBloodPressureResponse(string? PreDose, string? AfterDose, int? AfterDoseMinutes, string? Discharge);

public sealed record FormVitalsResponse(FormBloodPressureResponse BloodPressure, int? Spo2BeforeDose, bool? AcceptableBeforeDose, bool? AcceptableAfterMonitoring);

/// <summary>Whether sedation, dissociation and respiratory depression were seen at any observation; null when none was taken.</summary>
public sealed record FormObservedResponse(bool? Sedation, bool? Dissociation, bool? RespiratoryDepression, int Observations);

/// <summary>When the form is due (7 days after the session) and when it was filed, clinic-local and UTC.</summary>
public sealed record FormFilingResponse(string DueBy, string DueByUtc, string? SubmittedAt, string? SubmittedAtUtc);

public sealed record MissingFieldResponse(string Field, string Label);
