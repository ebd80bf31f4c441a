using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
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

public sealed class RemsFormInput
{
    public string? SubmittedAt { get; set; }
}

public static class SessionInputs
{
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
