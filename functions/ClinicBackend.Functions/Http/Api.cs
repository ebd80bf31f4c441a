using System.Globalization;
using ClinicBackend.Application;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Runs;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Common;
using ClinicBackend.Functions.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace ClinicBackend.Functions.Http;

/// <summary>What every clinic-API trigger does around its one service call.</summary>
public static class Api
{
    public const string RoutePrefix = "api";

    /// <summary>The authenticated caller (the authentication gate ran before the function).</summary>
    public static Caller Caller(HttpRequest request) =>
        RequestAuthenticator.CallerOf(request.HttpContext.User) ?? throw new InvalidOperationException("The function ran without an authenticated caller.");

    public static IActionResult Respond(Result<Outcome> result)
    {
        if (!result.IsSuccess)
        {
            return ApiResult.Problem(result.Problem!);
        }
        var outcome = result.Value;
        var response = outcome.Kind switch
        {
            OutcomeKind.Created => ApiResult.Created(outcome.Body!, $"/{RoutePrefix}/{outcome.Location}"),
            OutcomeKind.NoContent => ApiResult.NoContent(),
            _ => ApiResult.Ok(outcome.Body!),
        };
        return outcome.Version is { } version ? response.WithVersion(version) : response;
    }

    /// <summary>Reads the JSON body, then runs the service call with it.</summary>
    public static async Task<IActionResult> WithBody<T>(HttpRequest request, CancellationToken ct, Func<T, int?, Task<Result<Outcome>>> run) where T : class
    {
        var ifMatch = IfMatch(request);
        if (!ifMatch.IsSuccess)
        {
            return ApiResult.Problem(ifMatch.Problem!);
        }
        var body = await RequestReader.ReadJsonAsync<T>(request, ct);
        return body.IsSuccess ? Respond(await run(body.Value, ifMatch.Value)) : ApiResult.Problem(body.Problem!);
    }

    /// <summary>A body-less change (check-in): an empty body or an empty JSON object.</summary>
    public static async Task<IActionResult> WithoutBody(HttpRequest request, CancellationToken ct, Func<int?, Task<Result<Outcome>>> run)
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
        return Respond(await run(ifMatch.Value));
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
}
