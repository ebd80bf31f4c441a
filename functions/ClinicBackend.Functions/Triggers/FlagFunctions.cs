using ClinicBackend.Application.Escalation;
using ClinicBackend.Application.Flags;
using ClinicBackend.Functions.Http;
using ClinicBackend.Functions.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

public sealed class FlagFunctions(FlagService flags, EscalationService escalation)
{
    [Function("ListFlags")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/flags")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.WithIntQuery(request, "limit", async limit =>
            Api.Ok(await flags.ListAsync(Api.Caller(request), clinicId, Api.Query(request, "status"), Api.Query(request, "kind"), limit, ct),
                fs => new FlagsResponse(fs.Select(FlagResponse.From).ToList())));

    [Function("AcknowledgeFlag")]
    public Task<IActionResult> Acknowledge(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/flags/{flagId}/acknowledge")] HttpRequest request,
        string clinicId, string flagId, CancellationToken ct) =>
        Api.WithoutBody(request, ct, async ifMatch =>
            Api.Ok(await escalation.AcknowledgeAsync(Api.Caller(request), clinicId, flagId, ifMatch, ct), FlagResponse.From, f => f.Version));

    [Function("ResolveFlag")]
    public Task<IActionResult> Resolve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/flags/{flagId}/resolve")] HttpRequest request,
        string clinicId, string flagId, CancellationToken ct) =>
        Api.WithBody<ResolveInput>(request, ct, async (body, ifMatch) =>
            Api.Ok(await flags.ResolveAsync(Api.Caller(request), clinicId, flagId, body, ifMatch, ct), FlagResponse.From, f => f.Version));
}
