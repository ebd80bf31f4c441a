using ClinicBackend.Application.Clinics;
using ClinicBackend.Functions.Http;
using ClinicBackend.Functions.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

public sealed class ClinicFunctions(ClinicService clinics, MembershipService members)
{
    [Function("CreateClinic")]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics")] HttpRequest request, CancellationToken ct) =>
        Api.WithBody<ClinicInput>(request, ct, async (body, _) =>
            Api.Created(await clinics.CreateAsync(Api.Caller(request), body, ct), ClinicResponse.From, c => $"clinics/{c.Id}", c => c.Version));

    [Function("GetClinic")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.Ok(await clinics.GetAsync(Api.Caller(request), clinicId, ct), ClinicResponse.From, c => c.Version);

    [Function("PatchClinic")]
    public Task<IActionResult> Patch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "clinics/{clinicId}")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.WithBody<ClinicInput>(request, ct, async (body, ifMatch) =>
            Api.Ok(await clinics.PatchAsync(Api.Caller(request), clinicId, body, ifMatch, ct), ClinicResponse.From, c => c.Version));

    [Function("ListMembers")]
    public async Task<IActionResult> ListMembers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/members")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.Ok(await members.MembersAsync(Api.Caller(request), clinicId, ct), ms => new MembersResponse(ms.Select(m => MemberResponse.From(clinicId, m)).ToList()));

    [Function("PutMember")]
    public Task<IActionResult> PutMember(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "clinics/{clinicId}/members/{oid}")] HttpRequest request, string clinicId, string oid, CancellationToken ct) =>
        Api.WithBody<MemberInput>(request, ct, async (body, _) =>
        {
            var result = await members.PutMemberAsync(Api.Caller(request), clinicId, oid, body, ct);
            return result.IsSuccess && result.Value.Created
                ? Api.Created(result, m => MemberResponse.From(clinicId, m.Member), m => $"clinics/{clinicId}/members/{m.Member.ObjectId}", m => m.Member.Version)
                : Api.Ok(result, m => MemberResponse.From(clinicId, m.Member), m => m.Member.Version);
        });

    [Function("DeleteMember")]
    public async Task<IActionResult> DeleteMember(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "clinics/{clinicId}/members/{oid}")] HttpRequest request, string clinicId, string oid, CancellationToken ct) =>
        Api.NoContent(await members.DeleteMemberAsync(Api.Caller(request), clinicId, oid, ct));

    [Function("GetAudit")]
    public Task<IActionResult> Audit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/audit")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.WithIntQuery(request, "limit", async limit =>
            Api.Ok(await clinics.AuditAsync(Api.Caller(request), clinicId, limit, ct), es => new AuditResponse(es.Select(AuditEntryResponse.From).ToList())));
}
