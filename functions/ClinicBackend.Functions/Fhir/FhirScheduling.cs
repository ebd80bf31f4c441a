using ClinicBackend.Application.Access;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Functions.Http;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;
using FhirAppointment = Hl7.Fhir.Model.Appointment;

namespace ClinicBackend.Functions.Fhir;

/// <summary>
/// The FHIR interactions on the existing services: each reads its FHIR input, calls the service that our own routes call
/// (booking is <see cref="BookingService.BookAsync"/>, as POST /sessions), and maps the outcome to a resource or an
/// OperationOutcome. No rule of booking lives here.
/// </summary>
public sealed class FhirScheduling(ClinicAccess access, PatientService patients, SessionService sessions, SessionHolds holds, StartSearch starts, BookingService booking)
{
    private static readonly string[] AppointmentStatuses = ["proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow", "entered-in-error", "checked-in", "waitlist"];
    private static readonly string[] SlotStatuses = ["busy", "free", "busy-unavailable", "busy-tentative", "entered-in-error"];

    public async Task<IActionResult> MetadataAsync(HttpRequest request, string clinicId, CancellationToken ct) =>
        await WithClinicAsync(request, clinicId, ct, clinic => FhirResult.Ok(FhirCapabilities.Statement(BaseUrl(request, clinicId))));

    public async Task<IActionResult> ScheduleAsync(HttpRequest request, string clinicId, string scheduleId, CancellationToken ct) =>
        await WithClinicAsync(request, clinicId, ct, clinic => scheduleId == FhirMap.ScheduleId
            ? FhirResult.Ok(FhirMap.Schedule(clinic))
            : FhirResult.Refusal(Problem.NotFound("schedule")));

    public async Task<IActionResult> PatientAsync(HttpRequest request, string clinicId, string patientId, CancellationToken ct)
    {
        var clinic = await access.RequireAsync(Api.Caller(request), clinicId, Need.Staff, ct);
        if (!clinic.IsSuccess)
        {
            return FhirResult.Refusal(clinic.Problem!);
        }
        var found = await patients.GetAsync(Api.Caller(request), clinicId, patientId, ct);
        return found.IsSuccess
            ? FhirResult.Versioned(FhirMap.Patient(found.Value.Patient, clinic.Value.Value), found.Value.Patient.Version)
            : FhirResult.Refusal(found.Problem!);
    }

    /// <summary>Patients by identifier: <c>value</c> (any system), <c>system|value</c> (the clinic's system), <c>|value</c> (no system: none).</summary>
    public async Task<IActionResult> SearchPatientsAsync(HttpRequest request, string clinicId, CancellationToken ct)
    {
        var clinic = await access.RequireAsync(Api.Caller(request), clinicId, Need.Staff, ct);
        if (!clinic.IsSuccess)
        {
            return FhirResult.Refusal(clinic.Problem!);
        }
        var identifier = FhirRequest.Single(request, "identifier");
        if (!identifier.IsSuccess || identifier.Value is not { Length: > 0 } token)
        {
            return FhirResult.Refusal(identifier.Problem ?? Problem.Validation("identifier", "Give identifier=value or identifier=system|value (the patient's externalId)."));
        }
        var bar = token.IndexOf('|', StringComparison.Ordinal);
        var (system, value) = bar < 0 ? (null, token) : (token[..bar], token[(bar + 1)..]);
        var found = await patients.FindByExternalIdAsync(Api.Caller(request), clinicId, value, ct);
        if (!found.IsSuccess)
        {
            return FhirResult.Refusal(found.Problem!);
        }
        var matches = system is null || system == clinic.Value.Value.PatientIdentifierSystem ? found.Value : [];
        return Searchset(request, clinicId, matches.Select(p => (Resource)Versioned(FhirMap.Patient(p, clinic.Value.Value), p.Version)).ToList());
    }

    public async Task<IActionResult> SearchSlotsAsync(HttpRequest request, string clinicId, CancellationToken ct)
    {
        var clinic = await access.RequireAsync(Api.Caller(request), clinicId, Need.Staff, ct);
        if (!clinic.IsSuccess)
        {
            return FhirResult.Refusal(clinic.Problem!);
        }
        var range = FhirDates.Range("start", request.Query["start"].ToArray()!, clinic.Value.Value.Zone);
        if (!range.IsSuccess)
        {
            return FhirResult.Refusal(range.Problem!);
        }
        if (range.Value is not { From: { } from, To: { } to })
        {
            return FhirResult.Refusal(Problem.Validation("start", "Give both bounds of the window, for example start=ge2026-12-07&start=lt2026-12-08 (at most 31 days)."));
        }
        var status = Statuses(request, SlotStatuses);
        if (!status.IsSuccess)
        {
            return FhirResult.Refusal(status.Problem!);
        }
        var free = await starts.FreeAsync(Api.Caller(request), clinicId, new TimeWindow(from, to), ct);
        if (!free.IsSuccess)
        {
            return FhirResult.Refusal(free.Problem!);
        }
        var slots = status.Value is null || status.Value.Contains("free") ? free.Value.Slots : [];
        return Searchset(request, clinicId, slots.Select(s => (Resource)FhirMap.Slot(s, free.Value.Clinic)).ToList());
    }

    /// <summary>A session, or a hold (pending) by the id it will keep.</summary>
    public async Task<IActionResult> AppointmentAsync(HttpRequest request, string clinicId, string sessionId, CancellationToken ct)
    {
        var found = await holds.GetAsync(Api.Caller(request), clinicId, sessionId, ct);
        return found.IsSuccess ? Answer(found.Value) : FhirResult.Refusal(found.Problem!);
    }

    public async Task<IActionResult> SearchAppointmentsAsync(HttpRequest request, string clinicId, CancellationToken ct)
    {
        var clinic = await access.RequireAsync(Api.Caller(request), clinicId, Need.Staff, ct);
        if (!clinic.IsSuccess)
        {
            return FhirResult.Refusal(clinic.Problem!);
        }
        var range = FhirDates.Range("date", request.Query["date"].ToArray()!, clinic.Value.Value.Zone);
        var patient = FhirRequest.Single(request, "patient");
        var status = Statuses(request, AppointmentStatuses);
        if ((range.Problem ?? patient.Problem ?? status.Problem) is { } invalid)
        {
            return FhirResult.Refusal(invalid);
        }
        string? patientId = null;
        if (patient.Value is { } reference)
        {
            patientId = reference.StartsWith("Patient/", StringComparison.Ordinal) ? reference["Patient/".Length..] : reference;
            if (!Ids.IsGeneratedId(patientId))
            {
                return FhirResult.Refusal(Problem.Validation("patient", "Give patient=Patient/{id} (or the id alone)."));
            }
        }
        var found = await sessions.SearchAsync(Api.Caller(request), clinicId, range.Value.From, range.Value.To, patientId, ct);
        if (!found.IsSuccess)
        {
            return FhirResult.Refusal(found.Problem!);
        }
        var appointments = found.Value.Select(s => Versioned(FhirMap.Appointment(s), s.Version))
            .Where(a => status.Value is null || status.Value.Contains(a.Status!.Value.GetLiteral()))
            .ToList();
        return Searchset(request, clinicId, appointments);
    }

    /// <summary>$find: proposed appointments for a patient in a window.</summary>
    public async Task<IActionResult> FindAsync(HttpRequest request, string clinicId, CancellationToken ct)
    {
        var clinic = await access.RequireAsync(Api.Caller(request), clinicId, Need.Staff, ct);
        if (!clinic.IsSuccess)
        {
            return FhirResult.Refusal(clinic.Problem!);
        }
        var body = await FhirRequest.ReadAsync<Parameters>(request, ct);
        if (!body.IsSuccess)
        {
            return FhirResult.Refusal(body.Problem!);
        }
        var input = FhirOperations.FindInput(body.Value, clinic.Value.Value);
        if (!input.IsSuccess)
        {
            return FhirResult.Refusal(input.Problem!);
        }
        var (patientId, window) = input.Value;
        var proposed = await starts.ProposeAsync(Api.Caller(request), clinicId, patientId, window, ct);
        return proposed.IsSuccess
            ? Searchset(request, clinicId, proposed.Value.Slots.Select(s => (Resource)FhirMap.Proposed(s, patientId)).ToList())
            : FhirResult.Refusal(proposed.Problem!);
    }

    /// <summary>$hold: a proposed appointment held for five minutes (pending).</summary>
    public async Task<IActionResult> HoldAsync(HttpRequest request, string clinicId, CancellationToken ct)
    {
        var appointment = await OperationAppointmentAsync(request, clinicId, ct);
        if (!appointment.IsSuccess)
        {
            return FhirResult.Refusal(appointment.Problem!);
        }
        var (clinic, given) = appointment.Value;
        if (given.Status != FhirAppointment.AppointmentStatus.Proposed)
        {
            return FhirResult.Refusal(Problem.Rule("not-proposed", "Only a proposed appointment is held.", "Hold an appointment $find proposed (status proposed)."));
        }
        var input = FhirMap.BookingRequest(given, clinic);
        if (!input.IsSuccess)
        {
            return FhirResult.Refusal(input.Problem!);
        }
        var held = await holds.HoldAsync(Api.Caller(request), clinicId, input.Value, ct);
        return held.IsSuccess ? FhirResult.Versioned(FhirMap.Pending(held.Value), held.Value.Session.Version) : FhirResult.Refusal(held.Problem!);
    }

    /// <summary>$book: a held appointment (pending, by its id) becomes its session; a proposed one is booked as POST /sessions books.</summary>
    public async Task<IActionResult> BookAsync(HttpRequest request, string clinicId, CancellationToken ct)
    {
        var appointment = await OperationAppointmentAsync(request, clinicId, ct);
        if (!appointment.IsSuccess)
        {
            return FhirResult.Refusal(appointment.Problem!);
        }
        var (clinic, given) = appointment.Value;
        var caller = Api.Caller(request);
        switch (given.Status)
        {
            case FhirAppointment.AppointmentStatus.Pending when given.Id is { } id:
                var booked = await holds.BookHeldAsync(caller, clinicId, id, ct);
                return booked.IsSuccess ? Versioned(booked.Value) : FhirResult.Refusal(booked.Problem!);
            case FhirAppointment.AppointmentStatus.Proposed:
                var input = FhirMap.BookingRequest(given, clinic);
                if (!input.IsSuccess)
                {
                    return FhirResult.Refusal(input.Problem!);
                }
                var session = await booking.BookAsync(caller, clinicId, input.Value, ct);
                return session.IsSuccess ? Versioned(session.Value) : FhirResult.Refusal(session.Problem!);
            default:
                return FhirResult.Refusal(Problem.Rule("not-bookable", "Only a held or a proposed appointment is booked.",
                    "Book a pending appointment from $hold (with its id) or a proposed one from $find."));
        }
    }

    /// <summary>PUT: the appointment as read with status cancelled cancels it (or lets a hold go); any other change is refused.</summary>
    public async Task<IActionResult> UpdateAppointmentAsync(HttpRequest request, string clinicId, string sessionId, CancellationToken ct)
    {
        var ifMatch = Api.IfMatch(request);
        if (!ifMatch.IsSuccess)
        {
            return FhirResult.Refusal(ifMatch.Problem!);
        }
        var body = await FhirRequest.ReadAsync<FhirAppointment>(request, ct);
        if (!body.IsSuccess)
        {
            return FhirResult.Refusal(body.Problem!);
        }
        if (body.Value.Id != sessionId)
        {
            return FhirResult.Refusal(Problem.Validation("id", "The resource's id must be the id in the URL."));
        }
        var caller = Api.Caller(request);
        var current = await holds.GetAsync(caller, clinicId, sessionId, ct);
        if (!current.IsSuccess)
        {
            return FhirResult.Refusal(current.Problem!);
        }
        var version = current.Value.Booked?.Version ?? current.Value.Held!.Session.Version;
        if (ClinicBackend.Application.Persistence.Concurrency.CheckIfMatch(ifMatch.Value, version) is { } stale)
        {
            return FhirResult.Refusal(stale);
        }
        var now = ToResource(current.Value);
        var change = FhirOperations.StatusChange(now, body.Value);
        if (!change.IsSuccess)
        {
            return FhirResult.Refusal(change.Problem!);
        }
        if (change.Value is not { } reason)
        {
            return Answer(current.Value); // unchanged
        }
        if (current.Value.Held is not null)
        {
            var released = await holds.ReleaseAsync(caller, clinicId, sessionId, ct);
            return released.IsSuccess ? FhirResult.Ok(FhirOperations.Released(FhirMap.Pending(released.Value))) : FhirResult.Refusal(released.Problem!);
        }
        var cancelled = await sessions.CancelAsync(caller, clinicId, sessionId, new CancelInput { Reason = reason.Length == 0 ? null : reason }, ifMatch.Value, ct);
        return cancelled.IsSuccess ? Versioned(cancelled.Value) : FhirResult.Refusal(cancelled.Problem!);
    }

    private async Task<Result<(Clinic Clinic, FhirAppointment Appointment)>> OperationAppointmentAsync(HttpRequest request, string clinicId, CancellationToken ct)
    {
        var clinic = await access.RequireAsync(Api.Caller(request), clinicId, Need.Staff, ct);
        if (!clinic.IsSuccess)
        {
            return clinic.Problem!;
        }
        var body = await FhirRequest.ReadAsync<Parameters>(request, ct);
        if (!body.IsSuccess)
        {
            return body.Problem!;
        }
        var appointment = FhirOperations.OneAppointment(body.Value);
        return appointment.IsSuccess ? (clinic.Value.Value, appointment.Value) : appointment.Problem!;
    }

    private async Task<IActionResult> WithClinicAsync(HttpRequest request, string clinicId, CancellationToken ct, Func<Clinic, IActionResult> answer)
    {
        var clinic = await access.RequireAsync(Api.Caller(request), clinicId, Need.Staff, ct);
        return clinic.IsSuccess ? answer(clinic.Value.Value) : FhirResult.Refusal(clinic.Problem!);
    }

    private static FhirResult Answer(SessionOrHold found) =>
        found.Booked is { } session ? Versioned(session) : FhirResult.Versioned(FhirMap.Pending(found.Held!), found.Held!.Session.Version);

    private static FhirAppointment ToResource(SessionOrHold found) =>
        found.Booked is { } session ? Versioned(FhirMap.Appointment(session), session.Version) : Versioned(FhirMap.Pending(found.Held!), found.Held!.Session.Version);

    private static FhirResult Versioned(ClinicBackend.Domain.Sessions.Session session) => FhirResult.Versioned(FhirMap.Appointment(session), session.Version);

    private static T Versioned<T>(T resource, int version) where T : Resource
    {
        resource.Meta ??= new Meta();
        resource.Meta.VersionId = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return resource;
    }

    /// <summary>The codes of a token parameter (comma-separated, given once), each one of <paramref name="allowed"/>; null when absent.</summary>
    private static Result<string[]?> Statuses(HttpRequest request, string[] allowed)
    {
        var given = FhirRequest.Single(request, "status");
        if (!given.IsSuccess)
        {
            return given.Problem!;
        }
        if (given.Value is null)
        {
            return (string[]?)null;
        }
        var codes = given.Value.Split(',');
        if (!codes.All(allowed.Contains))
        {
            return Problem.Validation("status", $"status takes codes of {string.Join(", ", allowed)}, comma-separated.");
        }
        return codes;
    }

    private static FhirResult Searchset(HttpRequest request, string clinicId, IReadOnlyList<Resource> found) =>
        FhirResult.Ok(FhirMap.Searchset(found, BaseUrl(request, clinicId), request.GetEncodedUrl()));

    /// <summary>The clinic's FHIR base as the caller reached it.</summary>
    public static string BaseUrl(HttpRequest request, string clinicId) =>
        $"{request.Scheme}://{request.Host}{request.PathBase}/{Api.RoutePrefix}/fhir/{Uri.EscapeDataString(clinicId)}";
}
