using ClinicBackend.Domain.Common;
using ClinicBackend.Functions.Http;
using ClinicBackend.Infrastructure.Messaging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace ClinicBackend.Functions.Sms;

/// <summary>
/// The gate in front of Twilio's webhooks: reads the url-encoded form (64 KiB and <see cref="MaxFields"/> fields at most,
/// counted while reading), and lets the request through only when <c>X-Twilio-Signature</c> holds over the
/// public URL and every field and names the configured account. The function then reads the verified form
/// with <see cref="Form"/>.
/// </summary>
public sealed class TwilioWebhookGate(TwilioSignature signature, TwilioOptions options)
{
    public const int MaxFields = 256;
    private const string FormKey = "twilio.verified-form";

    /// <summary>Null when the request may go on; otherwise the refusal to answer with.</summary>
    public async Task<ApiResult?> CheckAsync(HttpContext http)
    {
        var request = http.Request;
        // Twilio posts url-encoded forms, and that is how the body is read: a multipart body is no Twilio request.
        if (!string.Equals(request.GetTypedHeaders().ContentType?.MediaType.Value, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return Forbidden();
        }
        var body = await RequestReader.ReadBodyAsync(request, http.RequestAborted);
        if (!body.IsSuccess)
        {
            return ApiResult.Problem(body.Problem!);
        }
        Dictionary<string, string> fields;
        try
        {
            using var reader = new FormReader(new MemoryStream(body.Value)) { ValueCountLimit = MaxFields, KeyLengthLimit = 1024, ValueLengthLimit = RequestReader.MaxBodyBytes };
            fields = (await reader.ReadFormAsync(http.RequestAborted)).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        }
        catch (InvalidDataException)
        {
            return ApiResult.Problem(new Problem(ProblemKind.TooLarge, "form-too-large", "The form has too many fields.",
                $"A webhook form carries at most {MaxFields} fields."));
        }
        var pathAndQuery = request.Path.Value + request.QueryString.Value;
        if (!signature.IsValid(pathAndQuery, fields, request.Headers["X-Twilio-Signature"].ToString()))
        {
            return Forbidden();
        }
        if (fields.GetValueOrDefault("AccountSid") != options.AccountSid)
        {
            // Signed with our token but about another account (or none): not ours to act on.
            return ApiResult.Problem(StatusCodes.Status403Forbidden, "other-account", "Not this Twilio account.",
                "The webhook's AccountSid is not the account this app is configured for.");
        }
        http.Items[FormKey] = fields;
        return null;
    }

    /// <summary>The form the gate verified for this request.</summary>
    public static IReadOnlyDictionary<string, string> Form(HttpRequest request) =>
        request.HttpContext.Items[FormKey] as IReadOnlyDictionary<string, string>
        ?? throw new InvalidOperationException("The webhook ran without a verified form.");

    private static ApiResult Forbidden() =>
        ApiResult.Problem(StatusCodes.Status403Forbidden, "invalid-signature", "Not signed by Twilio.",
            "Requests to this webhook must carry a valid X-Twilio-Signature for the public URL and every form field.");
}
