using System.Globalization;
using System.Security;
using System.Text;
using ClinicBackend.Domain.Reports;
using ClinicBackend.Domain.Time;
using NodaTime.Text;

namespace ClinicBackend.Functions.Reports;

/// <summary>
/// The weekly series as a standalone SVG bar chart: one group per week (<c>g.week</c>) with a bar per series
/// (<c>rect.bar.fulfilled</c>, <c>.noshow</c>, <c>.cancelled</c>), a legend, labelled axes and week labels. No script,
/// no external resources; colours from the Okabe-Ito palette, which stays distinct under colour blindness.
/// </summary>
public static class WeeklyChartSvg
{
    public static readonly (string Class, string Label, string Colour)[] Series =
    [
        ("fulfilled", "Fulfilled", "#0072B2"),
        ("noshow", "No-show", "#D55E00"),
        ("cancelled", "Cancelled", "#8C8C8C"),
    ];

    private const double Left = 64, Right = 24, Top = 84, PlotHeight = 260, MinPlotWidth = 480, MaxBarWidth = 28;

    private static readonly LocalDatePattern ShortDate = LocalDatePattern.CreateWithInvariantCulture("MMM d");
    private static readonly LocalDatePattern LongDate = LocalDatePattern.CreateWithInvariantCulture("d MMM uuuu");

    public static string Write(SummaryReport report)
    {
        var weeks = report.Weeks;
        var groupWidth = Math.Max(MinPlotWidth / Math.Max(weeks.Count, 1), 30.0);
        var plotWidth = groupWidth * Math.Max(weeks.Count, 1);
        var rotate = groupWidth < 56; // upright labels only while they fit beside each other
        var bottom = rotate ? 96.0 : 64.0;
        var width = Left + plotWidth + Right;
        var height = Top + PlotHeight + bottom;
        var (axisMax, step) = Scale(weeks.Select(w => Math.Max(w.Fulfilled, Math.Max(w.Noshow, w.Cancelled))).DefaultIfEmpty(0).Max());
        double Y(int value) => Top + PlotHeight - PlotHeight * value / axisMax;

        var range = $"{LongDate.Format(report.Range.From)} to {LongDate.Format(report.Range.To)}";
        var svg = new StringBuilder();
        svg.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:0.#}\" height=\"{height:0.#}\" viewBox=\"0 0 {width:0.#} {height:0.#}\" "));
        svg.Append("role=\"img\" aria-labelledby=\"chart-title chart-desc\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif\" font-size=\"12\" fill=\"#1a1a1a\">\n");
        svg.Append($"<title id=\"chart-title\">Sessions per week, {Escape(range)}</title>\n");
        svg.Append($"<desc id=\"chart-desc\">Fulfilled, no-show and cancelled sessions per week (weeks start on Monday, clinic-local dates), {Escape(range)}. "
            + "The first and last weeks count only their days inside the range.</desc>\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        svg.Append(Inv($"<text x=\"{Left:0.#}\" y=\"28\" font-size=\"16\" font-weight=\"600\">Sessions per week</text>\n"));
        svg.Append(Inv($"<text x=\"{Left:0.#}\" y=\"46\" fill=\"#555555\">{Escape(range)}</text>\n"));
        Legend(svg, Left, 66);

        // Grid and y axis
        svg.Append("<g class=\"y-axis\" text-anchor=\"end\">\n");
        for (var tick = 0; tick <= axisMax; tick += step)
        {
            svg.Append(Inv($"<line x1=\"{Left:0.#}\" x2=\"{Left + plotWidth:0.#}\" y1=\"{Y(tick):0.#}\" y2=\"{Y(tick):0.#}\" stroke=\"{(tick == 0 ? "#1a1a1a" : "#e0e0e0")}\" stroke-width=\"1\"/>"));
            svg.Append(Inv($"<text x=\"{Left - 8:0.#}\" y=\"{Y(tick) + 4:0.#}\">{tick}</text>\n"));
        }
        svg.Append("</g>\n");
        svg.Append(Inv($"<text class=\"axis-title\" transform=\"translate(18 {Top + PlotHeight / 2:0.#}) rotate(-90)\" text-anchor=\"middle\">Sessions</text>\n"));

        // One group per week
        var barWidth = Math.Min(MaxBarWidth, groupWidth * 0.78 / Series.Length);
        for (var i = 0; i < weeks.Count; i++)
        {
            var week = weeks[i];
            var start = ClinicTime.FormatDate(week.WeekStart);
            var groupLeft = Left + i * groupWidth;
            var barsLeft = groupLeft + (groupWidth - barWidth * Series.Length) / 2;
            svg.Append($"<g class=\"week\" data-week-start=\"{start}\">\n");
            int[] values = [week.Fulfilled, week.Noshow, week.Cancelled];
            for (var s = 0; s < Series.Length; s++)
            {
                var x = barsLeft + s * barWidth;
                var y = Y(values[s]);
                svg.Append(Inv($"<rect class=\"bar {Series[s].Class}\" x=\"{x:0.##}\" y=\"{y:0.##}\" width=\"{barWidth - 1:0.##}\" height=\"{Top + PlotHeight - y:0.##}\" fill=\"{Series[s].Colour}\">"));
                svg.Append(Inv($"<title>Week of {start}: {values[s]} {Series[s].Label.ToLowerInvariant()}</title></rect>\n"));
                if (barWidth >= 18 && values[s] > 0)
                {
                    svg.Append(Inv($"<text x=\"{x + (barWidth - 1) / 2:0.##}\" y=\"{y - 4:0.##}\" text-anchor=\"middle\" font-size=\"11\">{values[s]}</text>\n"));
                }
            }
            var labelX = groupLeft + groupWidth / 2;
            var labelY = Top + PlotHeight + 16;
            svg.Append(rotate
                ? Inv($"<text class=\"week-label\" transform=\"translate({labelX + 4:0.##} {labelY:0.#}) rotate(-45)\" text-anchor=\"end\">{ShortDate.Format(week.WeekStart)}</text>\n")
                : Inv($"<text class=\"week-label\" x=\"{labelX:0.##}\" y=\"{labelY:0.#}\" text-anchor=\"middle\">{ShortDate.Format(week.WeekStart)}</text>\n"));
            svg.Append("</g>\n");
        }
        svg.Append(Inv($"<text class=\"axis-title\" x=\"{Left + plotWidth / 2:0.#}\" y=\"{height - 12:0.#}\" text-anchor=\"middle\">Week starting (Monday)</text>\n"));
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Legend(StringBuilder svg, double x, double y)
    {
        svg.Append("<g class=\"legend\">\n");
        foreach (var (cls, label, colour) in Series)
        {
            svg.Append(Inv($"<rect class=\"swatch {cls}\" x=\"{x:0.#}\" y=\"{y - 10:0.#}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>"));
            svg.Append(Inv($"<text x=\"{x + 18:0.#}\" y=\"{y:0.#}\">{label}</text>\n"));
            x += 28 + label.Length * 7.5;
        }
        svg.Append("</g>\n");
    }

    /// <summary>The top of the y axis and the step between its ticks: 1, 2 or 5 times a power of ten, at most 6 steps.</summary>
    public static (int Max, int Step) Scale(int largest)
    {
        if (largest <= 0)
        {
            return (5, 1);
        }
        var step = 1;
        for (var magnitude = 1; ; magnitude *= 10)
        {
            foreach (var factor in new[] { 1, 2, 5 })
            {
                step = factor * magnitude;
                if ((largest + step - 1) / step <= 6)
                {
                    return ((largest + step - 1) / step * step, step);
                }
            }
        }
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string text) => SecurityElement.Escape(text);
}
