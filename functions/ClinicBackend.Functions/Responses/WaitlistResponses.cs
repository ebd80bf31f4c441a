using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Time;
using ClinicBackend.Domain.Waitlist;

namespace ClinicBackend.Functions.Responses;

/// <summary>Schema WaitlistEntry: the window in clinic-local dates and times.</summary>
public sealed record WaitlistEntryResponse(
    string Id,
    string PatientId,
    string From,
    string To,
    string Earliest,
    string Latest,
    string? SessionId,
    string Status,
    string CreatedAt,
    int Version)
{
    public static WaitlistEntryResponse Of(WaitlistEntry e) => new(
        e.Id, e.PatientId, ClinicTime.FormatDate(e.From), ClinicTime.FormatDate(e.To), ClinicTime.FormatHourMinute(e.Earliest),
        ClinicTime.FormatHourMinute(e.Latest), e.SessionId, Names.Kebab(e.Status), ClinicTime.FormatUtc(e.CreatedAt), e.Version);
}

/// <summary>Schema Waitlist.</summary>
public sealed record WaitlistResponse(IReadOnlyList<WaitlistEntryResponse> Entries);
