using ClinicBackend.Domain.Common;
using ClinicBackend.Functions.Http;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace ClinicBackend.Functions.Fhir;

/// <summary>
/// What every FHIR interaction checks before its service call: JSON is asked for (by <c>_format</c> or <c>Accept</c>; XML
/// and anything else is a 406), every query parameter is one it serves (strict handling: an unknown one is refused, never
/// ignored), and a body is FHIR JSON of the expected resource.
/// </summary>
public static class FhirRequest
{
    /// <summary>Parameters every interaction takes.</summary>
    public static readonly string[] GeneralParameters = ["_format", "_pretty"];

    private static readonly string[] JsonFormats = ["json", "application/json", FhirJson.MediaType, "application/json+fhir"];
    private static readonly string[] JsonRanges = ["*/*", "application/*", "application/json", FhirJson.MediaType, "application/json+fhir"];

    /// <summary>Runs <paramref name="run"/> unless the format or the query parameters are refused.</summary>
    public static async Task<IActionResult> RunAsync(HttpRequest request, IReadOnlyCollection<string> parameters, Func<Task<IActionResult>> run) =>
        (IActionResult?)Check(request, parameters) ?? await run();

    /// <summary>The refusal of a request's format or query parameters, or null.</summary>
    public static FhirResult? Check(HttpRequest request, IReadOnlyCollection<string> parameters)
    {
        var format = request.Query["_format"];
        if (format.Count > 1)
        {
            return Invalid("_format", "Give _format once.");
        }
        if (format.Count == 1 ? !JsonFormats.Contains(MediaTypeOnly(format.ToString())) : !AcceptsJson(request.Headers.Accept.ToString()))
        {
            return FhirResult.Refusal(StatusCodes.Status406NotAcceptable, "not-acceptable", "Only JSON is served.",
                "This server answers FHIR in JSON only: ask for application/fhir+json (Accept, or _format=json); XML is not served.");
        }
        var pretty = request.Query["_pretty"];
        if (pretty.Count > 1 || (pretty.Count == 1 && pretty.ToString() is not ("true" or "false")))
        {
            return Invalid("_pretty", "_pretty is true or false, given once.");
        }
        if (!IsUtf8(request.QueryString.Value ?? ""))
        {
            return Invalid("query", "The query is not valid UTF-8 text once percent-decoded; percent-encode the UTF-8 bytes of each value.");
        }
        var unknown = request.Query.Keys.FirstOrDefault(k => !GeneralParameters.Contains(k) && !parameters.Contains(k));
        return unknown is null ? null : Invalid(unknown, parameters.Count == 0
            ? $"This interaction takes no parameter {unknown}; only {string.Join(", ", GeneralParameters)}."
            : $"Unknown or unsupported parameter {unknown}: this interaction takes {string.Join(", ", parameters)} (and {string.Join(", ", GeneralParameters)}); "
              + "unknown parameters are refused, not ignored.");
    }

    /// <summary>A query parameter given at most once, or null when absent.</summary>
    public static Result<string?> Single(HttpRequest request, string name)
    {
        var values = request.Query[name];
        return values.Count switch
        {
            0 => (string?)null,
            1 => values.ToString(),
            _ => Problem.Validation(name, $"Give {name} once."),
        };
    }

    /// <summary>The body as a resource of type <typeparamref name="T"/>: FHIR JSON, at most 64 KiB, read strictly.</summary>
    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : Resource
    {
        var bytes = await RequestReader.ReadBodyAsync(request, ct);
        if (!bytes.IsSuccess)
        {
            return bytes.Problem!;
        }
        if (request.ContentType is { } contentType && !JsonFormats.Contains(MediaTypeOnly(contentType)))
        {
            return new Problem(ProblemKind.UnsupportedMediaType, "unsupported-media-type", "The body is not FHIR JSON.",
                "Send the body as application/fhir+json (or application/json); XML is not read.");
        }
        if (bytes.Value.Length == 0)
        {
            return Problem.Validation("body", $"A {typeof(T).Name} resource is required.");
        }
        var (resource, errors) = FhirJson.Deserialize(bytes.Value);
        if (resource is null)
        {
            return Problem.Validation(new Dictionary<string, string[]> { ["body"] = [.. errors] });
        }
        return resource is T typed ? typed : Problem.Validation("resourceType", $"The body must be a {typeof(T).Name} resource, not {resource.TypeName}.");
    }

    /// <summary>Whether a raw query's percent-escapes spell UTF-8 (the server leaves escapes of invalid bytes as they are).</summary>
    private static bool IsUtf8(string rawQuery)
    {
        var bytes = new List<byte>(rawQuery.Length);
        for (var i = 0; i < rawQuery.Length; i++)
        {
            if (rawQuery[i] == '%' && i + 2 < rawQuery.Length && byte.TryParse(rawQuery.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber, null, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(rawQuery[i].ToString()));
            }
        }
        try
        {
            _ = StrictUtf8.GetString([.. bytes]);
            return true;
        }
        catch (System.Text.DecoderFallbackException)
        {
            return false;
        }
    }

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static FhirResult Invalid(string name, string message) => FhirResult.Refusal(Problem.Validation(name, message));

    private static string MediaTypeOnly(string value) => value.Split(';')[0].Trim().ToLowerInvariant();

    /// <summary>Whether an Accept header allows JSON: absent, or a JSON (or wildcard) range with a weight above 0.</summary>
    private static bool AcceptsJson(string accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return true;
        }
        return MediaTypeHeaderValue.TryParseList([accept], out var ranges)
            && ranges.Any(r => JsonRanges.Contains(r.MediaType.ToString().ToLowerInvariant()) && (r.Quality ?? 1) > 0);
    }
}
