using System.Globalization;
using ClinicBackend.Application.Assessments;
using ClinicBackend.Domain.Common;
using ClinicBackend.Functions.Forms;
using ClinicBackend.Functions.Http;
using ClinicBackend.Functions.Reports;
using ClinicBackend.Functions.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Functions.Triggers;

/// <summary>
/// The questionnaire behind a one-time link (public: the code is the credential), and the ratings staff enter and read.
/// A browser gets HTML pages; any other caller gets the same outcomes as problem+json.
/// </summary>
public sealed class AssessmentFunctions(AssessmentService assessments, CodeLookupLimiter limiter, ILogger<AssessmentFunctions> logger)
{
    [Function("OpenAssessment")]
    [PublicEndpoint]
    public async Task<IActionResult> Open(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "a/{code}")] HttpRequest request, string code, CancellationToken ct)
    {
        if (Limited(request) is { } slow)
        {
            return slow;
        }
        var link = await assessments.OpenAsync(code, ct);
        return link is null ? Gone(request) : Page(StatusCodes.Status200OK, AssessmentPage.Questionnaire(link.Clinic, link.Language));
    }

    [Function("AnswerAssessment")]
    [PublicEndpoint]
    public async Task<IActionResult> Answer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "a/{code}")] HttpRequest request, string code, CancellationToken ct)
    {
        if (Limited(request) is { } slow)
        {
            return slow;
        }
        if (await assessments.OpenAsync(code, ct) is null)
        {
            return Gone(request);
        }
        if (!(request.ContentType ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return ApiResult.Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "The answers come as a form.",
                "Send the answers as application/x-www-form-urlencoded fields q1 to q9 (0-3) and difficulty (0-3), as the page's form does.");
        }
        var body = await RequestReader.ReadBodyAsync(request, ct);
        if (!body.IsSuccess)
        {
            return ApiResult.Problem(body.Problem!);
        }
        Dictionary<string, string> form;
        try
        {
            var text = new System.Text.UTF8Encoding(false, true).GetString(body.Value);
            form = QueryHelpers.ParseQuery(text).ToDictionary(f => f.Key, f => f.Value.Count == 1 ? f.Value.ToString() : "", StringComparer.Ordinal);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return ApiResult.Problem(Problem.Validation("body", "The form is not UTF-8: send the answers as the page's form does."));
        }
        var answer = await assessments.AnswerAsync(code, form, ct);
        switch (answer)
        {
            case null:
                return Gone(request);
            case LinkAnswer.Incomplete incomplete:
                return WantsHtml(request)
                    ? Page(StatusCodes.Status422UnprocessableEntity, AssessmentPage.Questionnaire(incomplete.Link.Clinic, incomplete.Link.Language, incomplete.Fields, incomplete.Given))
                    : ApiResult.Problem(Problem.Rule("unanswered", "Every question needs an answer.",
                        $"Answer {string.Join(", ", incomplete.Fields)} with 0, 1, 2 or 3 (difficulty may stay out); nothing was stored."));
            default:
                var recorded = (LinkAnswer.Recorded)answer;
                return Page(StatusCodes.Status200OK, AssessmentPage.Thanks(recorded.Link.Clinic, recorded.Link.Language, recorded.SelfHarm));
        }
    }

    [Function("RecordAssessment")]
    public Task<IActionResult> Record(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/patients/{patientId}/assessments")] HttpRequest request,
        string clinicId, string patientId, CancellationToken ct) =>
        Api.WithBody<AssessmentInput>(request, ct, async (body, _) =>
            Api.Created(await assessments.RecordAsync(Api.Caller(request), clinicId, patientId, body, ct), AssessmentResponse.From,
                a => $"clinics/{clinicId}/patients/{patientId}/assessments", _ => 1));

    [Function("ListAssessments")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/patients/{patientId}/assessments")] HttpRequest request,
        string clinicId, string patientId, CancellationToken ct)
    {
        var format = ReportMediaTypes.NegotiateAmong(request.Headers.Accept.ToString(), ListFormats);
        if (format is null)
        {
            return ApiResult.Problem(StatusCodes.Status406NotAcceptable, "not-acceptable", "None of the accepted media types is available.",
                "A patient's assessments come as application/json or image/svg+xml (the trend chart); accept one of them, or */*.");
        }
        var list = await assessments.ListAsync(Api.Caller(request), clinicId, patientId, Api.Query(request, "instrument"), ct);
        ApiResult answer = !list.IsSuccess ? ApiResult.Problem(list.Problem!)
            : format == ListFormat.Svg ? ApiResult.Text(StatusCodes.Status200OK, AssessmentTrendSvg.Write(list.Value), "image/svg+xml; charset=utf-8")
            : ApiResult.Ok(AssessmentListResponse.From(list.Value));
        answer.Headers["Vary"] = "Accept";
        answer.Headers["Cache-Control"] = "no-store";
        return answer;
    }

    private enum ListFormat
    {
        Json,
        Svg,
    }

    private static readonly (ListFormat, string, string)[] ListFormats = [(ListFormat.Json, "application", "json"), (ListFormat.Svg, "image", "svg+xml")];

    /// <summary>Past the address's rate: 429, logged with a short hash of the address (never the address itself).</summary>
    private IActionResult? Limited(HttpRequest request)
    {
        var address = CodeLookupLimiter.AddressOf(request);
        if (limiter.TryTake(address, out var wait))
        {
            return null;
        }
        var tag = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(address)))[..12];
        logger.LogWarning("Questionnaire code lookups from client {ClientHash} are over the rate ({Burst} at once, {PerSecond} a second): refused for {Seconds} s.",
            tag, CodeLookupLimiter.Burst, CodeLookupLimiter.PerSecond, wait.TotalSeconds);
        var seconds = ((int)Math.Max(1, wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var answer = WantsHtml(request)
            ? Page(StatusCodes.Status429TooManyRequests, AssessmentPage.TooManyTries())
            : ApiResult.Problem(StatusCodes.Status429TooManyRequests, "too-many-requests", "Too many code lookups.",
                $"This address looked up too many codes; wait {seconds} s and try again.");
        answer.Headers["Retry-After"] = seconds;
        return answer;
    }

    /// <summary>Unknown, used and expired codes get the same answer.</summary>
    private static ApiResult Gone(HttpRequest request) => WantsHtml(request)
        ? Page(StatusCodes.Status404NotFound, AssessmentPage.NotFound())
        : Headers(ApiResult.Problem(Problem.NotFound("questionnaire")));

    private static bool WantsHtml(HttpRequest request) =>
        ReportMediaTypes.NegotiateAmong(request.Headers.Accept.ToString(), PageFormats) == PageFormat.Html && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    private enum PageFormat
    {
        Html,
        Problem,
    }

    private static readonly (PageFormat, string, string)[] PageFormats = [(PageFormat.Html, "text", "html"), (PageFormat.Problem, "application", "problem+json")];

    private static ApiResult Page(int status, string html) => Headers(ApiResult.Text(status, html, AssessmentPage.ContentType));

    private static ApiResult Headers(ApiResult answer)
    {
        answer.Headers["Content-Security-Policy"] = AssessmentPage.ContentSecurityPolicy;
        answer.Headers["Cache-Control"] = "no-store";
        answer.Headers["X-Content-Type-Options"] = "nosniff";
        answer.Headers["X-Robots-Tag"] = "noindex, nofollow";
        answer.Headers["Referrer-Policy"] = "no-referrer";
        answer.Headers["Vary"] = "Accept";
        return answer;
    }
}
