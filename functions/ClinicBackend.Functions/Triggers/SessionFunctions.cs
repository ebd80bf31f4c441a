using System.Text.Json;
using ClinicBackend.Application.Payment;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Functions.Forms;
using ClinicBackend.Functions.Http;
using ClinicBackend.Functions.Reports;
using ClinicBackend.Functions.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

public sealed class SessionFunctions(BookingService booking, CourseBookingService courses, SessionService sessions, ReadinessReader readiness)
{
    [Function("GetAvailability")]
    public async Task<IActionResult> Availability(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/availability")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.Ok(await booking.AvailabilityAsync(Api.Caller(request), clinicId, Api.Query(request, "date"), ct), AvailabilityResponse.From);

    [Function("BookSession")]
    public Task<IActionResult> Book(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.WithBody<BookInput>(request, ct, async (body, _) =>
            Api.Created(await readiness.AttachAsync(clinicId, await booking.BookAsync(Api.Caller(request), clinicId, body, ct), ct), SessionResponse.From,
                s => $"clinics/{clinicId}/sessions/{s.Session.Id}", s => s.Session.Version));

    [Function("BookCourse")]
    public Task<IActionResult> BookCourse(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/patients/{patientId}/course-bookings")] HttpRequest request,
        string clinicId, string patientId, CancellationToken ct) =>
        Api.WithBody<CourseBookingInput>(request, ct, async (body, _) =>
        {
            var booked = await courses.BookAsync(Api.Caller(request), clinicId, patientId, body, ct);
            if (!booked.IsSuccess)
            {
                return ApiResult.Problem(booked.Problem!);
            }
            Result<IReadOnlyList<Session>> bookedSessions = booked.Value.Sessions.ToList();
            var ready = await readiness.AttachAsync(clinicId, bookedSessions, ct);
            var response = CourseBookingResponse.From(booked.Value, ready.IsSuccess ? ready.Value : []);
            return booked.Value.BookedNothing
                ? ApiResult.Problem(Problem.Conflict("course-conflict", "The course could not be booked.",
                    "Nothing was booked: see conflicts for each start that could not be, with nearby alternatives."), response.Conflicts)
                : ApiResult.Created(response, $"/{Api.RoutePrefix}/clinics/{clinicId}/sessions?patientId={patientId}");
        });

    [Function("ListSessions")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/sessions")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.Ok(await readiness.AttachAsync(clinicId, await sessions.ListAsync(Api.Caller(request), clinicId, Api.Query(request, "date"), Api.Query(request, "patientId"), ct),
            ct, wholeDays: Api.Query(request, "date") is not null), ss => new SessionsResponse(ss.Select(SessionResponse.From).ToList()));

    [Function("GetSession")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/sessions/{sessionId}")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        await OneAsync(clinicId, await sessions.GetAsync(Api.Caller(request), clinicId, sessionId, ct), ct);

    [Function("RescheduleSession")]
    public Task<IActionResult> Reschedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/reschedule")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<RescheduleInput>(request, ct, async (body, ifMatch) => await OneAsync(clinicId, await booking.RescheduleAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct), ct));

    [Function("CancelSession")]
    public Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/cancel")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<CancelInput>(request, ct, async (body, ifMatch) => await OneAsync(clinicId, await sessions.CancelAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct), ct));

    [Function("CheckInSession")]
    public Task<IActionResult> CheckIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/check-in")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithoutBody(request, ct, async ifMatch => await OneAsync(clinicId, await sessions.CheckInAsync(Api.Caller(request), clinicId, sessionId, ifMatch, ct), ct));

    [Function("DoseSession")]
    public Task<IActionResult> Dose(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/dose")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<DoseInput>(request, ct, async (body, ifMatch) => await OneAsync(clinicId, await sessions.DoseAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct), ct));

    [Function("RecordObservation")]
    public Task<IActionResult> Observe(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/observations")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<ObservationInput>(request, ct, async (body, ifMatch) =>
            Api.Created(await sessions.ObserveAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct),
                o => ObservationResponse.From(o.Observation), _ => $"clinics/{clinicId}/sessions/{sessionId}", o => o.Session.Version));

    [Function("CompleteSession")]
    public Task<IActionResult> Complete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/complete")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<CompleteInput>(request, ct, async (body, ifMatch) => await OneAsync(clinicId, await sessions.CompleteAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct), ct),
            SupersededCompleteBody);

    [Function("GetMonitoringForm")]
    public async Task<IActionResult> MonitoringForm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/sessions/{sessionId}/monitoring-form")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct)
    {
        var format = ReportMediaTypes.NegotiateAmong(request.Headers.Accept.ToString(), FormFormats);
        ApiResult answer;
        if (format is null)
        {
            answer = ApiResult.Problem(StatusCodes.Status406NotAcceptable, "not-acceptable", "None of the accepted media types is available.",
                "The monitoring form comes as application/json or text/html (a printable page); accept one of them, or */*.");
        }
        else
        {
            var form = await sessions.MonitoringFormAsync(Api.Caller(request), clinicId, sessionId, ct);
            answer = !form.IsSuccess ? ApiResult.Problem(form.Problem!)
                : format == FormFormat.Html ? HtmlPage(MonitoringFormPage.Write(MonitoringFormResponse.From(form.Value)))
                : ApiResult.Ok(MonitoringFormResponse.From(form.Value));
        }
        answer.Headers["Vary"] = "Accept";
        answer.Headers["Cache-Control"] = "no-store"; // patient data
        return answer;
    }

    private enum FormFormat
    {
        Json,
        Html,
    }

    private static readonly (FormFormat, string, string)[] FormFormats = [(FormFormat.Json, "application", "json"), (FormFormat.Html, "text", "html")];

    private static ApiResult HtmlPage(string html)
    {
        var page = ApiResult.Text(StatusCodes.Status200OK, html, MonitoringFormPage.ContentType);
        page.Headers["Content-Security-Policy"] = MonitoringFormPage.ContentSecurityPolicy;
        page.Headers["X-Content-Type-Options"] = "nosniff";
        return page;
    }

    /// <summary>
    /// The complete body of before December 2026 (doseMg, three readings, monitoringMinutes): completing now records only
    /// the discharge, after the dose and the observations were recorded on their own routes.
    /// </summary>
    private static Problem? SupersededCompleteBody(JsonElement body) =>
        body.TryGetProperty("doseMg", out _) || body.TryGetProperty("monitoringMinutes", out _)
        || body.TryGetProperty("bloodPressure", out var reading) && reading.ValueKind == JsonValueKind.Object
            ? new Problem(ProblemKind.Invalid, "superseded-body", "This is the earlier body of complete.",
                "The dose and the observations now have routes of their own, and monitoring is counted from the dose: record the dose with POST .../dose "
                + "(doseMg, devices by lot, preDose), observations with POST .../observations as they are taken, then complete with readyToLeaveAt, "
                + "bloodPressure (the discharge reading, \"126/80\"), vitalsAcceptable and adverseEvents.")
            : null;

    [Function("FileRemsForm")]
    public Task<IActionResult> FileRemsForm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/rems-form")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<RemsFormInput>(request, ct, async (body, ifMatch) => await OneAsync(clinicId, await sessions.FileRemsFormAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct), ct));

    [Function("ConfirmRide")]
    public Task<IActionResult> ConfirmRide(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/ride")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<RideInput>(request, ct, async (body, ifMatch) => await OneAsync(clinicId, await sessions.ConfirmRideAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct), ct));

    /// <summary>A session answered with its readiness, its version as the ETag.</summary>
    private async Task<IActionResult> OneAsync(string clinicId, Result<Session> session, CancellationToken ct) =>
        Api.Ok(await readiness.AttachAsync(clinicId, session, ct), SessionResponse.From, s => s.Session.Version);
}
