using ClinicBackend.Application.Access;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Runs;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

public sealed class PatientFunctions(PatientService patients, MessageHistory messages)
{
    [Function("RegisterPatient")]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/patients")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.WithBody<PatientInput>(request, ct, (body, _) => patients.RegisterAsync(Api.Caller(request), clinicId, body, ct));

    [Function("GetPatient")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/patients/{patientId}")] HttpRequest request,
        string clinicId, string patientId, CancellationToken ct) =>
        Api.Respond(await patients.GetAsync(Api.Caller(request), clinicId, patientId, ct));

    [Function("PatchPatient")]
    public Task<IActionResult> Patch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "clinics/{clinicId}/patients/{patientId}")] HttpRequest request,
        string clinicId, string patientId, CancellationToken ct) =>
        Api.WithBody<PatientInput>(request, ct, (body, ifMatch) => patients.PatchAsync(Api.Caller(request), clinicId, patientId, body, ifMatch, ct));

    [Function("GetPatientMessages")]
    public async Task<IActionResult> Messages(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/patients/{patientId}/messages")] HttpRequest request,
        string clinicId, string patientId, CancellationToken ct) =>
        Api.Respond(await messages.ListAsync(Api.Caller(request), clinicId, patientId, ct));
}
