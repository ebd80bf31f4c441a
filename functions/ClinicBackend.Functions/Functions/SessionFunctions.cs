using ClinicBackend.Application.Access;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Runs;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

public sealed class SessionFunctions(SessionService sessions)
{
    [Function("GetAvailability")]
    public async Task<IActionResult> Availability(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/availability")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.Respond(await sessions.AvailabilityAsync(Api.Caller(request), clinicId, Api.Query(request, "date"), ct));

    [Function("BookSession")]
    public Task<IActionResult> Book(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.WithBody<BookInput>(request, ct, (body, _) => sessions.BookAsync(Api.Caller(request), clinicId, body, ct));

    [Function("ListSessions")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/sessions")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.Respond(await sessions.ListAsync(Api.Caller(request), clinicId, Api.Query(request, "date"), Api.Query(request, "patientId"), ct));

    [Function("GetSession")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/sessions/{sessionId}")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.Respond(await sessions.GetAsync(Api.Caller(request), clinicId, sessionId, ct));

    [Function("RescheduleSession")]
    public Task<IActionResult> Reschedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/reschedule")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<RescheduleInput>(request, ct, (body, ifMatch) => sessions.RescheduleAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct));

    [Function("CancelSession")]
    public Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/cancel")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<CancelInput>(request, ct, (body, ifMatch) => sessions.CancelAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct));

    [Function("CheckInSession")]
    public Task<IActionResult> CheckIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/check-in")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithoutBody(request, ct, ifMatch => sessions.CheckInAsync(Api.Caller(request), clinicId, sessionId, ifMatch, ct));

    [Function("CompleteSession")]
    public Task<IActionResult> Complete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/complete")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<CompleteInput>(request, ct, (body, ifMatch) => sessions.CompleteAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct));

    [Function("FileRemsForm")]
    public Task<IActionResult> FileRemsForm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/rems-form")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<RemsFormInput>(request, ct, (body, ifMatch) => sessions.FileRemsFormAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct));
}
