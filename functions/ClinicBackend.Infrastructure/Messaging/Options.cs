using System.Text.RegularExpressions;
using ClinicBackend.Application.Outbound;

namespace ClinicBackend.Infrastructure.Messaging;

/// <summary>Settings section <c>Outbox</c>.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>Fully qualified Service Bus namespace. When absent, storage queues on the clinic storage are used.</summary>
    public string? ServiceBusNamespace { get; set; }

    public string QueueName { get; set; } = "sms-outbox";

    public string EventsTopicName { get; set; } = "clinic-events";

    /// <summary>
    /// Storage-queue outbox only: the longest a message is hidden until its send time (the queue allows 7 days;
    /// the dispatcher defers anything that shows up early). Tests that move a fake clock set it to zero.
    /// </summary>
    public TimeSpan StorageQueueMaxDelay { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How many texts the dispatcher works on at once (its sends are still paced to what Twilio accepts).</summary>
    public int DispatchConcurrency { get; set; } = DispatchSettings.DefaultConcurrency;

    public bool UsesServiceBus => !string.IsNullOrWhiteSpace(ServiceBusNamespace);
}

/// <summary>Settings section <c>Twilio</c>.</summary>
public sealed partial class TwilioOptions
{
    public const string Section = "Twilio";
    public const string DefaultApiBaseUrl = "https://api.twilio.com";

    public string? AccountSid { get; set; }

    public string? AuthToken { get; set; }

    /// <summary>The public base URL Twilio calls: webhook signatures are checked against it; status callbacks point under it.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Where the Twilio SDK's requests go; a local stand-in in tests.</summary>
    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>How long one call to Twilio may take before it counts as a (retryable) timeout.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Without credentials texts are recorded as simulated, not sent.</summary>
    public bool IsSimulated => string.IsNullOrWhiteSpace(AccountSid) || string.IsNullOrWhiteSpace(AuthToken);

    [GeneratedRegex("^AC[0-9a-fA-F]{32}$")]
    private static partial Regex AccountSidPattern();

    public IEnumerable<string> Validate(bool development)
    {
        var hasSid = !string.IsNullOrWhiteSpace(AccountSid);
        var hasToken = !string.IsNullOrWhiteSpace(AuthToken);
        if (hasSid && !AccountSidPattern().IsMatch(AccountSid!))
        {
            yield return "Twilio__AccountSid must be 'AC' followed by 32 hexadecimal characters.";
        }
        if (hasSid != hasToken)
        {
            yield return "Twilio__AccountSid and Twilio__AuthToken must be set together (or both left out to simulate texts).";
        }
        else if (!hasSid && !development)
        {
            yield return "Twilio__AccountSid and Twilio__AuthToken are required outside Development (only local runs simulate texts).";
        }
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var api) || (api.Scheme != Uri.UriSchemeHttps && api.Scheme != Uri.UriSchemeHttp))
        {
            yield return "Twilio__ApiBaseUrl must be an absolute http(s) URL.";
        }
        else if (!development && (api.Scheme != Uri.UriSchemeHttps || !IsTwilioHost(api.Host)))
        {
            // The auth token goes along as Basic authentication: only ever to Twilio, encrypted.
            yield return "Twilio__ApiBaseUrl must be Twilio's own https API (https://api.twilio.com) outside Development; other hosts are for local stand-ins.";
        }
        if (string.IsNullOrWhiteSpace(PublicBaseUrl))
        {
            if (!development)
            {
                yield return "Twilio__PublicBaseUrl is required: the public https URL of this app, which Twilio calls.";
            }
        }
        else if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.Query)
                 || (uri.Scheme != Uri.UriSchemeHttps && (!development || uri.Scheme != Uri.UriSchemeHttp)))
        {
            yield return development
                ? "Twilio__PublicBaseUrl must be an absolute http(s) URL without a query."
                : "Twilio__PublicBaseUrl must be an absolute https URL without a query.";
        }
    }

    private static bool IsTwilioHost(string host) =>
        host.Equals("twilio.com", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".twilio.com", StringComparison.OrdinalIgnoreCase);

    /// <summary>The public URL of a path under /api, as Twilio sees it.</summary>
    public string PublicUrl(string pathAndQuery) => (PublicBaseUrl ?? "http://127.0.0.1:7071").TrimEnd('/') + pathAndQuery;
}
