using System.Text.Json.Nodes;
using ClinicBackend.Application.Persistence;

namespace ClinicBackend.Integration.Tests.Sessions;

/// <summary>
/// A whole induction course in one request: best-effort books what fits and lists the rest with alternatives,
/// all-or-nothing books nothing on a conflict; holds keep capacity exact against single bookings, and a course
/// whose request dies is finished by ExpireOffers. One chair; Monday 2026-11-30 10:00 in New York.
/// </summary>
public sealed class CourseBookingTests : ClinicAppTest
{
    private static readonly string[] Induction = ["2026-12-07T10:00", "2026-12-10T10:00", "2026-12-14T10:00", "2026-12-17T10:00",
        "2026-12-21T10:00", "2026-12-24T10:00", "2026-12-28T10:00", "2026-12-31T10:00"];

    private readonly GatedStore.Gate _gate = new();

    protected override ClinicOptions ClinicOptions => new() { Chairs = 1 };

    protected override void ConfigureServices(IServiceCollection services) => GatedStore.Install(services, _gate);

    private string _patient = null!;

    protected override async Task SetUpAsync() => _patient = await Clinic.RegisterPatientAsync();

    private Task<Reply> BookCourseAsync(string mode, string? patient = null, string from = "2026-12-07", int count = 8) =>
        Clinic.PostAsync($"/patients/{patient ?? _patient}/course-bookings", new { from, weekdays = new[] { "mon", "thu" }, time = "10:00", count, mode });

    private async Task<JsonArray> SessionsOfAsync(string patient) =>
        (await Clinic.GetAsync($"/sessions?patientId={patient}")).Expect(200).Json!["sessions"]!.AsArray();

    /// <summary>Every row the course machinery or a session of <paramref name="patient"/> could leave behind.</summary>
    private async Task<List<string>> LeftoversAsync(string patient)
    {
        var rows = await StoredRows.PartitionAsync(App, Clinic.ClinicId);
        return rows.Keys.Where(k => k.StartsWith("coursehold|") || k.StartsWith("courseexp|") || k.StartsWith($"pday|{patient}|")
            || k.StartsWith($"psession|{patient}|") || (k.StartsWith("session|") && rows[k].Field("patientId") == patient)).ToList();
    }

    [Fact]
    public async Task Best_effort_books_what_fits_and_lists_the_conflict_with_alternatives()
    {
        (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-10T10:00")).Expect(201);
        var reply = (await BookCourseAsync("best-effort")).Expect(201);
        var sessions = reply.Json!["sessions"]!.AsArray();
        Assert.Equal(Induction.Where(s => s != "2026-12-10T10:00"), sessions.Select(s => s!["start"]!.ToString()));
        var conflict = Assert.Single(reply.Json!["conflicts"]!.AsArray())!;
        Assert.Equal("2026-12-10T10:00", conflict["start"]!.ToString());
        Assert.Equal("capacity", conflict["reason"]!.ToString());
        Assert.Equal(["2026-12-10T08:00", "2026-12-10T12:00", "2026-12-10T12:15"], conflict["alternatives"]!.AsArray().Select(a => a!.ToString()));

        // Each session is booked as a single booking would be: audit, event, reminder.
        Assert.Equal(7, (await SessionsOfAsync(_patient)).Count);
        var audit = (await Clinic.GetAsync("/audit?limit=200", Clinic.Admin)).Json!["entries"]!.AsArray();
        Assert.Equal(7, audit.Count(a => a!["action"]!.ToString() == "session.booked" && sessions.Any(s => s!["id"]!.ToString() == a["entityId"]!.ToString())));
        var events = await PublishedEvents.DrainAsync(App);
        Assert.All(sessions, s => Assert.Contains(events, e => e["id"]!.ToString() == $"{s!["id"]}-v1"));
        var reminders = (await Clinic.MessagesAsync(_patient)).Where(m => m!["kind"]!.ToString() == "day-before").ToList();
        Assert.Equal(7, reminders.Count);
        Assert.DoesNotContain(await LeftoversAsync(_patient), k => k.StartsWith("course"));

        // Taking an alternative completes the course.
        (await Clinic.BookAsync(_patient, conflict["alternatives"]![1]!.ToString())).Expect(201);
        Assert.Equal(8, (await SessionsOfAsync(_patient)).Count);
    }

    [Fact]
    public async Task All_or_nothing_with_a_conflict_in_the_middle_books_nothing_at_all()
    {
        (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-17T10:00")).Expect(201);
        await PublishedEvents.DrainAsync(App);
        var before = await StoredRows.PartitionAsync(App, Clinic.ClinicId, "chair|");

        var refused = (await BookCourseAsync("all-or-nothing")).ExpectProblem(409, "course-conflict");
        var conflict = Assert.Single(refused.Json!["conflicts"]!.AsArray())!;
        Assert.Equal("2026-12-17T10:00", conflict["start"]!.ToString());
        Assert.NotEmpty(conflict["alternatives"]!.AsArray());

        Assert.Empty(await SessionsOfAsync(_patient));
        Assert.Equal(before.Keys, (await StoredRows.PartitionAsync(App, Clinic.ClinicId, "chair|")).Keys);
        Assert.Empty(await LeftoversAsync(_patient));
        Assert.Empty(await PublishedEvents.DrainAsync(App));
        Assert.DoesNotContain(await Clinic.MessagesAsync(_patient), m => m!["kind"]!.ToString() == "day-before");
        var audit = (await Clinic.GetAsync("/audit?limit=200", Clinic.Admin)).Json!["entries"]!.AsArray();
        Assert.DoesNotContain(audit, a => a!["action"]!.ToString() == "session.booked" && a["changes"]?.ToJsonString().Contains(_patient) == true);

        // Without the conflict the same request books all eight.
        Assert.Equal(8, (await BookCourseAsync("all-or-nothing", from: "2027-01-04")).Expect(201).Json!["sessions"]!.AsArray().Count);
    }

    [Fact]
    public async Task Concurrent_course_and_single_bookings_for_the_same_chairs_never_overbook()
    {
        var singles = new List<string>();
        for (var i = 0; i < Induction.Length; i++)
        {
            singles.Add(await Clinic.RegisterPatientAsync());
        }
        var course = BookCourseAsync("best-effort");
        var booked = await Task.WhenAll(singles.Select((p, i) => Clinic.BookAsync(p, Induction[i])));
        var courseReply = await course;

        var singleWins = booked.Count(b => b.Status == 201);
        Assert.All(booked, b => Assert.Contains(b.Status, new[] { 201, 409 }));
        var courseWins = courseReply.Status == 201 ? courseReply.Json!["sessions"]!.AsArray().Count : 0;
        Assert.Equal(Induction.Length, singleWins + courseWins);
        foreach (var start in Induction)
        {
            var day = (await Clinic.GetAsync($"/sessions?date={start[..10]}")).Expect(200).Json!["sessions"]!.AsArray();
            Assert.Single(day, s => s!["status"]!.ToString() == "booked");
        }
        var claims = await StoredRows.ChairClaimsAsync(App, Clinic.ClinicId);
        Assert.Equal(Induction.Length * 24, claims.Count); // 24 five-minute ticks per session, one chair
        Assert.DoesNotContain(await LeftoversAsync(_patient), k => k.StartsWith("course"));
    }

    [Fact]
    public async Task A_course_whose_request_dies_while_holding_is_rolled_back_by_the_next_run()
    {
        _gate.CrashAt(3, changes => changes.Any(c => c.Key.StartsWith("coursehold|") && c is Change.Insert));
        (await BookCourseAsync("best-effort")).Expect(500);
        Assert.Equal(2, (await LeftoversAsync(_patient)).Count(k => k.StartsWith("coursehold|")));
        // Meanwhile the held chairs stay taken: nobody is overbooked.
        (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), Induction[0])).ExpectProblem(409, "capacity");

        await App.RunFunctionAsync("ExpireOffers");
        Assert.NotEmpty(await LeftoversAsync(_patient)); // not overdue yet
        App.Clock.Advance(TimeSpan.FromMinutes(3));
        await App.RunFunctionAsync("ExpireOffers");
        await App.RunFunctionAsync("ExpireOffers");
        Assert.Empty(await LeftoversAsync(_patient));
        Assert.Empty(await StoredRows.ChairClaimsAsync(App, Clinic.ClinicId));
        Assert.Empty(await SessionsOfAsync(_patient));
        var course = Assert.Single(await StoredRows.PartitionAsync(App, Clinic.ClinicId, "course|")).Value;
        Assert.Equal("rolled-back", course.Field("status"));
        (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), Induction[0])).Expect(201);
    }

    [Fact]
    public async Task A_course_whose_request_dies_while_confirming_is_rolled_forward_by_the_next_run()
    {
        _gate.CrashAt(2, changes => changes.Any(c => c.Key.StartsWith("coursehold|") && c is Change.Delete) && changes.Any(c => c.Key.StartsWith("session|")));
        (await BookCourseAsync("all-or-nothing")).Expect(500);
        Assert.Single(await SessionsOfAsync(_patient));

        App.Clock.Advance(TimeSpan.FromMinutes(3));
        await App.RunFunctionAsync("ExpireOffers");
        Assert.Equal(Induction, (await SessionsOfAsync(_patient)).Select(s => s!["start"]!.ToString()));
        Assert.DoesNotContain(await LeftoversAsync(_patient), k => k.StartsWith("course"));
        Assert.Equal(8, (await Clinic.MessagesAsync(_patient)).Count(m => m!["kind"]!.ToString() == "day-before"));
    }

    [Fact]
    public async Task A_course_across_the_spring_change_keeps_ten_oclock_local()
    {
        App.Clock.SetUtcNow(new DateTimeOffset(2027, 3, 1, 15, 0, 0, TimeSpan.Zero));
        var sessions = (await BookCourseAsync("all-or-nothing", from: "2027-03-08", count: 4)).Expect(201).Json!["sessions"]!.AsArray();
        Assert.Equal(["2027-03-08T10:00", "2027-03-11T10:00", "2027-03-15T10:00", "2027-03-18T10:00"], sessions.Select(s => s!["start"]!.ToString()));
        Assert.Equal(["2027-03-08T15:00:00Z", "2027-03-11T15:00:00Z", "2027-03-15T14:00:00Z", "2027-03-18T14:00:00Z"], sessions.Select(s => s!["startUtc"]!.ToString()));
    }

    [Theory]
    [InlineData("""{ "from": "2026-12-07", "weekdays": ["mon", "funday"], "time": "10:00", "count": 8 }""", "weekdays")]
    [InlineData("""{ "from": "2026-12-07", "weekdays": [], "time": "10:00", "count": 8 }""", "weekdays")]
    [InlineData("""{ "from": "2026-12-07", "weekdays": ["mon"], "time": "10:00", "count": 0 }""", "count")]
    [InlineData("""{ "from": "2026-12-07", "weekdays": ["mon"], "time": "10:00", "count": 17 }""", "count")]
    [InlineData("""{ "from": "2026-11-29", "weekdays": ["mon"], "time": "10:00", "count": 2 }""", "from")]
    [InlineData("""{ "from": "2026-12-07", "weekdays": ["mon"], "time": "25:00", "count": 2 }""", "time")]
    [InlineData("""{ "from": "2026-12-07", "weekdays": ["mon"], "time": "10:00", "count": 2, "mode": "most" }""", "mode")]
    [InlineData("""{ "from": "2199-12-20", "weekdays": ["mon"], "time": "10:00", "count": 16 }""", "from")]
    public async Task Bad_input_is_a_400_naming_the_field_and_books_nothing(string body, string field)
    {
        var refused = (await Clinic.PostAsync($"/patients/{_patient}/course-bookings", JsonNode.Parse(body))).ExpectProblem(400);
        Assert.True(refused.Json!["errors"]![field] is not null, refused.Body);
        Assert.Empty(await SessionsOfAsync(_patient));
        Assert.Empty(await StoredRows.PartitionAsync(App, Clinic.ClinicId, "course|"));
    }

    [Fact]
    public async Task Unknown_patients_are_refused_and_patients_not_yet_enrolled_are_booked()
    {
        (await BookCourseAsync("best-effort", patient: "p0000000000000000000000000")).ExpectProblem(404);
        var unenrolled = await Clinic.RegisterPatientAsync(remsEnrolled: false);
        (await BookCourseAsync("best-effort", patient: unenrolled)).Expect(201);
        Assert.NotNull(await StoredRows.RowAsync(App, Clinic.ClinicId, $"remsenrol|{unenrolled}")); // watched until enrolled
        var other = await AddClinicAsync();
        (await App.PostAsync($"{Clinic.Base}/patients/{_patient}/course-bookings", other.Staff,
            new { from = "2026-12-07", weekdays = new[] { "mon" }, time = "10:00", count = 2 })).ExpectProblem(404);
    }
}
