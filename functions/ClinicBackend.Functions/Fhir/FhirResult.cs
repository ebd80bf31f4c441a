using System.Globalization;
using ClinicBackend.Domain.Common;
using ClinicBackend.Functions.Http;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Task = System.Threading.Tasks.Task;

namespace ClinicBackend.Functions.Fhir;

/// <summary>A FHIR answer: one resource as application/fhir+json, with its status and headers. It writes itself, like <see cref="ApiResult"/>.</summary>
public sealed class FhirResult(int status, Resource resource) : IActionResult
{
    public int StatusCode { get; } = status;

    public Resource Resource { get; } = resource;

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static FhirResult Ok(Resource resource) => new(StatusCodes.Status200OK, resource);

    /// <summary>200 with the resource, its version as a weak ETag (FHIR's <c>W/"n"</c>) and in <c>meta.versionId</c>.</summary>
    public static FhirResult Versioned(Resource resource, int version)
    {
        resource.Meta ??= new Meta();
        resource.Meta.VersionId = version.ToString(CultureInfo.InvariantCulture);
        var result = Ok(resource);
        result.Headers["ETag"] = $"W/\"{version}\"";
        return result;
    }

    /// <summary>The refusal as an OperationOutcome, with the status the rest of the API gives it.</summary>
    public static FhirResult Refusal(Problem problem) => Refusal(ProblemHttp.Body(problem));

    public static FhirResult Refusal(ProblemBody problem) => new(problem.Status, Outcome(problem));

    public static FhirResult Refusal(int status, string code, string title, string detail) =>
        Refusal(new ProblemBody(ProblemHttp.TypeUri(code), title, status, detail, null));

    /// <summary>
    /// An OperationOutcome with one issue per invalid field (its name as the expression), or one issue for the whole
    /// request; the problem's code is the issue's detail coding, its detail the diagnostics.
    /// </summary>
    public static OperationOutcome Outcome(ProblemBody problem)
    {
        var code = problem.Type.StartsWith(ProblemHttp.TypeBase, StringComparison.Ordinal) ? problem.Type[ProblemHttp.TypeBase.Length..] : "error";
        var details = new CodeableConcept(ProblemHttp.TypeBase.TrimEnd('/'), code, problem.Title, problem.Title);
        var issue = IssueTypeOf(problem.Status);
        var outcome = new OperationOutcome();
        if (problem.Errors is { Count: > 0 } errors)
        {
            foreach (var (field, messages) in errors)
            {
                foreach (var message in messages)
                {
                    outcome.Issue.Add(new OperationOutcome.IssueComponent
                    {
                        Severity = OperationOutcome.IssueSeverity.Error,
                        Code = issue,
                        Details = details,
                        Diagnostics = message,
                        Expression = [field],
                    });
                }
            }
        }
        else
        {
            outcome.Issue.Add(new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Error,
                Code = issue,
                Details = details,
                Diagnostics = problem.Detail + (problem.CorrelationId is { } id ? $" (correlation id {id})" : ""),
            });
        }
        return outcome;
    }

    private static OperationOutcome.IssueType IssueTypeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => OperationOutcome.IssueType.Invalid,
        StatusCodes.Status401Unauthorized => OperationOutcome.IssueType.Login,
        StatusCodes.Status403Forbidden => OperationOutcome.IssueType.Forbidden,
        StatusCodes.Status404NotFound => OperationOutcome.IssueType.NotFound,
        StatusCodes.Status406NotAcceptable or StatusCodes.Status415UnsupportedMediaType => OperationOutcome.IssueType.NotSupported,
        StatusCodes.Status409Conflict => OperationOutcome.IssueType.Conflict,
        StatusCodes.Status413PayloadTooLarge => OperationOutcome.IssueType.TooLong,
        StatusCodes.Status422UnprocessableEntity => OperationOutcome.IssueType.BusinessRule,
        >= 500 => OperationOutcome.IssueType.Exception,
        _ => OperationOutcome.IssueType.Processing,
    };

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCode;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }
        response.ContentType = FhirJson.MediaType + "; charset=utf-8";
        var pretty = context.HttpContext.Request.Query["_pretty"].ToString() == "true";
        var bytes = FhirJson.Serialize(Resource, pretty);
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.HttpContext.RequestAborted);
    }

    /// <summary>
    /// What the HTTP pipeline writes for a FHIR route: its own refusals and failures (problem details) become
    /// OperationOutcomes; anything else is left as it is.
    /// </summary>
    public static IActionResult ForRoute(IActionResult result, HttpRequest request) =>
        IsFhirPath(request.Path) && result is ApiResult { Body: ProblemBody problem } api
            ? WithHeaders(Refusal(problem), api.Headers)
            : result;

    public static bool IsFhirPath(PathString path) => path.StartsWithSegments($"/{Api.RoutePrefix}/fhir", StringComparison.Ordinal);

    private static FhirResult WithHeaders(FhirResult result, IReadOnlyDictionary<string, string> headers)
    {
        foreach (var (name, value) in headers)
        {
            result.Headers[name] = value;
        }
        return result;
    }
}
