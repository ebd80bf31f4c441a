using ClinicBackend.Application.Patients;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Functions.Responses;

/// <summary>Schema Patient.</summary>
public sealed record PatientResponse(
    string Id,
    string GivenName,
    string FamilyName,
    string Phone,
    bool SmsConsent,
    bool SmsOptedOut,
    bool RemsEnrolled,
    string Language,
    string? ExternalId,
    bool Active,
    bool AutomatedTextsPaused,
    string? TimeZone,
    CourseResponse Course,
    int Version)
{
    public static PatientResponse From(PatientState state)
    {
        var p = state.Patient;
        return new(p.Id, p.GivenName, p.FamilyName, p.Phone, p.SmsConsent, p.SmsOptedOut, p.RemsEnrolled, p.Language, p.ExternalId, p.Active,
            p.PausedByFlagId is not null,
            p.TimeZone,
            new CourseResponse(ClinicTime.FormatDate(p.Course.StartDate), p.Course.MaintenanceIntervalDays, Names.Kebab(state.Phase)),
            p.Version);
    }
}

public sealed record CourseResponse(string StartDate, int MaintenanceIntervalDays, string Phase);

/// <summary>One text of a patient's history (schema Message): the body, its delivery status and Twilio's SID and error code.</summary>
public sealed record MessageResponse(
    string Id,
    string Direction,
    string Kind,
    string At,
    string? SentAt,
    string? Body,
    int? Segments,
    string Status,
    string? Reason,
    string? TwilioSid,
    string? ErrorCode,
    string? SessionId,
    int Attempts)
{
    public static MessageResponse From(SmsMessage m) => new(
        m.Id, m.Direction, m.Kind, ClinicTime.FormatUtc(m.At), m.SentAt is { } sent ? ClinicTime.FormatUtc(sent) : null,
        m.Body, m.Body is null ? null : m.Segments, m.Status, m.Reason, m.TwilioSid, m.ErrorCode, m.SessionId, m.Attempts);
}

/// <summary>Schema Messages.</summary>
public sealed record MessagesResponse(IReadOnlyList<MessageResponse> Messages);
