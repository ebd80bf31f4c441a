using System.Text;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Patients;
using ClinicBackend.Functions.Http;
using Microsoft.AspNetCore.Http;

namespace ClinicBackend.Functions.Tests;

/// <summary>How a JSON body that cannot be read is reported: which field, and what is wrong with it.</summary>
public sealed class RequestReaderTests
{
    private const string NotJson = "The body is not valid JSON.";
    private const string Twice = "A field appears twice in the body; send each field once.";
    private const string Unknown = "This field is not part of the request; remove it (check its spelling).";
    private const string WrongType = "This field has the wrong type or format.";

    public static TheoryData<string, string, string> PatientBodies => new()
    {
        { "{\"givenName\":", "body", NotJson },
        { "{\"givenName\":\"A\"} trailing", "body", NotJson },
        { "{\"course\":{\"startDate\":\"2026-01-01\",\"startDate\":\"2026-01-02\"}}", "body", Twice },
        { "[{\"a\":1,\"a\":2}]", "body", Twice },
        { "{\"nickname\":\"A\"}", "nickname", Unknown },
        { "{\"course\":{\"startdate\":\"2026-01-01\",\"phase\":\"induction\"}}", "course.phase", Unknown },
        { "{\"course\":{\"pauses\":[{\"from\":\"2026-01-01\",\"reason\":\"trip\",\"until\":\"2026-01-09\"}]}}", "course.pauses[0].until", Unknown },
        { "{\"smsConsent\":\"yes\"}", "smsConsent", WrongType },
        { "{\"course\":{\"maintenanceIntervalDays\":\"7\"}}", "course.maintenanceIntervalDays", WrongType },
        { "{\"course\":[]}", "course", WrongType },
        { "{\"course\":{\"pauses\":[{\"from\":1}]}}", "course.pauses[0].from", WrongType },
    };

    [Theory]
    [MemberData(nameof(PatientBodies))]
    public async Task A_bad_patient_body_names_the_field_and_what_is_wrong(string body, string field, string detail)
    {
        var result = await ReadAsync<PatientInput>(body);
        Assert.False(result.IsSuccess);
        Assert.Equal([detail], Assert.Single(result.Problem!.Errors!, e => e.Key == field).Value);
    }

    [Theory]
    [InlineData("{\"openingHours\":{\"mon\":5}}", "openingHours.mon", WrongType)] // a dictionary's entry: any key is a field
    [InlineData("{\"reminders\":{\"quietHours\":[\"22:00\",7]}}", "reminders.quietHours[1]", WrongType)]
    [InlineData("{\"reminders\":{\"quiet\":[]}}", "reminders.quiet", Unknown)]
    public async Task A_bad_clinic_body_names_the_field_and_what_is_wrong(string body, string field, string detail)
    {
        var result = await ReadAsync<ClinicInput>(body);
        Assert.Equal([detail], Assert.Single(result.Problem!.Errors!, e => e.Key == field).Value);
    }

    [Fact]
    public async Task Field_names_match_in_any_case()
    {
        var result = await ReadAsync<PatientInput>("{\"GivenName\":\"A\",\"course\":{\"StartDate\":\"2026-01-01\"}}");
        Assert.True(result.IsSuccess);
        Assert.Equal(("A", "2026-01-01"), (result.Value!.GivenName, result.Value.Course!.StartDate));
    }

    private static Task<ClinicBackend.Domain.Common.Result<T>> ReadAsync<T>(string body) where T : class
    {
        var http = new DefaultHttpContext();
        http.Request.ContentType = "application/json";
        http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return RequestReader.ReadJsonAsync<T>(http.Request, default);
    }
}
