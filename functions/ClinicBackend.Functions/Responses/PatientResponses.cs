using ClinicBackend.Application.Patients;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Patients;
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
    string? DateOfBirth,
    string? Sex,
    string Indication,
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
        return new(p.Id, p.GivenName, p.FamilyName, p.Phone, p.SmsConsent, p.SmsOptedOut, p.RemsEnrolled,
            p.DateOfBirth is { } born ? ClinicTime.FormatDate(born) : null, p.Sex is { } sex ? Names.Kebab(sex) : null, Names.Kebab(p.Indication),
            p.Language, p.ExternalId, p.Active,
            p.PausedByFlagId is not null,
            p.TimeZone,
            CourseResponse.From(p.Course, state.Phase),
            p.Version);
    }
}

/// <summary>The course: <c>phase</c> is the phase today (the override if set, else derived from the start date without paused days).</summary>
public sealed record CourseResponse(string StartDate, int MaintenanceIntervalDays, string Phase, string? PhaseOverride, IReadOnlyList<CoursePauseResponse> Pauses)
{
    public static CourseResponse From(TreatmentCourse c, TreatmentPhase phase) => new(
        ClinicTime.FormatDate(c.StartDate), c.MaintenanceIntervalDays, Names.Kebab(phase),
        c.PhaseOverride is { } set ? Names.Kebab(set) : null,
        c.Pauses.Select(p => new CoursePauseResponse(ClinicTime.FormatDate(p.From), p.To is { } to ? ClinicTime.FormatDate(to) : null, p.Reason)).ToList());
}

public sealed record CoursePauseResponse(string From, string? To, string Reason);

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
