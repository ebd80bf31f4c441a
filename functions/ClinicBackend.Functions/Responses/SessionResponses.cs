using ClinicBackend.Application.Payment;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Monitoring;
using ClinicBackend.Domain.Payment;
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
    string? DosedAt,
    string? CompletedAt,
    int? MonitoringMinutes,
    MonitoringResponse? Monitoring,
    RemsFormResponse? RemsForm,
    RideResponse? Ride,
    IReadOnlyList<SessionChangeResponse> History,
    ReadinessResponse? Readiness,
    int Version)
{
    public static SessionResponse From(ReadySession r) => From(r.Session, r.Readiness);

    public static SessionResponse From(Session s, Readiness? readiness) => new(
        s.Id, s.PatientId,
        ClinicTime.FormatMinute(s.Start), ClinicTime.FormatUtc(s.StartUtc), ClinicTime.FormatMinute(s.End), ClinicTime.FormatUtc(s.EndUtc),
        Names.Kebab(s.Status), Names.Kebab(s.Confirmation), s.CancelReason,
        Utc(s.CheckedInAt), Utc(s.Dose?.At), Utc(s.CompletedAt), s.MonitoringMinutes,
        MonitoringResponse.From(s),
        s.Status == SessionStatus.Fulfilled ? new RemsFormResponse(Utc(s.RemsFormSubmittedAt), ClinicTime.FormatUtc(s.RemsFormDueBy)) : null,
        s.RideConfirmedBy is { } by ? new RideResponse(by, ClinicTime.FormatUtc(s.RideConfirmedAt!.Value)) : null,
        s.History.Select(h => new SessionChangeResponse(ClinicTime.FormatUtc(h.At), h.By, h.Action, h.Detail)).ToList(),
        ReadinessResponse.From(readiness),
        s.Version);

    private static string? Utc(NodaTime.Instant? at) => at is { } value ? ClinicTime.FormatUtc(value) : null;
}

/// <summary>The session's REMS record: the dose, the observations, the discharge; or what a session completed before them recorded.</summary>
public sealed record MonitoringResponse(DoseResponse? Dose, IReadOnlyList<ObservationResponse> Observations, DischargeResponse? Discharge, LegacyMonitoringResponse? Legacy)
{
    public static MonitoringResponse? From(Session s) => s.Dose is null && s.Legacy is null ? null : new(
        s.Dose is { } d ? DoseResponse.From(d) : null,
        s.Observations.Select(ObservationResponse.From).ToList(),
        s.Discharge is { } x ? new DischargeResponse(ClinicTime.FormatUtc(x.ReadyToLeaveAt), x.BloodPressure.ToString(),
            new VitalsAcceptableResponse(x.VitalsAcceptable.BeforeDose, x.VitalsAcceptable.AfterMonitoring),
            x.AdverseEvents.Select(e => new AdverseEventResponse(e.Description, e.Serious)).ToList(), x.Notes) : null,
        s.Legacy is { } m ? new LegacyMonitoringResponse(m.DoseMg,
            new BloodPressureResponse(m.PreDose.ToString(), m.PostDose40Min.ToString(), m.Discharge.ToString()), m.MonitoringMinutes, m.Notes) : null);
}

public sealed record DoseResponse(string At, int DoseMg, string? DoseReason, IReadOnlyList<DeviceResponse> Devices, PreDoseResponse PreDose,
    IReadOnlyList<string>? Concomitant, ClinicianResponse MonitoringClinician)
{
    public static DoseResponse From(DoseRecord d) => new(
        ClinicTime.FormatUtc(d.At), d.DoseMg, d.DoseReason, d.Devices.Select(u => new DeviceResponse(u.Lot, u.Count)).ToList(),
        new PreDoseResponse(d.PreDose.BloodPressure.ToString(), d.PreDose.Spo2), d.Concomitant?.Select(Names.Kebab).ToList(),
        ClinicianResponse.From(d.MonitoringClinician));
}

public sealed record DeviceResponse(string Lot, int Count);

public sealed record PreDoseResponse(string BloodPressure, int Spo2);

public sealed record ClinicianResponse(string Name, string? Phone, string? Email)
{
    public static ClinicianResponse From(Clinician c) => new(c.Name, c.Phone, c.Email);
}

/// <summary>Schema Observation: one observation during monitoring, with its minutes after the dose and whether it was an alert.</summary>
public sealed record ObservationResponse(int Number, string At, int MinutesAfterDose, string? BloodPressure, int? Spo2, bool Sedation, bool Dissociation,
    bool RespiratoryDepression, IReadOnlyList<string> SideEffects, string? Note, bool Alert, string By)
{
    public static ObservationResponse From(Observation o) => new(o.Number, ClinicTime.FormatUtc(o.At), o.MinutesAfterDose, o.BloodPressure?.ToString(), o.Spo2,
        o.Sedation, o.Dissociation, o.RespiratoryDepression, o.SideEffects.Select(Names.Kebab).ToList(), o.Note, o.Alert, o.By);
}

public sealed record DischargeResponse(string ReadyToLeaveAt, string BloodPressure, VitalsAcceptableResponse VitalsAcceptable,
    IReadOnlyList<AdverseEventResponse> AdverseEvents, string? Notes);

public sealed record VitalsAcceptableResponse(bool BeforeDose, bool AfterMonitoring);

public sealed record AdverseEventResponse(string Description, bool Serious);

/// <summary>What completing recorded before doses and observations were kept: the dose, three readings and minutes as entered.</summary>
public sealed record LegacyMonitoringResponse(int DoseMg, BloodPressureResponse BloodPressure, int MonitoringMinutes, string? Notes);

public sealed record BloodPressureResponse(string PreDose, string PostDose40Min, string Discharge);

public sealed record RemsFormResponse(string? SubmittedAt, string DueBy);

/// <summary>The ride home, confirmed by phone.</summary>
public sealed record RideResponse(string ConfirmedBy, string ConfirmedAt);

/// <summary>Schema CourseBooking: the sessions booked, the starts that could not be, and the booked starts no authorization covers.</summary>
public sealed record CourseBookingResponse(IReadOnlyList<SessionResponse> Sessions, IReadOnlyList<CourseConflictResponse> Conflicts, IReadOnlyList<CourseWarningResponse> Warnings)
{
    public static CourseBookingResponse From(CourseBookingOutcome o, IReadOnlyList<ReadySession> sessions) =>
        new(sessions.OrderBy(s => s.Session.StartUtc).Select(SessionResponse.From).ToList(), o.Conflicts.Select(CourseConflictResponse.From).ToList(),
            o.Warnings.Select(w => new CourseWarningResponse(ClinicTime.FormatMinute(w.Start), w.Reason)).ToList());
}

/// <summary>Schema CourseWarning: a booked start past the patient's authorization (booked anyway: a clinician decides).</summary>
public sealed record CourseWarningResponse(string Start, string Reason);

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
