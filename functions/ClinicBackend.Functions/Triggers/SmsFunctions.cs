using ClinicBackend.Application.Inbound;
using ClinicBackend.Application.Outbound;
using ClinicBackend.Functions.Http;
using ClinicBackend.Functions.Sms;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Functions.Triggers;

/// <summary>Twilio's webhooks; the pipeline verified X-Twilio-Signature before they run.</summary>
public sealed class SmsFunctions(DeliveryStatusService statuses, InboundSmsService inbound, ILogger<SmsFunctions> logger)
{
    [Function("SmsInbound")]
    [TwilioWebhook]
    public async Task<IActionResult> Inbound(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "sms/inbound")] HttpRequest request, CancellationToken ct)
    {
        var outcome = await inbound.HandleAsync(TwilioWebhookGate.Form(request), ct);
        return ApiResult.Text(StatusCodes.Status200OK, TwiML.Reply(outcome.Reply), TwiML.ContentType);
    }

    [Function("SmsStatus")]
    [TwilioWebhook]
    public async Task<IActionResult> Status(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "sms/status")] HttpRequest request, CancellationToken ct)
    {
        var outcome = await statuses.RecordAsync(StatusCallbackUrls.Parse(request.Query["ref"].ToString()), TwilioWebhookGate.Form(request), ct);
        logger.LogInformation("Status callback: {Outcome}", outcome);
        return ApiResult.NoContent();
    }
}
