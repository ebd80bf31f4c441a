using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Functions.Responses;

/// <summary>Schema Session: clinic-local times without offset, UTC ones ending in Z.</summary>
public sealed record SessionResponse(
    string Id,
    string PatientId,
    string Start,
    string StartUtc,
    string End,
    string EndUtc,
    string Status,
    string Confirmation,
    string? CancelReason,
    string? CheckedInAt,
    string? CompletedAt,
    MonitoringResponse? Monitoring,
    RemsFormResponse? RemsForm,
    RideResponse? Ride,
    IReadOnlyList<SessionChangeResponse> History,
    int Version)
{
    public static SessionResponse From(Session s) => new(
        s.Id, s.PatientId,
        ClinicTime.FormatMinute(s.Start), ClinicTime.FormatUtc(s.StartUtc), ClinicTime.FormatMinute(s.End), ClinicTime.FormatUtc(s.EndUtc),
        Names.Kebab(s.Status), Names.Kebab(s.Confirmation), s.CancelReason,
        Utc(s.CheckedInAt), Utc(s.CompletedAt),
        s.Monitoring is { } m ? MonitoringResponse.From(m) : null,
        s.Status == SessionStatus.Fulfilled ? new RemsFormResponse(Utc(s.RemsFormSubmittedAt), ClinicTime.FormatUtc(s.RemsFormDueBy)) : null,
        s.RideConfirmedBy is { } by ? new RideResponse(by, ClinicTime.FormatUtc(s.RideConfirmedAt!.Value)) : null,
        s.History.Select(h => new SessionChangeResponse(ClinicTime.FormatUtc(h.At), h.By, h.Action, h.Detail)).ToList(),
        s.Version);

    private static string? Utc(NodaTime.Instant? at) => at is { } value ? ClinicTime.FormatUtc(value) : null;
}

public sealed record MonitoringResponse(int DoseMg, BloodPressureResponse BloodPressure, int MonitoringMinutes, string? Notes)
{
    public static MonitoringResponse From(MonitoringRecord m) => new(
        m.DoseMg, new BloodPressureResponse(m.PreDose.ToString(), m.PostDose40Min.ToString(), m.Discharge.ToString()), m.MonitoringMinutes, m.Notes);
}

public sealed record BloodPressureResponse(string PreDose, string PostDose40Min, string Discharge);

public sealed record RemsFormResponse(string? SubmittedAt, string DueBy);

/// <summary>The ride home, confirmed by phone.</summary>
public sealed record RideResponse(string ConfirmedBy, string ConfirmedAt);

/// <summary>Schema CourseBooking: the sessions booked and the starts that could not be.</summary>
public sealed record CourseBookingResponse(IReadOnlyList<SessionResponse> Sessions, IReadOnlyList<CourseConflictResponse> Conflicts)
{
    public static CourseBookingResponse From(CourseBookingOutcome o) =>
        new(o.Sessions.OrderBy(s => s.StartUtc).Select(SessionResponse.From).ToList(), o.Conflicts.Select(CourseConflictResponse.From).ToList());
}

/// <summary>Schema CourseConflict.</summary>
public sealed record CourseConflictResponse(string Start, string Reason, IReadOnlyList<string> Alternatives)
{
    public static CourseConflictResponse From(CourseConflict c) =>
        new(ClinicTime.FormatMinute(c.Start), c.Reason, c.Alternatives.Select(ClinicTime.FormatMinute).ToList());
}

public sealed record SessionChangeResponse(string At, string By, string Action, string? Detail);

/// <summary>Schema Sessions.</summary>
public sealed record SessionsResponse(IReadOnlyList<SessionResponse> Sessions);

/// <summary>Schema Availability.</summary>
public sealed record AvailabilityResponse(string Date, string TimeZone, int Chairs, int SessionMinutes, int SlotMinutes, IReadOnlyList<SlotResponse> Slots)
{
    public static AvailabilityResponse From(Availability a) => new(
        ClinicTime.FormatDate(a.Date), a.Clinic.TimeZone, a.Clinic.Chairs, a.Clinic.SessionMinutes, a.Clinic.SlotMinutes,
        a.Slots.Select(s => new SlotResponse(
            ClinicTime.FormatMinute(s.Start.LocalDateTime), ClinicTime.FormatUtc(s.Start.ToInstant()),
            ClinicTime.FormatMinute(s.End.LocalDateTime), ClinicTime.FormatUtc(s.End.ToInstant()), s.FreeChairs)).ToList());
}

public sealed record SlotResponse(string Start, string StartUtc, string End, string EndUtc, int FreeChairs);
