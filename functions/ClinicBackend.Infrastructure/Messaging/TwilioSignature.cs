using Twilio.Security;

namespace ClinicBackend.Infrastructure.Messaging;

/// <summary>
/// Checks <c>X-Twilio-Signature</c> against the public URL Twilio called (<c>Twilio__PublicBaseUrl</c> + path
/// and query as requested, never the internal URL) and every form field as sent.
/// </summary>
public sealed class TwilioSignature(TwilioOptions options)
{
    public bool CanVerify => !string.IsNullOrEmpty(options.AuthToken) && !string.IsNullOrEmpty(options.PublicBaseUrl);

    public bool IsValid(string pathAndQuery, IReadOnlyDictionary<string, string> form, string? signature)
    {
        if (!CanVerify || string.IsNullOrEmpty(signature))
        {
            return false;
        }
        var url = options.PublicUrl(pathAndQuery);
        var fields = form.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        return new RequestValidator(options.AuthToken).Validate(url, fields, signature);
    }
}
