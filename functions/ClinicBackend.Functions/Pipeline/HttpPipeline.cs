using System.Diagnostics;
using ClinicBackend.Functions.Auth;
using ClinicBackend.Functions.Fhir;
using ClinicBackend.Functions.Http;
using ClinicBackend.Functions.Sms;
using ClinicBackend.Functions.Triggers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Functions.Pipeline;

/// <summary>
/// What runs around every HTTP function, in both hosts: the gate of its endpoint (a bearer token, or Twilio's
/// signature, or none), then the function; an unexpected exception becomes a problem+json 500 whose
/// correlation id is in the body and in the error log, with no request data in either. On a FHIR route (below /api/fhir) both
/// are written as OperationOutcomes. The worker runs it
/// from <see cref="HttpPipelineMiddleware"/>, the local host calls it directly.
/// </summary>
public sealed class HttpPipeline(RequestAuthenticator authenticator, TwilioWebhookGate twilio, ILogger<HttpPipeline> logger)
{
    /// <param name="function">The function the request is for.</param>
    /// <param name="http">The request.</param>
    /// <param name="run">Runs the function (and, in the local host, writes its result).</param>
    public async Task RunAsync(FunctionEntry function, HttpContext http, Func<Task> run)
    {
        try
        {
            var refusal = function.Access switch
            {
                EndpointAccess.Public => null,
                EndpointAccess.TwilioWebhook => await twilio.CheckAsync(http),
                _ => await authenticator.AuthenticateAsync(http),
            };
            if (refusal is not null)
            {
                if (function.Access == EndpointAccess.TwilioWebhook)
                {
                    logger.LogWarning("Refused a call of {Function}: {Status}.", function.Name, refusal.StatusCode);
                }
                await WriteAsync(refusal, http);
                return;
            }
            await run();
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // the caller went away
        }
        catch (Exception e)
        {
            var correlationId = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
            logger.LogError(e, "Function {Function} failed; correlation id {CorrelationId}.", function.Name, correlationId);
            if (!http.Response.HasStarted)
            {
                http.Response.Clear();
                await WriteAsync(ApiResult.Problem(StatusCodes.Status500InternalServerError, "internal-error", "Something went wrong.",
                    $"The request could not be completed; nothing was changed by the failed step. Try again, or quote {correlationId} to the operators.",
                    correlationId), http);
            }
        }
    }

    /// <summary>Writes a refusal or failure; on a FHIR route as an OperationOutcome.</summary>
    public static Task WriteAsync(IActionResult result, HttpContext http) =>
        FhirResult.ForRoute(result, http.Request).ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
}
