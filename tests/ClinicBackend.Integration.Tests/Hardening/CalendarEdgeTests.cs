namespace ClinicBackend.Integration.Tests.Hardening;

/// <summary>Issue #12, finding 1: dates and times outside 1900-2199 are refused as input, never a 500.</summary>
public sealed class CalendarEdgeTests : ClinicAppTest
{
    private string _patient = null!;
    private string _session = null!;

    protected override async Task SetUpAsync()
    {
        _patient = await Clinic.RegisterPatientAsync();
        _session = (await Clinic.BookAsync(_patient, "2026-12-02T09:00")).Expect(201)["id"]!;
    }

    public static TheoryData<string> FarDates => new() { "9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01" };

    [Theory]
    [MemberData(nameof(FarDates))]
    public async Task Far_dates_are_refused_as_input_everywhere_a_date_is_read(string date)
    {
        ExpectField(await Clinic.GetAsync($"/sessions?date={date}"), "date");
        ExpectField(await Clinic.GetAsync($"/availability?date={date}"), "date");
        ExpectField(await Clinic.BookAsync(_patient, $"{date}T09:00"), "start");
        ExpectField(await Clinic.PostAsync($"/sessions/{_session}/reschedule", new { start = $"{date}T09:00" }), "start");
        ExpectField(await Clinic.PostAsync($"/sessions/{_session}/rems-form", new { submittedAt = $"{date}T23:59:59+14:00" }), "submittedAt");
        ExpectField(await Clinic.PostAsync($"/sessions/{_session}/rems-form", new { submittedAt = $"{date}T00:00" }), "submittedAt");
        ExpectField(await App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{_patient}", Clinic.Staff, new { course = new { startDate = date } }), "course.startDate");
        Assert.Equal("2026-12-02T09:00", (await Clinic.GetAsync($"/sessions/{_session}")).Expect(200)["start"]);
    }

    [Theory]
    [InlineData("1900-01-01")]
    [InlineData("2199-12-31")]
    public async Task The_first_and_last_day_of_the_calendar_are_read(string date)
    {
        Assert.Empty((await Clinic.GetAsync($"/sessions?date={date}")).Expect(200).Json!["sessions"]!.AsArray());
        Assert.Empty((await Clinic.GetAsync($"/availability?date={date}")).Expect(200).Json!["slots"]!.AsArray());
        // Bookable by the calendar, refused by the rules: in the past or too far ahead.
        (await Clinic.BookAsync(_patient, $"{date}T09:00")).Expect(422);
    }

    private static void ExpectField(Reply reply, string field)
    {
        reply.ExpectProblem(400, "validation");
        Assert.True(reply.Json!["errors"]!.AsObject().ContainsKey(field), $"errors should name '{field}': {reply.Body}");
    }
}
