using ClinicBackend.Functions.Fhir;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

/// <summary>FHIR R4 scheduling below /api/fhir/{clinicId}: each interaction checks format and parameters, then one call of <see cref="FhirScheduling"/>.</summary>
public sealed class FhirFunctions(FhirScheduling fhir)
{
    private const string Base = "fhir/{clinicId}";

    [Function("FhirMetadata")]
    public Task<IActionResult> Metadata(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Base + "/metadata")] HttpRequest request, string clinicId, CancellationToken ct) =>
        FhirRequest.RunAsync(request, [], () => fhir.MetadataAsync(request, clinicId, ct));

    [Function("FhirReadPatient")]
    public Task<IActionResult> ReadPatient(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Base + "/Patient/{patientId}")] HttpRequest request, string clinicId, string patientId, CancellationToken ct) =>
        FhirRequest.RunAsync(request, [], () => fhir.PatientAsync(request, clinicId, patientId, ct));

    [Function("FhirSearchPatient")]
    public Task<IActionResult> SearchPatient(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Base + "/Patient")] HttpRequest request, string clinicId, CancellationToken ct) =>
        FhirRequest.RunAsync(request, FhirCapabilities.Patient.SearchParameterNames, () => fhir.SearchPatientsAsync(request, clinicId, ct));

    [Function("FhirReadSchedule")]
    public Task<IActionResult> ReadSchedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Base + "/Schedule/{scheduleId}")] HttpRequest request, string clinicId, string scheduleId, CancellationToken ct) =>
        FhirRequest.RunAsync(request, [], () => fhir.ScheduleAsync(request, clinicId, scheduleId, ct));

    [Function("FhirSearchSlot")]
    public Task<IActionResult> SearchSlot(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Base + "/Slot")] HttpRequest request, string clinicId, CancellationToken ct) =>
        FhirRequest.RunAsync(request, FhirCapabilities.Slot.SearchParameterNames, () => fhir.SearchSlotsAsync(request, clinicId, ct));

    [Function("FhirReadAppointment")]
    public Task<IActionResult> ReadAppointment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Base + "/Appointment/{sessionId}")] HttpRequest request, string clinicId, string sessionId, CancellationToken ct) =>
        FhirRequest.RunAsync(request, [], () => fhir.AppointmentAsync(request, clinicId, sessionId, ct));

    [Function("FhirSearchAppointment")]
    public Task<IActionResult> SearchAppointment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Base + "/Appointment")] HttpRequest request, string clinicId, CancellationToken ct) =>
        FhirRequest.RunAsync(request, FhirCapabilities.Appointment.SearchParameterNames, () => fhir.SearchAppointmentsAsync(request, clinicId, ct));

    [Function("FhirUpdateAppointment")]
    public Task<IActionResult> UpdateAppointment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Base + "/Appointment/{sessionId}")] HttpRequest request, string clinicId, string sessionId, CancellationToken ct) =>
        FhirRequest.RunAsync(request, [], () => fhir.UpdateAppointmentAsync(request, clinicId, sessionId, ct));

    [Function("FhirFindAppointments")]
    public Task<IActionResult> Find(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Base + "/Appointment/$find")] HttpRequest request, string clinicId, CancellationToken ct) =>
        FhirRequest.RunAsync(request, [], () => fhir.FindAsync(request, clinicId, ct));

    [Function("FhirHoldAppointment")]
    public Task<IActionResult> Hold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Base + "/Appointment/$hold")] HttpRequest request, string clinicId, CancellationToken ct) =>
        FhirRequest.RunAsync(request, [], () => fhir.HoldAsync(request, clinicId, ct));

    [Function("FhirBookAppointment")]
    public Task<IActionResult> Book(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Base + "/Appointment/$book")] HttpRequest request, string clinicId, CancellationToken ct) =>
        FhirRequest.RunAsync(request, [], () => fhir.BookAsync(request, clinicId, ct));
}
