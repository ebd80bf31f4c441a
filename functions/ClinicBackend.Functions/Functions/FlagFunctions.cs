using ClinicBackend.Application.Access;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Runs;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

public sealed class FlagFunctions(FlagService flags)
{
    [Function("ListFlags")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/flags")] HttpRequest request, string clinicId, CancellationToken ct)
    {
        var limit = Api.IntQuery(request, "limit");
        return limit.IsSuccess
            ? Api.Respond(await flags.ListAsync(Api.Caller(request), clinicId, Api.Query(request, "status"), Api.Query(request, "kind"), limit.Value, ct))
            : ApiResult.Problem(limit.Problem!);
    }

    [Function("ResolveFlag")]
    public Task<IActionResult> Resolve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/flags/{flagId}/resolve")] HttpRequest request,
        string clinicId, string flagId, CancellationToken ct) =>
        Api.WithBody<ResolveInput>(request, ct, (body, ifMatch) => flags.ResolveAsync(Api.Caller(request), clinicId, flagId, body, ifMatch, ct));
}
