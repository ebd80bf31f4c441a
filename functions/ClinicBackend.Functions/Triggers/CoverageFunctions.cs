using ClinicBackend.Application.Payment;
using ClinicBackend.Functions.Http;
using ClinicBackend.Functions.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

/// <summary>Patients' coverage (payer, member id, route, authorizations) and the pharmacy shipments of their visits.</summary>
public sealed class CoverageFunctions(CoverageService coverage)
{
    [Function("GetCoverage")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/patients/{patientId}/coverage")] HttpRequest request,
        string clinicId, string patientId, CancellationToken ct) =>
        NoStore(Api.Ok(await coverage.GetAsync(Api.Caller(request), clinicId, patientId, ct), CoverageResponse.From, c => c.Coverage!.Version));

    [Function("PutCoverage")]
    public Task<IActionResult> Put(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "clinics/{clinicId}/patients/{patientId}/coverage")] HttpRequest request,
        string clinicId, string patientId, CancellationToken ct) =>
        Api.WithBody<CoverageInput>(request, ct, async (body, ifMatch) =>
            NoStore(Api.Ok(await coverage.PutAsync(Api.Caller(request), clinicId, patientId, body, ifMatch, ct), CoverageResponse.From, c => c.Coverage!.Version)));

    [Function("RecordShipment")]
    public Task<IActionResult> Shipment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/shipment")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<ShipmentInput>(request, ct, async (body, _) =>
            NoStore(Api.Ok(await coverage.RecordShipmentAsync(Api.Caller(request), clinicId, sessionId, body, ct), ShipmentRecordedResponse.From)));

    /// <summary>Coverage is PHI: no cache keeps it.</summary>
    private static IActionResult NoStore(IActionResult result)
    {
        if (result is ApiResult api)
        {
            api.Headers["Cache-Control"] = "no-store";
        }
        return result;
    }
}
