using System.Text.Json.Nodes;

namespace ClinicBackend.Testing;

/// <summary>A response read whole: status, headers, and the body as JSON when it is JSON.</summary>
public sealed record Reply(int Status, string Body, string? ContentType, HttpResponseMessage Raw)
{
    public JsonNode? Json => Body.Length > 0 && ContentType?.Contains("json", StringComparison.Ordinal) == true ? JsonNode.Parse(Body) : null;

    public string? this[string property] => Json?[property]?.ToString();

    public string? Header(string name) =>
        Raw.Headers.TryGetValues(name, out var values) || Raw.Content.Headers.TryGetValues(name, out values) ? values.First() : null;

    public static async Task<Reply> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return new Reply((int)response.StatusCode, body, response.Content.Headers.ContentType?.ToString(), response);
    }

    /// <summary>What a check of the status says when it fails.</summary>
    public string StatusMismatch(int expected) => $"expected {expected}, got {Status}: {Body}";

    /// <summary>Throws unless the status is <paramref name="status"/>; tests assert with Expect instead.</summary>
    public Reply EnsureStatus(int status) => Status == status ? this : throw new InvalidOperationException(StatusMismatch(status));
}
