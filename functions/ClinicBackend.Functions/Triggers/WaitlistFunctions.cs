using ClinicBackend.Application.Waitlist;
using ClinicBackend.Functions.Http;
using ClinicBackend.Functions.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

public sealed class WaitlistFunctions(WaitlistService waitlist)
{
    [Function("AddToWaitlist")]
    public Task<IActionResult> Add(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/waitlist")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.WithBody<WaitlistInput>(request, ct, async (body, _) =>
            Api.Created(await waitlist.AddAsync(Api.Caller(request), clinicId, body, ct), WaitlistEntryResponse.Of,
                e => $"clinics/{clinicId}/waitlist/{e.Id}", e => e.Version));

    [Function("ListWaitlist")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/waitlist")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.Ok(await waitlist.ListAsync(Api.Caller(request), clinicId, Api.Query(request, "status"), ct),
            es => new WaitlistResponse(es.Select(WaitlistEntryResponse.Of).ToList()));

    [Function("RemoveFromWaitlist")]
    public async Task<IActionResult> Remove(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "clinics/{clinicId}/waitlist/{entryId}")] HttpRequest request,
        string clinicId, string entryId, CancellationToken ct) =>
        Api.NoContent(await waitlist.RemoveAsync(Api.Caller(request), clinicId, entryId, ct));
}
