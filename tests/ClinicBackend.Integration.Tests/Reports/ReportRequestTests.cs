using System.Net.Http.Headers;

namespace ClinicBackend.Integration.Tests.Reports;

/// <summary>Who may read the summary, what it refuses, and its representations on an empty clinic.</summary>
public sealed class ReportRequestTests : ClinicAppTest
{
    private const string Fortnight = "/reports/summary?from=2026-11-30&to=2026-12-13";

    private async Task<Reply> GetAsync(string pathAndQuery, string? token, string? accept = null)
    {
        using var request = App.Request(HttpMethod.Get, $"{Clinic.Base}{pathAndQuery}", token);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
        using var response = await App.Http.SendAsync(request);
        return await Reply.ReadAsync(response);
    }

    [Fact]
    public async Task Only_the_clinics_admins_read_it()
    {
        (await GetAsync(Fortnight, Clinic.Admin)).Expect(200);
        (await GetAsync(Fortnight, Clinic.Staff)).ExpectProblem(403, "forbidden");
        (await GetAsync(Fortnight, App.Token("admin-elsewhere", Roles.ClinicAdmin))).ExpectProblem(404); // no membership here
        var other = await AddClinicAsync();
        (await GetAsync(Fortnight, other.Admin)).ExpectProblem(404);
        (await GetAsync(Fortnight, Clinic.PlatformAdmin)).ExpectProblem(403); // platform admins manage clinics, not their figures
        (await GetAsync(Fortnight, token: null)).ExpectProblem(401);
        (await App.GetAsync("/api/clinics/no-such-clinic/reports/summary?from=2026-11-30&to=2026-12-13", Clinic.Admin)).ExpectProblem(404);
    }

    [Theory]
    [InlineData("", "from,to")]
    [InlineData("?to=2026-12-13", "from")]
    [InlineData("?from=2026-11-30", "to")]
    [InlineData("?from=2026-11-31&to=2026-12-13", "from")]
    [InlineData("?from=2026-11-30&to=13.12.2026", "to")]
    [InlineData("?from=2026-11-30&to=", "to")]
    [InlineData("?from=2026-12-13&to=2026-11-30", "to")] // to before from
    [InlineData("?from=2026-01-01&to=2027-01-02", "to")] // 367 days
    public async Task Bad_dates_are_400s_naming_the_field(string query, string fields)
    {
        var reply = (await GetAsync("/reports/summary" + query, Clinic.Admin)).ExpectProblem(400, "validation");
        Assert.Equal(fields.Split(','), reply.Json!["errors"]!.AsObject().Select(e => e.Key).Order());
    }

    [Fact]
    public async Task A_year_of_366_days_is_fine_and_has_a_week_for_every_monday()
    {
        var reply = (await GetAsync("/reports/summary?from=2028-01-01&to=2028-12-31", Clinic.Admin)).Expect(200); // a leap year
        var weeks = reply.Json!["weeks"]!.AsArray();
        Assert.Equal(53, weeks.Count); // 2027-12-27 to 2028-12-25
        Assert.Equal("2027-12-27", weeks[0]!["weekStart"]!.ToString());
        Assert.Equal("2028-12-25", weeks[^1]!["weekStart"]!.ToString());

        var svg = ReportSvg.Parse((await GetAsync("/reports/summary?from=2028-01-01&to=2028-12-31", Clinic.Admin, "image/svg+xml")).Expect(200).Body);
        Assert.Equal(53, svg.WeekGroups.Count);
        Assert.Equal([53, 53, 53], [svg.Bars("fulfilled"), svg.Bars("noshow"), svg.Bars("cancelled")]);
    }

    [Fact]
    public async Task An_empty_clinic_reports_zeros_in_every_representation()
    {
        var json = (await GetAsync(Fortnight, Clinic.Admin)).Expect(200).Json!;
        Assert.Equal(0, json["noShowRate"]!.GetValue<double>());
        Assert.Equal(0, json["confirmationRate"]!.GetValue<double>());
        Assert.Equal(0, json["sessions"]!["fulfilled"]!.GetValue<int>());
        Assert.Equal(0, json["cadence"]!["patients"]!.GetValue<int>());
        Assert.Equal(0, json["sms"]!["sent"]!.GetValue<int>());

        var csv = (await GetAsync(Fortnight, Clinic.Admin, "text/csv")).Expect(200);
        Assert.Equal("text/csv; charset=utf-8; header=present", csv.ContentType);
        Assert.Equal([["weekStart", "fulfilled", "noshow", "cancelled"], ["2026-11-30", "0", "0", "0"], ["2026-12-07", "0", "0", "0"]], ReportCsv.Parse(csv.Body));

        var svg = (await GetAsync(Fortnight, Clinic.Admin, "image/svg+xml")).Expect(200);
        Assert.Equal("image/svg+xml; charset=utf-8", svg.ContentType);
        Assert.Equal(["2026-11-30", "2026-12-07"], ReportSvg.Parse(svg.Body).Weeks);
    }

    [Theory]
    [InlineData(null, "application/json")]
    [InlineData("*/*", "application/json")]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json")]
    [InlineData("text/csv;q=0.5, image/svg+xml", "image/svg+xml")]
    [InlineData("application/json;q=0, text/*", "text/csv")]
    public async Task Accept_chooses_the_representation(string? accept, string contentType)
    {
        var reply = (await GetAsync(Fortnight, Clinic.Admin, accept)).Expect(200);
        Assert.StartsWith(contentType, reply.ContentType);
        Assert.Equal("Accept", reply.Header("Vary"));
    }

    [Theory]
    [InlineData("application/pdf")]
    [InlineData("application/json;q=0")]
    public async Task An_accept_that_allows_none_of_them_is_406(string accept)
    {
        var reply = (await GetAsync(Fortnight, Clinic.Admin, accept)).ExpectProblem(406, "not-acceptable");
        Assert.Contains("text/csv", reply["detail"]);
    }

    [Fact]
    public async Task Quality_values_as_HttpClient_writes_them_are_read()
    {
        using var request = App.Request(HttpMethod.Get, $"{Clinic.Base}{Fortnight}", Clinic.Admin);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv", 0.9));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json", 0.1));
        using var response = await App.Http.SendAsync(request);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
    }
}
