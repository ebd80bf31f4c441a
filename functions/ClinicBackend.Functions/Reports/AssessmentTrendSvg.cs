using System.Globalization;
using System.Net;
using System.Text;
using ClinicBackend.Application.Assessments;
using ClinicBackend.Domain.Assessments;
using NodaTime;
using NodaTime.Text;

namespace ClinicBackend.Functions.Reports;

/// <summary>
/// A patient's ratings over time as a standalone SVG: PHQ-9 and MADRS each in a panel of its own (<c>g.panel.phq9</c>,
/// <c>g.panel.madrs</c>) on its own axis, severity bands shaded and named, one point a rating (<c>circle.point</c> with
/// a <c>title</c>), and dose changes marked (<c>line.dose-change</c>). No script, nothing loaded; a title and a
/// description that says the same in words.
/// </summary>
public static class AssessmentTrendSvg
{
    private const double Left = 64, Right = 130, Top = 70, PanelHeight = 180, Gap = 56, PlotWidth = 560, Bottom = 40;
    private static readonly LocalDatePattern ShortDate = LocalDatePattern.CreateWithInvariantCulture("MMM d");
    private static readonly string[] BandShades = ["#f2f7fb", "#e3eef6", "#fbeee2", "#f6dccb", "#f0c9b4"];

    public static string Write(PatientAssessments list)
    {
        var zone = list.Clinic.Zone;
        var instruments = new[] { Instrument.Phq9, Instrument.Madrs };
        var times = list.Assessments.Select(a => a.At).Concat(list.Doses.Select(d => d.At)).ToList();
        var (from, to) = times.Count == 0 ? (Instant.MinValue, Instant.MinValue) : (times.Min(), times.Max());
        var span = Math.Max((to - from).TotalSeconds, 86400);
        double X(Instant at) => Left + (times.Count == 0 ? 0 : PlotWidth * (at - from).TotalSeconds / span);
        var width = Left + PlotWidth + Right;
        var height = Top + instruments.Length * PanelHeight + (instruments.Length - 1) * Gap + Bottom;
        var name = $"{list.Patient.GivenName} {list.Patient.FamilyName}";

        var svg = new StringBuilder();
        svg.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:0.#}\" height=\"{height:0.#}\" viewBox=\"0 0 {width:0.#} {height:0.#}\" "))
            .Append("role=\"img\" aria-labelledby=\"chart-title chart-desc\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif\" font-size=\"12\" fill=\"#1a1a1a\">\n")
            .Append("<title id=\"chart-title\">Assessments of ").Append(E(name)).Append("</title>\n<desc id=\"chart-desc\">")
            .Append(E(Describe(list, zone))).Append("</desc>\n")
            .Append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n")
            .Append(Inv($"<text x=\"{Left}\" y=\"28\" font-size=\"16\" font-weight=\"600\">Assessments of {E(name)}</text>\n"))
            .Append(Inv($"<text x=\"{Left}\" y=\"48\" fill=\"#444\">PHQ-9 (patient) and MADRS (clinician), each on its own scale; dashed lines mark dose changes</text>\n"));

        for (var p = 0; p < instruments.Length; p++)
        {
            var instrument = instruments[p];
            var top = Top + p * (PanelHeight + Gap);
            var max = Scales.MaxTotal(instrument);
            double Y(int value) => top + PanelHeight - PanelHeight * value / max;
            var label = instrument == Instrument.Phq9 ? "PHQ-9" : "MADRS";
            svg.Append(Inv($"<g class=\"panel {(instrument == Instrument.Phq9 ? "phq9" : "madrs")}\">\n"));
            var bands = Scales.Bands(instrument);
            for (var b = 0; b < bands.Count; b++)
            {
                var upper = b + 1 < bands.Count ? bands[b + 1].From : max + 1;
                var (y1, y2) = (Y(Math.Min(upper, max)), Y(bands[b].From));
                svg.Append(Inv($"<rect class=\"band\" data-band=\"{bands[b].Band}\" x=\"{Left}\" y=\"{y1:0.#}\" width=\"{PlotWidth}\" height=\"{Math.Max(y2 - y1, 0):0.#}\" fill=\"{BandShades[b % BandShades.Length]}\"/>\n"))
                    .Append(Inv($"<text x=\"{Left + PlotWidth + 8}\" y=\"{(y1 + y2) / 2 + 4:0.#}\" fill=\"#444\">{bands[b].Band.Replace('-', ' ')}</text>\n"));
            }
            svg.Append(Inv($"<line x1=\"{Left}\" y1=\"{top}\" x2=\"{Left}\" y2=\"{top + PanelHeight}\" stroke=\"#333\"/>\n"))
                .Append(Inv($"<line x1=\"{Left}\" y1=\"{top + PanelHeight}\" x2=\"{Left + PlotWidth}\" y2=\"{top + PanelHeight}\" stroke=\"#333\"/>\n"))
                .Append(Inv($"<text x=\"{Left - 8}\" y=\"{top - 8}\" font-weight=\"600\">{label} (0-{max})</text>\n"));
            foreach (var tick in new[] { 0, max / 2, max })
            {
                svg.Append(Inv($"<text x=\"{Left - 8}\" y=\"{Y(tick) + 4:0.#}\" text-anchor=\"end\">{tick}</text>\n"));
            }
            var points = list.Assessments.Where(a => a.Instrument == instrument).OrderBy(a => a.At).ToList();
            if (points.Count > 1)
            {
                svg.Append("<polyline class=\"trend\" fill=\"none\" stroke=\"#0072B2\" stroke-width=\"2\" points=\"")
                    .Append(string.Join(' ', points.Select(a => Inv($"{X(a.At):0.#},{Y(a.Total):0.#}")))).Append("\"/>\n");
            }
            foreach (var a in points)
            {
                svg.Append(Inv($"<circle class=\"point\" data-total=\"{a.Total}\" cx=\"{X(a.At):0.#}\" cy=\"{Y(a.Total):0.#}\" r=\"4.5\" fill=\"#0072B2\" stroke=\"#fff\" stroke-width=\"1.5\">"))
                    .Append("<title>").Append(E($"{label} {a.Total} ({a.Severity}) on {ShortDate.Format(a.At.InZone(zone).Date)}{(a.Baseline ? ", baseline" : "")}")).Append("</title></circle>\n");
            }
            foreach (var change in DoseChanges(list.Doses))
            {
                svg.Append(Inv($"<line class=\"dose-change\" x1=\"{X(change.At):0.#}\" y1=\"{top}\" x2=\"{X(change.At):0.#}\" y2=\"{top + PanelHeight}\" stroke=\"#D55E00\" stroke-dasharray=\"4 3\">"))
                    .Append("<title>").Append(E(change.Label)).Append("</title></line>\n");
            }
            svg.Append("</g>\n");
        }
        if (times.Count > 0)
        {
            var axisY = height - Bottom + 18;
            svg.Append(Inv($"<text x=\"{Left}\" y=\"{axisY:0.#}\">{ShortDate.Format(from.InZone(zone).Date)}</text>\n"))
                .Append(Inv($"<text x=\"{Left + PlotWidth}\" y=\"{axisY:0.#}\" text-anchor=\"end\">{ShortDate.Format(to.InZone(zone).Date)}</text>\n"));
        }
        return svg.Append("</svg>\n").ToString();
    }

    /// <summary>Each dose whose milligrams differ from the dose before it.</summary>
    private static IEnumerable<(Instant At, string Label)> DoseChanges(IReadOnlyList<(Instant At, int DoseMg)> doses)
    {
        var ordered = doses.OrderBy(d => d.At).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].DoseMg != ordered[i - 1].DoseMg)
            {
                yield return (ordered[i].At, $"Dose changed from {ordered[i - 1].DoseMg} mg to {ordered[i].DoseMg} mg");
            }
        }
    }

    private static string Describe(PatientAssessments list, DateTimeZone zone)
    {
        if (list.Assessments.Count == 0)
        {
            return "No assessments recorded.";
        }
        return string.Join("; ", list.Assessments.OrderBy(a => a.At).Select(a =>
            $"{(a.Instrument == Instrument.Phq9 ? "PHQ-9" : "MADRS")} {a.Total} ({a.Severity}) on {ShortDate.Format(a.At.InZone(zone).Date)}")) + ".";
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
