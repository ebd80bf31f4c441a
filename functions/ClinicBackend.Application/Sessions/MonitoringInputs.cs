using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Inventory;
using ClinicBackend.Domain.Monitoring;
using ClinicBackend.Domain.Patients;
using NodaTime;

namespace ClinicBackend.Application.Sessions;

/// <summary>The body of POST .../sessions/{sessionId}/dose.</summary>
public sealed class DoseInput
{
    /// <summary>When the first device was used: clinic-local YYYY-MM-DDTHH:mm or ISO 8601 with an offset; now when absent.</summary>
    public string? At { get; set; }
    public int? DoseMg { get; set; }
    public string? DoseReason { get; set; }
    public List<DeviceInput>? Devices { get; set; }
    public PreDoseInput? PreDose { get; set; }
    /// <summary>Other medicines; an empty list for none, absent when not asked.</summary>
    public List<string>? Concomitant { get; set; }
    public ClinicianInput? MonitoringClinician { get; set; }
}

public sealed class DeviceInput
{
    public string? Lot { get; set; }
    public int? Count { get; set; }
}

public sealed class PreDoseInput
{
    public string? BloodPressure { get; set; }
    public int? Spo2 { get; set; }
}

public sealed class ClinicianInput
{
    public string? Name { get; set; }
    public string? Phone { get; set; }
    public string? Email { get; set; }
}

/// <summary>The body of POST .../sessions/{sessionId}/observations.</summary>
public sealed class ObservationInput
{
    public string? At { get; set; }
    public string? BloodPressure { get; set; }
    public int? Spo2 { get; set; }
    public bool? Sedation { get; set; }
    public bool? Dissociation { get; set; }
    public bool? RespiratoryDepression { get; set; }
    public List<string>? SideEffects { get; set; }
    public string? Note { get; set; }
}

/// <summary>The body of POST .../sessions/{sessionId}/complete: the discharge.</summary>
public sealed class CompleteInput
{
    public string? ReadyToLeaveAt { get; set; }
    public string? BloodPressure { get; set; }
    public VitalsAcceptableInput? VitalsAcceptable { get; set; }
    public List<AdverseEventInput>? AdverseEvents { get; set; }
    public string? Notes { get; set; }
}

public sealed class VitalsAcceptableInput
{
    public bool? BeforeDose { get; set; }
    public bool? AfterMonitoring { get; set; }
}

public sealed class AdverseEventInput
{
    public string? Description { get; set; }
    public bool? Serious { get; set; }
}

/// <summary>
/// Reads the dose, observation and discharge bodies into the domain's records: malformed or missing values are 400s
/// naming the field; a dose off the label without a reason is a 422.
/// </summary>
public static class MonitoringInputs
{
    public const int MaxNoteLength = 200;
    public const int MaxNotesLength = 2000;
    public const int MaxReasonLength = 200;

    public static Result<DoseRecord> ToDose(DoseInput input, Clinic clinic, Instant now)
    {
        var errors = new FieldErrors();
        var at = When(input.At, "at", clinic, now, errors);
        if (input.DoseMg is not { } doseMg)
        {
            errors.Add("doseMg", "doseMg is required: 56 or 84 (2 or 3 devices of 28 mg).");
            doseMg = 0;
        }
        else if (doseMg is < DoseRecord.DeviceMg or > DoseRecord.MaxDoseMg || doseMg % DoseRecord.DeviceMg != 0)
        {
            errors.Add("doseMg", $"doseMg is 56 or 84, or another whole number of 28 mg devices up to {DoseRecord.MaxDoseMg} (with doseReason).");
        }
        if (input.DoseReason is not null && !PlainText.IsValid(input.DoseReason, MaxReasonLength, multiline: true))
        {
            errors.Add("doseReason", $"doseReason, when given, is 1 to {MaxReasonLength} printable characters.");
        }
        var devices = Devices(input.Devices, errors);
        if (devices is not null && errors.Any is false && devices.Sum(d => d.Count) * DoseRecord.DeviceMg != doseMg)
        {
            errors.Add("devices", $"The devices (28 mg each) add up to {devices.Sum(d => d.Count) * DoseRecord.DeviceMg} mg, not doseMg {doseMg}.");
        }
        BloodPressure? preDose = null;
        if (input.PreDose is null)
        {
            errors.Add("preDose", "preDose is required: { \"bloodPressure\": \"128/82\", \"spo2\": 98 } taken before the dose.");
        }
        else
        {
            preDose = Reading(input.PreDose.BloodPressure, "preDose.bloodPressure", required: true, errors);
            Spo2(input.PreDose.Spo2, "preDose.spo2", required: true, errors);
        }
        var concomitant = input.Concomitant is null ? null : Items<Concomitant>(input.Concomitant, "concomitant", errors);
        var clinician = Clinician(input.MonitoringClinician, clinic, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var dose = new DoseRecord(at, doseMg, input.DoseReason?.Trim(), devices!, new PreDoseVitals(preDose!, input.PreDose!.Spo2!.Value), concomitant, clinician!);
        if (!dose.IsLabelDose && dose.DoseReason is null)
        {
            return Problem.Rule("dose-not-on-label", "The dose is not a labelled dose.",
                "Record 56 mg (2 devices) or 84 mg (3 devices); for any other dose give doseReason (why it differs).");
        }
        return dose;
    }

    /// <summary>An observation as taken; the session numbers it and adds its minutes after the dose and whether it is an alert.</summary>
    public static Result<Observation> ToObservation(ObservationInput input, Clinic clinic, Instant now, string actor)
    {
        var errors = new FieldErrors();
        var at = When(input.At, "at", clinic, now, errors);
        var bloodPressure = Reading(input.BloodPressure, "bloodPressure", required: false, errors);
        Spo2(input.Spo2, "spo2", required: false, errors);
        foreach (var (value, field) in new[] { (input.Sedation, "sedation"), (input.Dissociation, "dissociation"), (input.RespiratoryDepression, "respiratoryDepression") })
        {
            if (value is null)
            {
                errors.Add(field, $"{field} is required: true or false, as observed now.");
            }
        }
        var sideEffects = input.SideEffects is null ? [] : Items<SideEffect>(input.SideEffects, "sideEffects", errors);
        if (input.Note is not null && !PlainText.IsValid(input.Note, MaxNoteLength, multiline: true))
        {
            errors.Add("note", $"note, when given, is 1 to {MaxNoteLength} printable characters (line breaks allowed).");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        return new Observation(0, at, 0, bloodPressure, input.Spo2, input.Sedation!.Value, input.Dissociation!.Value, input.RespiratoryDepression!.Value,
            sideEffects, input.Note, Alert: false, actor);
    }

    public static Result<Discharge> ToDischarge(CompleteInput input, Clinic clinic, Instant now)
    {
        var errors = new FieldErrors();
        var ready = When(input.ReadyToLeaveAt, "readyToLeaveAt", clinic, now, errors);
        var bloodPressure = Reading(input.BloodPressure, "bloodPressure", required: true, errors);
        if (input.VitalsAcceptable?.BeforeDose is null || input.VitalsAcceptable.AfterMonitoring is null)
        {
            errors.Add("vitalsAcceptable", "vitalsAcceptable is required: { \"beforeDose\": true, \"afterMonitoring\": true } as the clinician judged them.");
        }
        var events = new List<AdverseEvent>();
        if (input.AdverseEvents is null)
        {
            errors.Add("adverseEvents", "adverseEvents is required: the adverse events of the session, [] for none.");
        }
        else if (input.AdverseEvents.Count > Discharge.MaxAdverseEvents)
        {
            errors.Add("adverseEvents", $"At most {Discharge.MaxAdverseEvents} adverse events; describe further ones in notes.");
        }
        else
        {
            for (var i = 0; i < input.AdverseEvents.Count; i++)
            {
                var item = input.AdverseEvents[i];
                if (item is null || !PlainText.IsValid(item.Description, MaxReasonLength, multiline: true) || item.Serious is null)
                {
                    errors.Add($"adverseEvents[{i}]", $"Each adverse event has a description (1 to {MaxReasonLength} printable characters) and serious: true or false.");
                    continue;
                }
                events.Add(new AdverseEvent(item.Description!.Trim(), item.Serious.Value));
            }
        }
        if (input.Notes is not null && !PlainText.IsValid(input.Notes, MaxNotesLength, multiline: true))
        {
            errors.Add("notes", $"notes, when given, are 1 to {MaxNotesLength} printable characters (line breaks allowed).");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        return new Discharge(ready, bloodPressure!, new VitalsAcceptable(input.VitalsAcceptable!.BeforeDose!.Value, input.VitalsAcceptable.AfterMonitoring!.Value),
            events, input.Notes);
    }

    private static Instant When(string? text, string field, Clinic clinic, Instant now, FieldErrors errors)
    {
        if (text is null)
        {
            return now;
        }
        if (!SessionInputs.TryParseInstant(text, clinic, out var at))
        {
            errors.Add(field, $"Give {field} as clinic-local YYYY-MM-DDTHH:mm or ISO 8601 with an offset, or leave it out for now.");
        }
        return at;
    }

    private static List<DeviceUse>? Devices(List<DeviceInput>? input, FieldErrors errors)
    {
        if (input is null || input.Count is 0 or > DoseRecord.MaxLots)
        {
            errors.Add("devices", $"devices is required: 1 to {DoseRecord.MaxLots} lots, each {{ \"lot\": \"ABC1234\", \"count\": 3 }}.");
            return null;
        }
        var devices = new List<DeviceUse>();
        for (var i = 0; i < input.Count; i++)
        {
            var lot = Lot.NormalizeNumber(input[i]?.Lot);
            if (lot is null)
            {
                errors.Add($"devices[{i}].lot", "lot is the lot number on the carton: 1 to 30 letters, digits and '-'.");
            }
            if (input[i]?.Count is not (>= 1 and <= DoseRecord.MaxDoseMg / DoseRecord.DeviceMg))
            {
                errors.Add($"devices[{i}].count", $"count is the devices used from this lot, 1 to {DoseRecord.MaxDoseMg / DoseRecord.DeviceMg}.");
            }
            else if (lot is not null)
            {
                devices.Add(new DeviceUse(lot, input[i]!.Count!.Value));
            }
        }
        if (devices.Select(d => d.Lot).Distinct(StringComparer.Ordinal).Count() != devices.Count)
        {
            errors.Add("devices", "Name each lot once, with the devices used from it.");
        }
        return devices;
    }

    private static BloodPressure? Reading(string? text, string field, bool required, FieldErrors errors)
    {
        if (text is null)
        {
            if (required)
            {
                errors.Add(field, $"{field} is required as \"systolic/diastolic\", for example \"128/82\".");
            }
            return null;
        }
        if (!BloodPressure.TryParse(text, out var reading))
        {
            errors.Add(field, BloodPressure.Format);
            return null;
        }
        return reading;
    }

    private static void Spo2(int? value, string field, bool required, FieldErrors errors)
    {
        if (value is null && required)
        {
            errors.Add(field, $"{field} is required: the oxygen saturation in percent.");
        }
        else if (value is not null and not (>= 50 and <= 100))
        {
            errors.Add(field, $"{field} is the oxygen saturation in percent, 50 to 100.");
        }
    }

    private static List<T> Items<T>(List<string> input, string field, FieldErrors errors) where T : struct, Enum
    {
        var items = new List<T>();
        foreach (var name in input)
        {
            if (!Names.TryParseKebab<T>(name, out var item))
            {
                errors.Add(field, $"{field} items are {Names.KebabList<T>()}.");
                return [];
            }
            items.Add(item);
        }
        if (items.Distinct().Count() != items.Count)
        {
            errors.Add(field, $"Name each of {field} once.");
        }
        return items;
    }

    private static Clinician? Clinician(ClinicianInput? input, Clinic clinic, FieldErrors errors)
    {
        if (input is null || !PlainText.IsValid(input.Name, 100))
        {
            errors.Add("monitoringClinician.name", "monitoringClinician.name is required: the clinician who monitors the patient, 1 to 100 printable characters.");
            return null;
        }
        string? phone = null;
        if (input.Phone is not null && (phone = PhoneFormat.ToE164(input.Phone, clinic.Country)) is null)
        {
            errors.Add("monitoringClinician.phone", $"Give a phone number in E.164 or the national format of {clinic.Country}.");
        }
        if (input.Email is not null && !IsEmail(input.Email))
        {
            errors.Add("monitoringClinician.email", "Give an email address such as name@clinic.org.");
        }
        return new Clinician(input.Name!.Trim(), phone, input.Email?.Trim());
    }

    /// <summary>One '@' with text on both sides and a dot in the domain; no spaces or control characters; at most 254 characters.</summary>
    private static bool IsEmail(string text)
    {
        var at = text.IndexOf('@');
        return PlainText.IsValid(text, 254) && !text.Any(char.IsWhiteSpace) && at > 0 && at == text.LastIndexOf('@')
            && text.IndexOf('.', at) > at + 1 && !text.EndsWith('.');
    }
}
