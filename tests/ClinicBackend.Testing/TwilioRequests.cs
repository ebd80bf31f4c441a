using System.Security.Cryptography;
using System.Text;

namespace ClinicBackend.Testing;

/// <summary>Builds webhook requests the way Twilio signs them (HMAC-SHA1 of the URL and the sorted fields), independently of the SDK.</summary>
public static class TwilioRequests
{
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
