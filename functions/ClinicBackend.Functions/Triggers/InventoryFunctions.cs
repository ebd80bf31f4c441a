using ClinicBackend.Application.Inventory;
using ClinicBackend.Functions.Http;
using ClinicBackend.Functions.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

/// <summary>The drug on hand: lots received, their count, witnessed adjustments and the controlled-substance log.</summary>
public sealed class InventoryFunctions(InventoryService inventory)
{
    [Function("ReceiveLot")]
    public Task<IActionResult> Receive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/inventory/lots")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.WithBody<ReceiveLotInput>(request, ct, async (body, _) =>
            Api.Created(await inventory.ReceiveAsync(Api.Caller(request), clinicId, body, ct), LotResponse.From,
                l => $"clinics/{clinicId}/inventory/lots/{l.Number}/log", l => l.Version));

    [Function("GetInventory")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/inventory")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.Ok(await inventory.ListAsync(Api.Caller(request), clinicId, ct), InventoryResponse.From);

    [Function("AdjustLot")]
    public Task<IActionResult> Adjust(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/inventory/lots/{lot}/adjustments")] HttpRequest request,
        string clinicId, string lot, CancellationToken ct) =>
        Api.WithBody<AdjustmentInput>(request, ct, async (body, ifMatch) =>
            Api.Created(await inventory.AdjustAsync(Api.Caller(request), clinicId, lot, body, ifMatch, ct), AdjustmentResponse.From,
                c => $"clinics/{clinicId}/inventory/lots/{c.Lot.Number}/log", c => c.Lot.Version));

    [Function("GetLotLog")]
    public async Task<IActionResult> Log(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/inventory/lots/{lot}/log")] HttpRequest request,
        string clinicId, string lot, CancellationToken ct) =>
        Api.Ok(await inventory.LogAsync(Api.Caller(request), clinicId, lot, ct), LotLogResponse.From, l => l.Lot.Version);
}
