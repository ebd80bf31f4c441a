using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Functions.Http;
using ClinicBackend.Functions.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

public sealed class SessionFunctions(BookingService booking, CourseBookingService courses, SessionService sessions)
{
    [Function("GetAvailability")]
    public async Task<IActionResult> Availability(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/availability")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.Ok(await booking.AvailabilityAsync(Api.Caller(request), clinicId, Api.Query(request, "date"), ct), AvailabilityResponse.From);

    [Function("BookSession")]
    public Task<IActionResult> Book(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.WithBody<BookInput>(request, ct, async (body, _) =>
            Api.Created(await booking.BookAsync(Api.Caller(request), clinicId, body, ct), SessionResponse.From, s => $"clinics/{clinicId}/sessions/{s.Id}", s => s.Version));

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
            var response = CourseBookingResponse.From(booked.Value);
            return booked.Value.BookedNothing
                ? ApiResult.Problem(Problem.Conflict("course-conflict", "The course could not be booked.",
                    "Nothing was booked: see conflicts for each start that could not be, with nearby alternatives."), response.Conflicts)
                : ApiResult.Created(response, $"/{Api.RoutePrefix}/clinics/{clinicId}/sessions?patientId={patientId}");
        });

    [Function("ListSessions")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/sessions")] HttpRequest request, string clinicId, CancellationToken ct) =>
        Api.Ok(await sessions.ListAsync(Api.Caller(request), clinicId, Api.Query(request, "date"), Api.Query(request, "patientId"), ct),
            ss => new SessionsResponse(ss.Select(SessionResponse.From).ToList()));

    [Function("GetSession")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/sessions/{sessionId}")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        One(await sessions.GetAsync(Api.Caller(request), clinicId, sessionId, ct));

    [Function("RescheduleSession")]
    public Task<IActionResult> Reschedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/reschedule")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<RescheduleInput>(request, ct, async (body, ifMatch) => One(await booking.RescheduleAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct)));

    [Function("CancelSession")]
    public Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/cancel")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<CancelInput>(request, ct, async (body, ifMatch) => One(await sessions.CancelAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct)));

    [Function("CheckInSession")]
    public Task<IActionResult> CheckIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/check-in")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithoutBody(request, ct, async ifMatch => One(await sessions.CheckInAsync(Api.Caller(request), clinicId, sessionId, ifMatch, ct)));

    [Function("CompleteSession")]
    public Task<IActionResult> Complete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/complete")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<CompleteInput>(request, ct, async (body, ifMatch) => One(await sessions.CompleteAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct)));

    [Function("FileRemsForm")]
    public Task<IActionResult> FileRemsForm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/rems-form")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<RemsFormInput>(request, ct, async (body, ifMatch) => One(await sessions.FileRemsFormAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct)));

    [Function("ConfirmRide")]
    public Task<IActionResult> ConfirmRide(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clinics/{clinicId}/sessions/{sessionId}/ride")] HttpRequest request,
        string clinicId, string sessionId, CancellationToken ct) =>
        Api.WithBody<RideInput>(request, ct, async (body, ifMatch) => One(await sessions.ConfirmRideAsync(Api.Caller(request), clinicId, sessionId, body, ifMatch, ct)));

    private static IActionResult One(Result<Session> session) => Api.Ok(session, SessionResponse.From, s => s.Version);
}
