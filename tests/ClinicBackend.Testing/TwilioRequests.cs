using System.Security.Cryptography;
using System.Text;

namespace ClinicBackend.Testing;

/// <summary>Builds webhook requests the way Twilio signs them (HMAC-SHA1 of the URL and the sorted fields), independently of the SDK.</summary>
public static class TwilioRequests
{
    private static int _sids = Random.Shared.Next(0, 1_000_000);

    /// <summary>A MessageSid no other call of this process gets.</summary>
    public static string NewMessageSid() => $"SM{Interlocked.Increment(ref _sids):x32}";

    /// <summary>The form of an inbound text as Twilio posts it, for the stand-in's account.</summary>
    public static Dictionary<string, string> Inbound(string from, string to, string body, string? messageSid = null, string? messagingServiceSid = null)
    {
        var sid = messageSid ?? NewMessageSid();
        var fields = new Dictionary<string, string>
        {
            ["MessageSid"] = sid,
            ["SmsSid"] = sid,
            ["AccountSid"] = TwilioStandIn.AccountSid,
            ["From"] = from,
            ["To"] = to,
            ["Body"] = body,
            ["NumMedia"] = "0",
            ["NumSegments"] = "1",
            ["ApiVersion"] = "2010-04-01",
        };
        if (messagingServiceSid is not null)
        {
            fields["MessagingServiceSid"] = messagingServiceSid;
        }
        return fields;
    }

    public static string Sign(string url, IReadOnlyDictionary<string, string> fields, string authToken = TwilioStandIn.AuthToken)
    {
        var data = new StringBuilder(url);
        foreach (var (key, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            data.Append(key).Append(value);
        }
        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(authToken));
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(data.ToString())));
    }

    /// <summary>Posts a signed form to a path of the app; the signature covers <paramref name="publicUrl"/> (what Twilio called).</summary>
    public static async Task<Reply> PostSignedAsync(TestApp app, string pathAndQuery, IReadOnlyDictionary<string, string> fields,
        string? publicUrl = null, string? signature = null, IReadOnlyDictionary<string, string>? sentFields = null)
    {
        publicUrl ??= "https://clinic.example.org" + pathAndQuery;
        using var request = new HttpRequestMessage(HttpMethod.Post, pathAndQuery)
        {
            Content = new FormUrlEncodedContent(sentFields ?? fields),
        };
        request.Headers.TryAddWithoutValidation("X-Twilio-Signature", signature ?? Sign(publicUrl, fields));
        using var response = await app.Http.SendAsync(request);
        return await Reply.ReadAsync(response);
    }
}
