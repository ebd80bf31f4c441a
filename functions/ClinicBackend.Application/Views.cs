using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Runs;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Audit;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application;

/// <summary>The API's JSON shapes, built from domain records. Local times have no offset; UTC ones end in Z.</summary>
public static class Views
{
    public static object Clinic(Clinic c) => new
    {
        id = c.Id,
        name = c.Name,
        timeZone = c.TimeZone,
        country = c.Country,
        phone = c.Phone,
        smsFrom = c.SmsFrom,
        chairs = c.Chairs,
        sessionMinutes = c.SessionMinutes,
        slotMinutes = c.SlotMinutes,
        openingHours = DayNames.Week.ToDictionary(
            d => d.Name,
            d => c.HoursOn(d.Day) is { } h ? new[] { ClinicTime.FormatHourMinute(h.Open), ClinicTime.FormatHourMinute(h.Close) } : null),
        reminders = new
        {
            dayBeforeAt = ClinicTime.FormatHourMinute(c.Reminders.DayBeforeAt),
            quietHours = new[] { ClinicTime.FormatHourMinute(c.Reminders.QuietStart), ClinicTime.FormatHourMinute(c.Reminders.QuietEnd) },
            rideCheckAt = ClinicTime.FormatHourMinute(c.Reminders.RideCheckAt),
        },
        missedGraceMinutes = c.MissedGraceMinutes,
        cadenceGraceDays = c.CadenceGraceDays,
        twilioAdvancedOptOut = c.TwilioAdvancedOptOut,
        version = c.Version,
    };

    public static object Member(string clinicId, Membership m) => new
    {
        clinicId,
        oid = m.ObjectId,
        role = m.Role,
        since = ClinicTime.FormatUtc(m.Since),
        addedBy = m.AddedBy,
        version = m.Version,
    };

    public static object Patient(Patient p, LocalDate today) => new
    {
        id = p.Id,
        givenName = p.GivenName,
        familyName = p.FamilyName,
        phone = p.Phone,
        smsConsent = p.SmsConsent,
        smsOptedOut = p.SmsOptedOut,
        remsEnrolled = p.RemsEnrolled,
        language = p.Language,
        externalId = p.ExternalId,
        active = p.Active,
        automatedTextsPaused = p.PausedByFlagId is not null,
        course = new
        {
            startDate = ClinicTime.FormatDate(p.Course.StartDate),
            maintenanceIntervalDays = p.Course.MaintenanceIntervalDays,
            phase = Kebab(p.Course.PhaseOn(today)),
        },
        version = p.Version,
    };

    public static object Session(Session s) => new
    {
        id = s.Id,
        patientId = s.PatientId,
        start = ClinicTime.FormatMinute(s.Start),
        startUtc = ClinicTime.FormatUtc(s.StartUtc),
        end = ClinicTime.FormatMinute(s.End),
        endUtc = ClinicTime.FormatUtc(s.EndUtc),
        status = Kebab(s.Status),
        confirmation = Kebab(s.Confirmation),
        cancelReason = s.CancelReason,
        checkedInAt = s.CheckedInAt is { } arrived ? ClinicTime.FormatUtc(arrived) : null,
        completedAt = s.CompletedAt is { } done ? ClinicTime.FormatUtc(done) : null,
        monitoring = s.Monitoring is { } m
            ? new
            {
                doseMg = m.DoseMg,
                bloodPressure = new { preDose = m.PreDose.ToString(), postDose40Min = m.PostDose40Min.ToString(), discharge = m.Discharge.ToString() },
                monitoringMinutes = m.MonitoringMinutes,
                notes = m.Notes,
            }
            : null,
        remsForm = s.Status == SessionStatus.Fulfilled
            ? new
            {
                submittedAt = s.RemsFormSubmittedAt is { } filed ? ClinicTime.FormatUtc(filed) : null,
                dueBy = ClinicTime.FormatUtc(s.RemsFormDueBy),
            }
            : null,
        history = s.History.Select(h => new { at = ClinicTime.FormatUtc(h.At), by = h.By, action = h.Action, detail = h.Detail }),
        version = s.Version,
    };

    public static object Flag(Flag f) => new
    {
        id = f.Id,
        kind = f.Kind,
        severity = Kebab(f.Severity),
        status = Kebab(f.Status),
        patientId = f.PatientId,
        sessionId = f.SessionId,
        createdAt = ClinicTime.FormatUtc(f.CreatedAt),
        detail = f.Detail,
        resolvedAt = f.ResolvedAt is { } r ? ClinicTime.FormatUtc(r) : null,
        resolvedBy = f.ResolvedBy,
        note = f.ResolutionNote,
        version = f.Version,
    };

    public static object AuditEntry(AuditEntry a) => new
    {
        id = a.Id,
        at = ClinicTime.FormatUtc(a.At),
        actor = a.Actor,
        action = a.Action,
        entityType = a.EntityType,
        entityId = a.EntityId,
        changes = a.Changes?.ToDictionary(c => c.Key, c => new { from = c.Value.From, to = c.Value.To }),
    };

    /// <summary>Enum names as the API writes them: NeedsAction becomes needs-action.</summary>
    public static string Kebab<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
