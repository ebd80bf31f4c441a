using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Audit;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Functions.Responses;

/// <summary>The clinic as the API returns it (schema Clinic in openapi.json).</summary>
public sealed record ClinicResponse(
    string Id,
    string Name,
    string TimeZone,
    string Country,
    string Phone,
    string SmsFrom,
    int Chairs,
    int SessionMinutes,
    int SlotMinutes,
    IReadOnlyDictionary<string, string[]?> OpeningHours,
    RemindersResponse Reminders,
    int MissedGraceMinutes,
    int CadenceGraceDays,
    bool TwilioAdvancedOptOut,
    EscalationResponse Escalation,
    SelfServiceResponse SelfService,
    string ExternalIdSystem,
    MonitoringSettingsResponse Monitoring,
    string Inventory,
    AssessmentSettingsResponse Assessments,
    int Version)
{
    public static ClinicResponse From(Clinic c) => new(
        c.Id, c.Name, c.TimeZone, c.Country, c.Phone, c.SmsFrom, c.Chairs, c.SessionMinutes, c.SlotMinutes,
        DayNames.Week.ToDictionary(
            d => d.Name,
            d => c.HoursOn(d.Day) is { } h ? new[] { ClinicTime.FormatHourMinute(h.Open), ClinicTime.FormatHourMinute(h.Close) } : null),
        RemindersResponse.From(c.Reminders), c.MissedGraceMinutes, c.CadenceGraceDays, c.TwilioAdvancedOptOut,
        new EscalationResponse(c.Escalation.Contacts.Select(o => new ContactResponse(o.Name, o.Phone)).ToList(), c.Escalation.AckMinutes),
        new SelfServiceResponse(c.SelfService.Reschedule, c.SelfService.OfferDays, c.SelfService.OfferMinutes, c.SelfService.Waitlist, c.SelfService.WaitlistOfferMinutes),
        c.PatientIdentifierSystem,
        new MonitoringSettingsResponse(c.Monitoring.AlertAbove.ToString(), c.Monitoring.Spo2Below),
        Names.Kebab(c.Inventory),
        AssessmentSettingsResponse.From(c.Assessments),
        c.Version);
}

public sealed record RemindersResponse(string DayBeforeAt, string[] QuietHours, string RideCheckAt)
{
    public static RemindersResponse From(ReminderSettings r) => new(
        ClinicTime.FormatHourMinute(r.DayBeforeAt),
        [ClinicTime.FormatHourMinute(r.QuietStart), ClinicTime.FormatHourMinute(r.QuietEnd)],
        ClinicTime.FormatHourMinute(r.RideCheckAt));
}

/// <summary>When an observation during monitoring is an alert: a reading above alertAbove, or SpO2 below spo2Below.</summary>
public sealed record MonitoringSettingsResponse(string AlertAbove, int Spo2Below);

public sealed record SelfServiceResponse(bool Reschedule, int OfferDays, int OfferMinutes, bool Waitlist, int WaitlistOfferMinutes);

/// <summary>Who is paged for urgent flags, in order, and how long each has to acknowledge.</summary>
public sealed record EscalationResponse(IReadOnlyList<ContactResponse> Contacts, int AckMinutes);

public sealed record ContactResponse(string Name, string Phone);

/// <summary>Schema Member.</summary>
public sealed record MemberResponse(string ClinicId, string Oid, string Role, string Since, string AddedBy, int Version)
{
    public static MemberResponse From(string clinicId, Membership m) =>
        new(clinicId, m.ObjectId, m.Role, ClinicTime.FormatUtc(m.Since), m.AddedBy, m.Version);
}

/// <summary>Schema Members.</summary>
public sealed record MembersResponse(IReadOnlyList<MemberResponse> Members);

/// <summary>One audit record: <c>changes</c> maps each changed field to its JSON values before and after.</summary>
public sealed record AuditEntryResponse(string Id, string At, string Actor, string Action, string EntityType, string EntityId,
    IReadOnlyDictionary<string, AuditChange>? Changes)
{
    public static AuditEntryResponse From(AuditEntry a) => new(a.Id, ClinicTime.FormatUtc(a.At), a.Actor, a.Action, a.EntityType, a.EntityId, a.Changes);
}

/// <summary>Schema Audit.</summary>
public sealed record AuditResponse(IReadOnlyList<AuditEntryResponse> Entries);
