using System.Text.RegularExpressions;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;
using NodaTime.Text;

namespace ClinicBackend.Application.Sessions;

public sealed class BookInput
{
    public string? PatientId { get; set; }
    public string? Start { get; set; }
}

public sealed class RescheduleInput
{
    public string? Start { get; set; }
}

public sealed class CancelInput
{
    public string? Reason { get; set; }
}

/// <summary>The body of POST .../sessions/{sessionId}/ride: who confirmed the ride home (e.g. "phone call with daughter").</summary>
public sealed class RideInput
{
    public string? ConfirmedBy { get; set; }
}

public sealed class CompleteInput
{
    public int? DoseMg { get; set; }
    public BloodPressureInput? BloodPressure { get; set; }
    public int? MonitoringMinutes { get; set; }
    public string? Notes { get; set; }
}

public sealed class BloodPressureInput
{
    public string? PreDose { get; set; }
    public string? PostDose40Min { get; set; }
    public string? Discharge { get; set; }
}

public sealed class RemsFormInput
{
    public string? SubmittedAt { get; set; }
}

public static partial class SessionInputs
{
    public static readonly int[] LabelDosesMg = [56, 84];

    [GeneratedRegex(@"^\s*(\d{2,3})\s*/\s*(\d{2,3})\s*$")]
    private static partial Regex BloodPressurePattern();

    /// <summary>The monitoring record of a completed session; malformed values are 400s, clinical rules 422s.</summary>
    public static Result<MonitoringRecord> ToMonitoring(CompleteInput input)
    {
        var errors = new FieldErrors();
        if (input.DoseMg is null)
        {
            errors.Add("doseMg", "doseMg is required (56 or 84).");
        }
        else if (input.DoseMg is < 0 or > 1000)
        {
            errors.Add("doseMg", "doseMg must be a dose in mg, such as 56 or 84.");
        }
        if (input.MonitoringMinutes is null)
        {
            errors.Add("monitoringMinutes", "monitoringMinutes is required.");
        }
        else if (input.MonitoringMinutes is < 0 or > 24 * 60)
        {
            errors.Add("monitoringMinutes", "monitoringMinutes must be between 0 and 1440.");
        }
        if (input.Notes is not null && !PlainText.IsValid(input.Notes, 2000, multiline: true))
        {
            errors.Add("notes", "notes, when given, are 1 to 2000 printable characters (line breaks allowed).");
        }
        var pre = Reading(input.BloodPressure?.PreDose, "bloodPressure.preDose", errors);
        var post = Reading(input.BloodPressure?.PostDose40Min, "bloodPressure.postDose40Min", errors);
        var discharge = Reading(input.BloodPressure?.Discharge, "bloodPressure.discharge", errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        if (!LabelDosesMg.Contains(input.DoseMg!.Value))
        {
            return Problem.Rule("dose-not-on-label", "The dose is not a labelled dose.", "Record 56 mg (2 devices) or 84 mg (3 devices).");
        }
        if (input.MonitoringMinutes < Session.MinMonitoringMinutes)
        {
            return Problem.Rule("monitoring-too-short", "Monitoring was shorter than 2 hours.",
                $"Patients are monitored for at least {Session.MinMonitoringMinutes} minutes after the dose; record the session once that time has passed.");
        }
        return new MonitoringRecord(input.DoseMg.Value, pre!, post!, discharge!, input.MonitoringMinutes!.Value, input.Notes);
    }

    private static BloodPressure? Reading(string? text, string field, FieldErrors errors)
    {
        if (text is null)
        {
            errors.Add(field, $"{field} is required as \"systolic/diastolic\", for example \"128/82\".");
            return null;
        }
        var match = BloodPressurePattern().Match(text);
        if (!match.Success)
        {
            errors.Add(field, "Write blood pressure as \"systolic/diastolic\", for example \"128/82\".");
            return null;
        }
        var systolic = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var diastolic = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        if (systolic is < 50 or > 300 || diastolic is < 20 or > 200 || diastolic >= systolic)
        {
            errors.Add(field, "That blood pressure is not plausible; check the reading.");
            return null;
        }
        return new BloodPressure(systolic, diastolic);
    }

    /// <summary>A clinic-local start as the API writes it (YYYY-MM-DDTHH:mm); a problem is added to <paramref name="errors"/> otherwise.</summary>
    public static LocalDateTime ParseStart(string? text, FieldErrors errors, string field = "start")
    {
        if (text is null)
        {
            errors.Add(field, $"{field} is required: the clinic-local start as YYYY-MM-DDTHH:mm.");
            return default;
        }
        if (!ClinicTime.TryParseMinute(text, out var local))
        {
            errors.Add(field, "Give a real clinic-local time as YYYY-MM-DDTHH:mm (no seconds, no offset).");
        }
        return local;
    }

    /// <summary>An instant written with an offset (ISO 8601) or as clinic-local YYYY-MM-DDTHH:mm.</summary>
    public static bool TryParseInstant(string? text, Clinic clinic, out Instant value)
    {
        value = default;
        if (text is null)
        {
            return false;
        }
        var offset = OffsetDateTimePattern.ExtendedIso.Parse(text);
        if (offset.Success && ClinicTime.IsWithinCalendar(offset.Value.Date))
        {
            value = offset.Value.ToInstant();
            return true;
        }
        if (ClinicTime.TryParseMinute(text, out var local))
        {
            value = ClinicTime.ResolveLenient(local, clinic.Zone).ToInstant();
            return true;
        }
        return false;
    }
}
