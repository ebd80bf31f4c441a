using System.Text;

namespace ClinicBackend.Integration.Tests.Api;

/// <summary>Every bad input gets a precise 4xx problem and writes nothing (the audit trail, which records every write, stays as it was).</summary>
public sealed class BadInputTests : ClinicAppTest
{
    private string _patient = null!;

    protected override async Task SetUpAsync() => _patient = await Clinic.RegisterPatientAsync();

    public static TheoryData<string, string, string, string?, int, string?> Cases => new()
    {
        // route (relative to the clinic, or absolute), method, body, content type, status, field named in errors
        { "/sessions", "POST", "{\"patientId\":", null, 400, "body" },
        { "/sessions", "POST", "", null, 400, "body" },
        { "/sessions", "POST", "null", null, 400, "body" },
        { "/sessions", "POST", "[]", null, 400, "body" },
        { "/sessions", "POST", "{\"patientId\":5,\"start\":\"2026-12-02T09:00\"}", null, 400, "patientId" },
        { "/sessions", "POST", "{\"patientId\":\"@P\",\"start\":20261202}", null, 400, "start" },
        { "/sessions", "POST", "{\"patientId\":\"@P\"}", null, 400, "start" },
        { "/sessions", "POST", "{\"start\":\"2026-12-02T09:00\"}", null, 400, "patientId" },
        { "/sessions", "POST", "{\"patientId\":\"@P\",\"start\":\"2026-12-02T09:00\",\"chair\":2}", null, 400, "chair" },
        { "/sessions", "POST", "{\"patientId\":\"@P\",\"start\":\"2026-02-30T09:00\"}", null, 400, "start" },
        { "/sessions", "POST", "{\"patientId\":\"@P\",\"start\":\"2026-12-02T09:00:00\"}", null, 400, "start" },
        { "/sessions", "POST", "{\"patientId\":\"@P\",\"start\":\"2026-12-02T09:00Z\"}", null, 400, "start" },
        { "/sessions", "POST", "{\"patientId\":\"@P\",\"start\":\"2026-12-02 09:00\"}", null, 400, "start" },
        { "/sessions", "POST", "{\"patientId\":\"@P\",\"start\":\"2026-12-02T25:00\"}", null, 400, "start" },
        { "/sessions", "POST", "{\"patientId\":\"@P\",\"start\":\"2026-12-02T09:00\"}", "text/plain", 415, null },
        { "/sessions", "POST", "{\"patientId\":\"@P\",\"start\":\"2026-12-02T09:00\"} trailing", null, 400, "body" },
        { "/sessions", "POST", "HUGE", null, 413, null },
        { "/patients", "POST", "{\"givenName\":\"A\",\"familyName\":\"B\",\"phone\":\"not a phone\",\"smsConsent\":true,\"remsEnrolled\":true,\"course\":{\"startDate\":\"2026-11-02\"}}", null, 400, "phone" },
        { "/patients", "POST", "{\"givenName\":\"A\",\"familyName\":\"B\",\"phone\":\"+12125550111\",\"smsConsent\":\"yes\",\"remsEnrolled\":true,\"course\":{\"startDate\":\"2026-11-02\"}}", null, 400, "smsConsent" },
        { "/patients", "POST", "{\"givenName\":\"\",\"familyName\":\"B\",\"phone\":\"+12125550111\",\"smsConsent\":true,\"remsEnrolled\":true,\"course\":{\"startDate\":\"2026-11-02\"}}", null, 400, "givenName" },
        { "/patients", "POST", "{\"givenName\":\"A\",\"familyName\":\"B\",\"phone\":\"+12125550111\",\"smsConsent\":true,\"remsEnrolled\":true,\"language\":\"fr\",\"course\":{\"startDate\":\"2026-11-02\"}}", null, 400, "language" },
        { "/patients", "POST", "{\"givenName\":\"A\",\"familyName\":\"B\",\"phone\":\"+12125550111\",\"smsConsent\":true,\"remsEnrolled\":true,\"course\":{\"startDate\":\"2026-13-01\"}}", null, 400, "course.startDate" },
        { "/patients", "POST", "{\"givenName\":\"A\",\"familyName\":\"B\",\"phone\":\"+12125550111\",\"smsConsent\":true,\"remsEnrolled\":true,\"course\":{\"startDate\":\"2026-11-02\",\"maintenanceIntervalDays\":10}}", null, 400, "course.maintenanceIntervalDays" },
        { "/patients", "POST", "{\"givenName\":\"A\",\"familyName\":\"B\",\"phone\":\"+12125550111\",\"remsEnrolled\":true,\"course\":{\"startDate\":\"2026-11-02\"}}", null, 400, "smsConsent" },
        { "/patients/@P", "PATCH", "{\"smsOptedOut\":false}", null, 400, "smsOptedOut" },
        { "/patients/@P", "PATCH", "{\"course\":{\"maintenanceIntervalDays\":-7}}", null, 400, "course.maintenanceIntervalDays" },
        { "", "PATCH", "{\"chairs\":2,\"chairs\":3}", null, 400, "body" },
        { "", "PATCH", "{\"reminders\":{\"dayBeforeAt\":\"16:00\",\"dayBeforeAt\":\"17:00\"}}", null, 400, "body" },
        { "", "PATCH", "{\"chairs\":0}", null, 400, "chairs" },
        { "", "PATCH", "{\"chairs\":-3}", null, 400, "chairs" },
        { "", "PATCH", "{\"chairs\":100000}", null, 400, "chairs" },
        { "", "PATCH", "{\"chairs\":2.5}", null, 400, "chairs" },
        { "", "PATCH", "{\"chairs\":99999999999999999999}", null, 400, "chairs" },
        { "", "PATCH", "{\"sessionMinutes\":90}", null, 400, "sessionMinutes" },
        { "", "PATCH", "{\"slotMinutes\":7}", null, 400, "slotMinutes" },
        { "", "PATCH", "{\"openingHours\":{\"mon\":[\"18:00\",\"08:00\"]}}", null, 400, "openingHours.mon" },
        { "", "PATCH", "{\"openingHours\":{\"funday\":[\"08:00\",\"18:00\"]}}", null, 400, "openingHours.funday" },
        { "", "PATCH", "{\"openingHours\":{\"mon\":[\"8am\",\"6pm\"]}}", null, 400, "openingHours.mon" },
        { "", "PATCH", "{\"reminders\":{\"quietHours\":[\"22:00\",\"07:00\"]}}", null, 400, "reminders.quietHours" },
        { "", "PATCH", "{\"reminders\":{\"dayBeforeAt\":\"22:30\"}}", null, 400, "reminders.dayBeforeAt" },
        { "", "PATCH", "{\"phone\":\"12\"}", null, 400, "phone" },
        { "", "PATCH", "{\"country\":\"XX\"}", null, 400, "country" },
        { "", "PATCH", "{\"smsFrom\":\"MGnothex\"}", null, 400, "smsFrom" },
        { "/api/clinics", "POST", "{\"id\":\"A B\",\"name\":\"x\"}", null, 400, "id" },
        { "/api/clinics", "POST", "{\"name\":\"x\",\"timeZone\":\"Mars/Olympus_Mons\"}", null, 400, "timeZone" },
        { "/sessions?date=2026-02-30", "GET", "", null, 400, "date" },
        { "/sessions", "GET", "", null, 400, "query" },
        { "/availability", "GET", "", null, 400, "date" },
        { "/availability?date=tomorrow", "GET", "", null, 400, "date" },
        { "/flags?status=closed", "GET", "", null, 400, "status" },
        { "/flags?kind=urgent", "GET", "", null, 400, "kind" },
        { "/flags?limit=0", "GET", "", null, 400, "limit" },
        { "/flags?limit=ten", "GET", "", null, 400, "limit" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_is_refused_precisely_and_changes_nothing(string route, string method, string body, string? contentType, int status, string? field)
    {
        var before = await AuditCountAsync();
        var path = (route.StartsWith("/api/", StringComparison.Ordinal) ? route : Clinic.Base + route).Replace("@P", _patient, StringComparison.Ordinal);
        var token = route == "/api/clinics" ? Clinic.PlatformAdmin : route.Length == 0 ? Clinic.Admin : Clinic.Staff;
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        if (method != "GET")
        {
            var text = body == "HUGE" ? "{\"patientId\":\"" + new string('x', 70 * 1024) + "\"}" : body.Replace("@P", _patient, StringComparison.Ordinal);
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType ?? "application/json");
        }
        using var response = await App.Http.SendAsync(request);
        var reply = await Reply.ReadAsync(response);
        reply.ExpectProblem(status);
        if (field is not null)
        {
            var errors = reply.Json!["errors"]!.AsObject();
            Assert.True(errors.ContainsKey(field), $"errors should name '{field}': {reply.Body}");
        }
        Assert.Equal(before, await AuditCountAsync());
    }

    [Fact]
    public async Task A_malformed_if_match_is_refused()
    {
        var reply = await App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{_patient}", Clinic.Staff, new { smsConsent = false }, ifMatch: "yesterday");
        reply.ExpectProblem(400, "validation");
        Assert.Equal("true", (await Clinic.GetAsync($"/patients/{_patient}")).Json!["smsConsent"]!.ToString());
    }

    [Fact]
    public async Task A_duplicate_phone_in_the_clinic_is_a_conflict()
    {
        var body = Fixtures.PatientBody("+12125550177");
        (await Clinic.PostAsync("/patients", body)).Expect(201);
        (await Clinic.PostAsync("/patients", body)).ExpectProblem(409, "phone-in-use");
    }

    private async Task<int> AuditCountAsync() =>
        (await Clinic.GetAsync("/audit?limit=1000", Clinic.Admin)).Expect(200).Json!["entries"]!.AsArray().Count;
}
