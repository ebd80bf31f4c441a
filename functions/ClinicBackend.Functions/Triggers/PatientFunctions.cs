using ClinicBackend.Application.Patients;
using ClinicBackend.Functions.Http;
using ClinicBackend.Functions.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

public sealed class PatientFunctions(PatientService patients, MessageHistory messages)
{
    [Function("RegisterPatient")]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/patients")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.WithBody<PatientInput>(request, ct, async (body, _) =>
            Api.Created(await patients.RegisterAsync(Api.Caller(request), clinicId, body, ct), PatientResponse.From,
                p => $"clinics/{clinicId}/patients/{p.Patient.Id}", p => p.Patient.Version));

    [Function("GetPatient")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/patients/{patientId}")] HttpRequest request,
        string clinicId, string patientId, CancellationToken ct) =>
        Api.Ok(await patients.GetAsync(Api.Caller(request), clinicId, patientId, ct), PatientResponse.From, p => p.Patient.Version);

    [Function("PatchPatient")]
    public Task<IActionResult> Patch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "clinics/{clinicId}/patients/{patientId}")] HttpRequest request,
        string clinicId, string patientId, CancellationToken ct) =>
        Api.WithBody<PatientInput>(request, ct, async (body, ifMatch) =>
            Api.Ok(await patients.PatchAsync(Api.Caller(request), clinicId, patientId, body, ifMatch, ct), PatientResponse.From, p => p.Patient.Version));

    [Function("GetPatientMessages")]
    public async Task<IActionResult> Messages(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/patients/{patientId}/messages")] HttpRequest request,
        string clinicId, string patientId, CancellationToken ct) =>
        Api.Ok(await messages.ListAsync(Api.Caller(request), clinicId, patientId, ct), ms => new MessagesResponse(ms.Select(MessageResponse.From).ToList()));
}
