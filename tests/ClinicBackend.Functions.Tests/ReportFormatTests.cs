using System.Globalization;
using System.Xml.Linq;
using ClinicBackend.Domain.Reports;
using ClinicBackend.Functions.Reports;
using ClinicBackend.Functions.Responses;
using NodaTime;

namespace ClinicBackend.Functions.Tests;

/// <summary>The report's three representations: which one Accept picks, the CSV and the SVG chart.</summary>
public sealed class ReportFormatTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static SummaryReport Report(LocalDate from, LocalDate to, Func<int, (int, int, int)> counts)
    {
        var range = new ReportRange(from, to);
        var weeks = range.WeekStarts().Select((monday, i) => counts(i) is var (f, n, c) ? new WeekCounts(monday, f, n, c) : null!).ToList();
        return new SummaryReport(range, new SessionCounts(0, 0, 0, 0, 0), new Share(1, 3), new Share(2, 3), new RemsFormCounts(0, 0, 0, 0),
            new CadenceCounts(0, 0, 0, new PhaseCounts(0, 0, 0)), new SmsCounts(0, 0, 0, 0, 0), weeks, new ChairUse(0, 0, 0, 0, 0, []));
    }

    [Theory]
    [InlineData(null, ReportFormat.Json)]
    [InlineData("", ReportFormat.Json)]
    [InlineData("*/*", ReportFormat.Json)]
    [InlineData("application/json", ReportFormat.Json)]
    [InlineData("text/csv", ReportFormat.Csv)]
    [InlineData("TEXT/CSV; charset=utf-8", ReportFormat.Csv)]
    [InlineData("image/svg+xml", ReportFormat.Svg)]
    [InlineData("image/*", ReportFormat.Svg)]
    [InlineData("text/*", ReportFormat.Csv)]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", ReportFormat.Json)] // a browser
    [InlineData("application/json;q=0.5, text/csv", ReportFormat.Csv)]
    [InlineData("image/svg+xml;q=0.9, text/csv;q=0.9", ReportFormat.Csv)] // a tie: JSON, then CSV, then SVG
    [InlineData("application/json;q=0, */*", ReportFormat.Csv)] // q=0 refuses JSON
    [InlineData("not a media type", ReportFormat.Json)] // unreadable: as if absent
    [InlineData("text/csv, not a media type", ReportFormat.Csv)] // what is unreadable is skipped
    [InlineData("*/csv", null)] // not a media range RFC 9110 allows: matches nothing
    [InlineData("application/pdf", null)]
    [InlineData("text/html, application/xml", null)]
    [InlineData("application/json;q=0", null)]
    public void Accept_picks_the_representation(string? accept, ReportFormat? format) =>
        Assert.Equal(format, ReportMediaTypes.Negotiate(accept));

    [Fact]
    public void The_csv_has_the_header_and_a_row_per_week()
    {
        var report = Report(new LocalDate(2026, 12, 2), new LocalDate(2026, 12, 14), i => (i + 1, i * 2, 3));
        var lines = WeeklyCsv.Write(report.Weeks).Split("\r\n");
        Assert.Equal(["weekStart,fulfilled,noshow,cancelled", "2026-11-30,1,0,3", "2026-12-07,2,2,3", "2026-12-14,3,4,3", ""], lines);
    }

    [Fact]
    public void The_json_rounds_rates_to_four_decimals_and_writes_dates()
    {
        var body = ReportSummaryResponse.Of(Report(new LocalDate(2026, 12, 2), new LocalDate(2026, 12, 14), _ => (0, 0, 0)));
        Assert.Equal(0.3333, body.NoShowRate);
        Assert.Equal(0.6667, body.ConfirmationRate);
        Assert.Equal(("2026-12-02", "2026-12-14"), (body.From, body.To));
        Assert.Equal(["2026-11-30", "2026-12-07", "2026-12-14"], body.Weeks.Select(w => w.WeekStart));
    }

    public static TheoryData<int> WeekCountsOfRanges => new() { 1, 2, 9, 53 };

    [Theory]
    [MemberData(nameof(WeekCountsOfRanges))]
    public void The_svg_is_standalone_xml_with_one_group_of_three_bars_per_week(int weeks)
    {
        var from = new LocalDate(2026, 1, 5);
        var report = Report(from, from.PlusWeeks(weeks).PlusDays(-1), i => (10 + i % 7, i % 3, i % 2));
        var text = WeeklyChartSvg.Write(report);
        var svg = XDocument.Parse(text).Root!;
        Assert.Equal(Svg + "svg", svg.Name);
        Assert.DoesNotContain(svg.Descendants(), e => e.Name.LocalName is "script" or "foreignObject" or "image");
        Assert.DoesNotContain("href", text, StringComparison.Ordinal);
        Assert.DoesNotContain(svg.Descendants().Attributes(), a => a.Name.LocalName.StartsWith("on", StringComparison.Ordinal));
        Assert.NotNull(svg.Element(Svg + "title"));

        var groups = svg.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "week").ToList();
        Assert.Equal(weeks, groups.Count);
        Assert.Equal(report.Weeks.Select(w => w.WeekStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), groups.Select(g => (string)g.Attribute("data-week-start")!));
        for (var i = 0; i < weeks; i++)
        {
            var bars = groups[i].Elements(Svg + "rect").ToList();
            Assert.Equal(["bar fulfilled", "bar noshow", "bar cancelled"], bars.Select(b => (string)b.Attribute("class")!));
            // Bar heights follow the values: the fulfilled bar is the tallest, a zero is flat.
            var heights = bars.Select(b => double.Parse((string)b.Attribute("height")!, CultureInfo.InvariantCulture)).ToList();
            Assert.True(heights[0] > heights[1] && heights[0] > heights[2]);
            Assert.Equal(report.Weeks[i].Noshow == 0, heights[1] == 0);
            Assert.NotNull(groups[i].Elements(Svg + "text").SingleOrDefault(t => (string?)t.Attribute("class") == "week-label"));
        }
        var legend = svg.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "legend");
        Assert.Equal(["Fulfilled", "No-show", "Cancelled"], legend.Elements(Svg + "text").Select(t => t.Value));
        Assert.Equal(2, svg.Descendants(Svg + "text").Count(t => (string?)t.Attribute("class") == "axis-title"));
    }

    [Theory]
    [InlineData(0, 5, 1)]
    [InlineData(1, 1, 1)]
    [InlineData(6, 6, 1)]
    [InlineData(7, 8, 2)]
    [InlineData(13, 15, 5)]
    [InlineData(40, 40, 10)]
    [InlineData(212, 250, 50)]
    public void The_y_axis_ends_on_a_round_tick(int largest, int max, int step) =>
        Assert.Equal((max, step), WeeklyChartSvg.Scale(largest));
}
