using ClinicBackend.Application.Persistence;
using ClinicBackend.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

public sealed class HealthFunctions(ClinicData data)
{
    private static readonly TimeSpan StorageTimeout = TimeSpan.FromSeconds(5);

    [Function("Health")]
    [PublicEndpoint]
    public async Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(StorageTimeout);
        return await data.PingAsync(timeout.Token)
            ? ApiResult.Ok(new { status = "ok" })
            : ApiResult.Json(StatusCodes.Status503ServiceUnavailable, new { status = "unavailable", detail = "Table storage does not answer." });
    }
}
