using System.Text.Json;
using ClinicBackend.Domain.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace ClinicBackend.Functions.Http;

/// <summary>
/// The one result type of the HTTP functions: it writes itself, so it behaves the same in the Functions
/// worker and in the local host, with no MVC formatters involved.
/// </summary>
public sealed class ApiResult : IActionResult
{
    private readonly object? _body;
    private readonly string? _text;
    private readonly ReadOnlyMemory<byte>? _bytes;

    private ApiResult(int status, object? body, string? text, string? contentType, ReadOnlyMemory<byte>? bytes = null)
    {
        StatusCode = status;
        _body = body;
        _text = text;
        _bytes = bytes;
        ContentType = contentType;
    }

    public int StatusCode { get; }

    public string? ContentType { get; }

    public object? Body => _body;

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static ApiResult Json(int status, object body) => new(status, body, null, "application/json; charset=utf-8");

    public static ApiResult Ok(object body) => Json(StatusCodes.Status200OK, body);

    public static ApiResult Created(object body, string location)
    {
        var result = Json(StatusCodes.Status201Created, body);
        result.Headers["Location"] = location;
        return result;
    }

    public static ApiResult NoContent() => new(StatusCodes.Status204NoContent, null, null, null);

    /// <summary>302 Found to <paramref name="location"/> (absolute, or relative to the request's URL).</summary>
    public static ApiResult Redirect(string location)
    {
        var result = new ApiResult(StatusCodes.Status302Found, null, null, null);
        result.Headers["Location"] = location;
        return result;
    }

    public static ApiResult Text(int status, string text, string contentType) => new(status, null, text, contentType);

    public static ApiResult Bytes(int status, ReadOnlyMemory<byte> bytes, string contentType) => new(status, null, null, contentType, bytes);

    public static ApiResult Problem(Problem problem) =>
        new(ProblemHttp.StatusOf(problem.Kind), ProblemHttp.Body(problem), null, "application/problem+json; charset=utf-8");

    public static ApiResult Problem(Problem problem, IReadOnlyList<Responses.CourseConflictResponse> conflicts) =>
        new(ProblemHttp.StatusOf(problem.Kind), ProblemHttp.Body(problem) with { Conflicts = conflicts }, null, "application/problem+json; charset=utf-8");

    public static ApiResult Problem(int status, string code, string title, string detail, string? correlationId = null) =>
        new(status, new ProblemBody(ProblemHttp.TypeUri(code), title, status, detail, null, correlationId), null, "application/problem+json; charset=utf-8");

    public ApiResult WithVersion(int version)
    {
        Headers["ETag"] = $"\"{version}\"";
        return this;
    }

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCode;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }
        if (ContentType is not null)
        {
            response.ContentType = ContentType;
        }
        if (_text is not null)
        {
            await response.WriteAsync(_text, context.HttpContext.RequestAborted);
        }
        else if (_bytes is { } bytes)
        {
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, context.HttpContext.RequestAborted);
        }
        else if (_body is not null)
        {
            await JsonSerializer.SerializeAsync(response.Body, _body, _body.GetType(), ApiJson.Options, context.HttpContext.RequestAborted);
        }
    }
}

/// <summary>RFC 9457 problem details; <c>correlationId</c> names an unexpected failure in the logs.</summary>
/// <param name="Conflicts">A refused course booking: each start it could not book, with alternatives.</param>
public sealed record ProblemBody(string Type, string Title, int Status, string Detail, IReadOnlyDictionary<string, string[]>? Errors, string? CorrelationId = null,
    IReadOnlyList<Responses.CourseConflictResponse>? Conflicts = null);

public static class ProblemHttp
{
    public const string TypeBase = "https://clinic-backend.dev/problems/";

    public static string TypeUri(string code) => TypeBase + code;

    public static int StatusOf(ProblemKind kind) => kind switch
    {
        ProblemKind.Invalid => StatusCodes.Status400BadRequest,
        ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.RuleViolation => StatusCodes.Status422UnprocessableEntity,
        ProblemKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ProblemKind.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        _ => StatusCodes.Status400BadRequest,
    };

    public static ProblemBody Body(Problem problem) =>
        new(TypeUri(problem.Code), problem.Title, StatusOf(problem.Kind), problem.Detail, problem.Errors);
}
