using ClinicBackend.Application.Messaging;
using ClinicBackend.Functions.Http;
using ClinicBackend.Infrastructure.Messaging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Functions.Triggers;

/// <summary>Twilio's webhooks: authenticated only by X-Twilio-Signature.</summary>
public sealed class SmsFunctions(TwilioSignature signature, DeliveryStatusService statuses, InboundSmsService inbound, ILogger<SmsFunctions> logger)
{
    [Function("SmsInbound")]
    [PublicEndpoint]
    public async Task<IActionResult> Inbound(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "sms/inbound")] HttpRequest request, CancellationToken ct)
    {
        var form = await TwilioWebhook.ReadSignedFormAsync(request, signature, ct);
        if (form is null)
        {
            logger.LogWarning("Refused an inbound text without a valid Twilio signature.");
            return TwilioWebhook.Forbidden();
        }
        var outcome = await inbound.HandleAsync(form, ct);
        return ApiResult.Text(StatusCodes.Status200OK, TwiML.Reply(outcome.Reply), "text/xml; charset=utf-8");
    }

    [Function("SmsStatus")]
    [PublicEndpoint]
    public async Task<IActionResult> Status(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "sms/status")] HttpRequest request, CancellationToken ct)
    {
        var form = await TwilioWebhook.ReadSignedFormAsync(request, signature, ct);
        if (form is null)
        {
            logger.LogWarning("Refused a status callback without a valid Twilio signature.");
            return TwilioWebhook.Forbidden();
        }
        var outcome = await statuses.RecordAsync(request.Query["ref"].ToString(), form, ct);
        logger.LogInformation("Status callback: {Outcome}", outcome);
        return ApiResult.NoContent();
    }
}

public static class TwilioWebhook
{
    /// <summary>The form fields when the signature holds over the public URL and every field; null otherwise.</summary>
    public static async Task<IReadOnlyDictionary<string, string>?> ReadSignedFormAsync(HttpRequest request, TwilioSignature signature, CancellationToken ct)
    {
        if (request.ContentLength > RequestReader.MaxBodyBytes || !request.HasFormContentType)
        {
            return null;
        }
        var form = await request.ReadFormAsync(ct);
        var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        var pathAndQuery = request.Path.Value + request.QueryString.Value;
        return signature.IsValid(pathAndQuery, fields, request.Headers["X-Twilio-Signature"].ToString()) ? fields : null;
    }

    public static ApiResult Forbidden() =>
        ApiResult.Problem(StatusCodes.Status403Forbidden, "invalid-signature", "Not signed by Twilio.",
            "Requests to this webhook must carry a valid X-Twilio-Signature for the public URL and every form field.");
}
