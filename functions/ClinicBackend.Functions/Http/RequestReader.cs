using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using ClinicBackend.Domain.Common;
using Microsoft.AspNetCore.Http;

namespace ClinicBackend.Functions.Http;

/// <summary>Reads request bodies: at most 64 KiB, JSON only, strict field and type checks, precise errors.</summary>
public static partial class RequestReader
{
    public const int MaxBodyBytes = 64 * 1024;

    public static readonly Problem TooLarge = new(ProblemKind.TooLarge, "body-too-large", "The request body is too large.",
        $"Request bodies are limited to {MaxBodyBytes / 1024} KiB; send less.");

    public static readonly Problem Unreadable = Problem.Validation("body", "The request body could not be read (its transfer encoding is broken); send it again.");

    public static readonly Problem UnsupportedMediaType = new(ProblemKind.UnsupportedMediaType, "unsupported-media-type",
        "The body is not JSON.", "Send the body as application/json (Content-Type: application/json; charset=utf-8).");

    private static bool IsJson(string contentType) =>
        contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The body as <typeparamref name="T"/>. <paramref name="screen"/> looks at the parsed JSON first, for a body
    /// that deserves a more helpful refusal than a field-by-field one (a body of an earlier version of the contract).
    /// </summary>
    public static async Task<Result<T>> ReadJsonAsync<T>(HttpRequest request, CancellationToken ct, Func<JsonElement, Problem?>? screen = null) where T : class
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
        JsonValueKind root;
        try
        {
            using var syntax = JsonDocument.Parse(bytes.Value, new JsonDocumentOptions { MaxDepth = ApiJson.Options.MaxDepth });
            root = syntax.RootElement.ValueKind;
        }
        catch (JsonException)
        {
            return Problem.Validation("body", "The body is not valid JSON.");
        }
        JsonDocument unique;
        try
        {
            // Well-formed, so all this parse can refuse is a key given twice: which value counts would be up to each parser on the way.
            unique = JsonDocument.Parse(bytes.Value, new JsonDocumentOptions { MaxDepth = ApiJson.Options.MaxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return Problem.Validation("body", "A field appears twice in the body; send each field once.");
        }
        using (unique)
        {
            if (root != JsonValueKind.Object)
            {
                return Problem.Validation("body", "The body must be a JSON object.");
            }
            if (screen?.Invoke(unique.RootElement) is { } screened)
            {
                return screened;
            }
        }
        try
        {
            var value = JsonSerializer.Deserialize<T>(bytes.Value, ApiJson.Options);
            return value is null ? Problem.Validation("body", "A JSON object is required.") : value;
        }
        catch (JsonException e)
        {
            return Problem.Validation(FieldOf(e.Path), IsUnknownField(typeof(T), e.Path)
                ? "This field is not part of the request; remove it (check its spelling)."
                : "This field has the wrong type or format.");
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

    /// <summary>
    /// Whether the serializer's error path ends in a field the request type has no member for. The path is followed
    /// through the serializer's own metadata: objects by property name, lists and dictionaries to their elements.
    /// </summary>
    private static bool IsUnknownField(Type type, string? path)
    {
        var info = ApiJson.Options.GetTypeInfo(type);
        foreach (Match segment in PathSegment().Matches(path ?? ""))
        {
            var name = segment.Groups["name"];
            switch (info.Kind)
            {
                case JsonTypeInfoKind.Object when name.Success:
                    var property = info.Properties.FirstOrDefault(p => p.Name.Equals(name.Value, StringComparison.OrdinalIgnoreCase));
                    if (property is null)
                    {
                        return true;
                    }
                    info = ApiJson.Options.GetTypeInfo(property.PropertyType);
                    break;
                case JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary:
                    info = ApiJson.Options.GetTypeInfo(info.ElementType!);
                    break;
                default:
                    return false;
            }
        }
        return false;
    }

    /// <summary>One step of a System.Text.Json path: .name, ['name'] or [index].</summary>
    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<name>.*?)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();
}
