using System.Text.Json;
using ClinicBackend.Domain.Common;
using Microsoft.AspNetCore.Http;

namespace ClinicBackend.Functions.Http;

/// <summary>Reads request bodies: at most 64 KiB, JSON only, strict field and type checks, precise errors.</summary>
public static class RequestReader
{
    public const int MaxBodyBytes = 64 * 1024;

    public static readonly Problem TooLarge = new(ProblemKind.TooLarge, "body-too-large", "The request body is too large.",
        $"Request bodies are limited to {MaxBodyBytes / 1024} KiB; send less.");

    public static readonly Problem Unreadable = Problem.Validation("body", "The request body could not be read (its transfer encoding is broken); send it again.");

    public static readonly Problem UnsupportedMediaType = new(ProblemKind.UnsupportedMediaType, "unsupported-media-type",
        "The body is not JSON.", "Send the body as application/json (Content-Type: application/json; charset=utf-8).");

    private static bool IsJson(string contentType) =>
        contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase);

    public static async Task<Result<T>> ReadJsonAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        var bytes = await ReadBodyAsync(request, ct);
        if (!bytes.IsSuccess)
        {
            return bytes.Problem!;
        }
        if (request.ContentType is { } contentType && !IsJson(contentType))
        {
            return UnsupportedMediaType;
        }
        if (bytes.Value.Length == 0)
        {
            return Problem.Validation("body", "A JSON object is required.");
        }
        try
        {
            // A key given twice is refused: which value counts would be up to each parser on the way.
            using var syntax = JsonDocument.Parse(bytes.Value, new JsonDocumentOptions { MaxDepth = ApiJson.Options.MaxDepth, AllowDuplicateProperties = false });
            if (syntax.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Problem.Validation("body", "The body must be a JSON object.");
            }
        }
        catch (JsonException e)
        {
            return Problem.Validation("body", e.Message.StartsWith("Duplicate", StringComparison.Ordinal)
                ? "A field appears twice in the body; send each field once."
                : "The body is not valid JSON.");
        }
        try
        {
            var value = JsonSerializer.Deserialize<T>(bytes.Value, ApiJson.Options);
            return value is null ? Problem.Validation("body", "A JSON object is required.") : value;
        }
        catch (JsonException e)
        {
            return Problem.Validation(FieldOf(e.Path), Describe(e));
        }
    }

    /// <summary>The raw body, or 413 past the limit. Reads no more than the limit plus one chunk.</summary>
    public static async Task<Result<byte[]>> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return TooLarge;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxBodyBytes)
                {
                    return TooLarge;
                }
            }
        }
        catch (BadHttpRequestException e)
        {
            // The server refused the body while it came in: a chunked body can pass the server's own size limit in its
            // read-ahead before this loop has read 64 KiB; or the chunked framing was broken.
            return e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge : Unreadable;
        }
        return buffer.ToArray();
    }

    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "body";
        }
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string Describe(JsonException e)
    {
        var message = e.Message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return "This field is not part of the request; remove it (check its spelling).";
        }
        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            return "Required fields are missing.";
        }
        return "This field has the wrong type or format.";
    }
}
