using ClinicBackend.Application.Access;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Runs;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

public sealed class ClinicFunctions(ClinicService clinics)
{
    [Function("CreateClinic")]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics")] HttpRequest request, CancellationToken ct) =>
        Api.WithBody<ClinicInput>(request, ct, (body, _) => clinics.CreateAsync(Api.Caller(request), body, ct));

    [Function("GetClinic")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.Respond(await clinics.GetAsync(Api.Caller(request), clinicId, ct));

    [Function("PatchClinic")]
    public Task<IActionResult> Patch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "clinics/{clinicId}")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.WithBody<ClinicInput>(request, ct, (body, ifMatch) => clinics.PatchAsync(Api.Caller(request), clinicId, body, ifMatch, ct));

    [Function("ListMembers")]
    public async Task<IActionResult> ListMembers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/members")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.Respond(await clinics.MembersAsync(Api.Caller(request), clinicId, ct));

    [Function("PutMember")]
    public Task<IActionResult> PutMember(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "clinics/{clinicId}/members/{oid}")] HttpRequest request, string clinicId, string oid, CancellationToken ct) =>
        Api.WithBody<MemberInput>(request, ct, (body, _) => clinics.PutMemberAsync(Api.Caller(request), clinicId, oid, body, ct));

    [Function("DeleteMember")]
    public async Task<IActionResult> DeleteMember(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "clinics/{clinicId}/members/{oid}")] HttpRequest request, string clinicId, string oid, CancellationToken ct) =>
        Api.Respond(await clinics.DeleteMemberAsync(Api.Caller(request), clinicId, oid, ct));

    [Function("GetAudit")]
    public async Task<IActionResult> Audit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/audit")] HttpRequest request, string clinicId, CancellationToken ct)
    {
        var limit = Api.IntQuery(request, "limit");
        return limit.IsSuccess
            ? Api.Respond(await clinics.AuditAsync(Api.Caller(request), clinicId, limit.Value, ct))
            : ApiResult.Problem(limit.Problem!);
    }
}
