using System.Globalization;
using System.Security.Claims;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Identity.Web;

namespace ClinicBackend.Functions.Http;

/// <summary>What every clinic-API trigger does around its one service call: read the input, map the result to HTTP.</summary>
public static class Api
{
    public const string RoutePrefix = "api";

    /// <summary>The authenticated caller (the pipeline authenticated the request before the function ran).</summary>
    public static Caller Caller(HttpRequest request) =>
        CallerOf(request.HttpContext.User) ?? throw new InvalidOperationException("The function ran without an authenticated caller.");

    /// <summary>The caller a validated principal describes, or null when it has no object id.</summary>
    public static Caller? CallerOf(ClaimsPrincipal principal)
    {
        var oid = principal.FindFirst("oid")?.Value ?? principal.FindFirst(ClaimConstants.ObjectId)?.Value;
        if (string.IsNullOrEmpty(oid))
        {
            return null;
        }
        var roles = principal.FindAll("roles").Concat(principal.FindAll(ClaimTypes.Role)).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return new Caller(Ids.NormalizeObjectId(oid), roles);
    }

    /// <summary>200 with the mapped body, the version as ETag when the resource has one.</summary>
    public static IActionResult Ok<T>(Result<T> result, Func<T, object> body, Func<T, int>? version = null) =>
        !result.IsSuccess ? ApiResult.Problem(result.Problem!) : Versioned(ApiResult.Ok(body(result.Value)), result.Value, version);

    /// <summary>201 with the mapped body and the new resource's path below the route prefix.</summary>
    public static IActionResult Created<T>(Result<T> result, Func<T, object> body, Func<T, string> location, Func<T, int> version) =>
        !result.IsSuccess
            ? ApiResult.Problem(result.Problem!)
            : Versioned(ApiResult.Created(body(result.Value), $"/{RoutePrefix}/{location(result.Value)}"), result.Value, version);

    public static IActionResult NoContent<T>(Result<T> result) =>
        result.IsSuccess ? ApiResult.NoContent() : ApiResult.Problem(result.Problem!);

    /// <summary>Reads the JSON body and the If-Match header, then runs the service call with them (see <see cref="RequestReader.ReadJsonAsync{T}"/> for <paramref name="screen"/>).</summary>
    public static async Task<IActionResult> WithBody<T>(HttpRequest request, CancellationToken ct, Func<T, int?, Task<IActionResult>> run,
        Func<System.Text.Json.JsonElement, Problem?>? screen = null) where T : class
    {
        var ifMatch = IfMatch(request);
        if (!ifMatch.IsSuccess)
        {
            return ApiResult.Problem(ifMatch.Problem!);
        }
        var body = await RequestReader.ReadJsonAsync<T>(request, ct, screen);
        return body.IsSuccess ? await run(body.Value, ifMatch.Value) : ApiResult.Problem(body.Problem!);
    }

    /// <summary>A body-less change (check-in): an empty body or an empty JSON object.</summary>
    public static async Task<IActionResult> WithoutBody(HttpRequest request, CancellationToken ct, Func<int?, Task<IActionResult>> run)
    {
        var ifMatch = IfMatch(request);
        if (!ifMatch.IsSuccess)
        {
            return ApiResult.Problem(ifMatch.Problem!);
        }
        var body = await RequestReader.ReadBodyAsync(request, ct);
        if (!body.IsSuccess)
        {
            return ApiResult.Problem(body.Problem!);
        }
        var text = System.Text.Encoding.UTF8.GetString(body.Value).Trim();
        if (text.Length > 0 && text != "{}")
        {
            return ApiResult.Problem(Problem.Validation("body", "This request takes no body (or an empty JSON object)."));
        }
        return await run(ifMatch.Value);
    }

    /// <summary>Runs a query-only call after checking its integer query parameter.</summary>
    public static async Task<IActionResult> WithIntQuery(HttpRequest request, string name, Func<int?, Task<IActionResult>> run)
    {
        var value = IntQuery(request, name);
        return value.IsSuccess ? await run(value.Value) : ApiResult.Problem(value.Problem!);
    }

    /// <summary>The version an <c>If-Match</c> header asks for: <c>"3"</c>, <c>W/"3"</c> or <c>3</c>; absent or <c>*</c> means any.</summary>
    public static Result<int?> IfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return (int?)null;
        }
        var value = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        value = value.Trim('"');
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? version
            : Problem.Validation("If-Match", "If-Match takes the resource's version, for example \"3\".");
    }

    /// <summary>An optional positive integer query parameter.</summary>
    public static Result<int?> IntQuery(HttpRequest request, string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return (int?)null;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : Problem.Validation(name, $"{name} must be a whole number.");
    }

    public static string? Query(HttpRequest request, string name)
    {
        var value = request.Query[name];
        return value.Count == 0 ? null : value.ToString();
    }

    private static ApiResult Versioned<T>(ApiResult response, T value, Func<T, int>? version) =>
        version is null ? response : response.WithVersion(version(value));
}
