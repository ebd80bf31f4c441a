using System.Globalization;
using System.Net;
using System.Text;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Functions.Responses;

namespace ClinicBackend.Functions.Forms;

/// <summary>
/// The monitoring form as a printable page: plain HTML with its own small style sheet, no script and nothing loaded
/// from elsewhere, readable on a phone and one page on paper. What is still missing is named at the top; each value
/// carries <c>data-field</c> with its JSON name, so the page and the JSON say the same.
/// </summary>
public static class MonitoringFormPage
{
    public const string ContentType = "text/html; charset=utf-8";

    /// <summary>Nothing but the page's own inline style may load or run.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string Style = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 52rem; padding: 1rem; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #111; background: #fff; }
        header { border-bottom: 2px solid #111; margin-bottom: .75rem; padding-bottom: .4rem; }
        h1 { font-size: 1.3rem; margin: 0; }
        .sub { color: #444; margin: .2rem 0 0; }
        h2 { font-size: 1rem; margin: .9rem 0 .3rem; padding-bottom: .15rem; border-bottom: 1px solid #bbb; }
        dl { display: grid; grid-template-columns: minmax(9rem, 14rem) 1fr; gap: .15rem .8rem; margin: 0; }
        dt { color: #444; }
        dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
        .missing { color: #a40000; font-weight: 600; }
        .todo { border: 2px solid #a40000; background: #fff4f4; padding: .5rem .8rem; margin: .5rem 0 .8rem; }
        .todo h2 { border: 0; margin: 0 0 .3rem; color: #a40000; }
        .todo ul { margin: 0; padding-left: 1.2rem; }
        .ready { border: 2px solid #1b5e20; background: #f1f8f1; padding: .5rem .8rem; margin: .5rem 0 .8rem; }
        .cols { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.5rem; }
        ul.events { margin: 0; padding-left: 1.2rem; }
        footer { margin-top: 1rem; font-size: .8rem; color: #555; }
        @media (max-width: 40rem) { .cols { grid-template-columns: 1fr; } dl { grid-template-columns: 1fr; } dd { margin-bottom: .35rem; } }
        @media print {
          @page { size: letter; margin: 11mm 12mm; }
          body { max-width: none; padding: 0; font-size: 9.5pt; line-height: 1.3; }
          h1 { font-size: 13pt; } h2 { font-size: 10pt; margin-top: .5rem; }
          .todo, .ready { padding: .3rem .6rem; margin: .3rem 0 .5rem; }
          section, .todo { break-inside: avoid; }
        }
        """;

    public static string Write(MonitoringFormResponse form)
    {
        var html = new StringBuilder();
        var patient = $"{form.Patient.GivenName} {form.Patient.FamilyName}";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"robots\" content=\"noindex\">\n")
            .Append("<title>Patient Monitoring Form: ").Append(E(patient)).Append(", ").Append(E(Day(form.SessionStart))).Append("</title>\n")
            .Append("<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");

        html.Append("<header><h1>REMS Patient Monitoring Form</h1><p class=\"sub\">")
            .Append(E(form.Clinic.Name)).Append(" · ").Append(E(Phone(form.Clinic.Phone, form)))
            .Append(" · session of ").Append(E(Time(form.SessionStart))).Append(" · due by ").Append(E(Time(form.Filing.DueBy)))
            .Append(form.Filing.SubmittedAt is { } filed ? $" · filed {E(Time(filed))}" : " · not filed yet")
            .Append("</p></header>\n");

        if (form.Missing.Count > 0)
        {
            html.Append("<div class=\"todo\" id=\"missing\"><h2>Complete before filing (").Append(form.Missing.Count).Append(")</h2><ul>\n");
            foreach (var missing in form.Missing)
            {
                html.Append("<li data-missing=\"").Append(E(missing.Field)).Append("\">").Append(E(missing.Label)).Append("</li>\n");
            }
            html.Append("</ul></div>\n");
        }
        else
        {
            html.Append("<div class=\"ready\" id=\"missing\">Every field of the form is recorded: ready to file.</div>\n");
        }

        html.Append("<div class=\"cols\">\n");
        Section(html, "Patient",
            ("patient.name", "Name", patient),
            ("patient.dateOfBirth", "Date of birth", form.Patient.DateOfBirth),
            ("patient.sex", "Sex", form.Patient.Sex),
            ("patient.externalId", "Record number", form.Patient.ExternalId ?? form.Patient.Id),
            ("patient.remsEnrolled", "REMS enrolled", YesNo(form.Patient.RemsEnrolled)),
            ("firstTreatment", "First treatment", YesNo(form.FirstTreatment)));
        Section(html, "Dose",
            ("dose.category", "Dose", form.Dose is { } d ? (d.Category == "other" ? $"other: {d.DoseMg} mg" : $"{d.Category} mg") : null),
            ("dose.otherReason", "Reason (other dose)", form.Dose is { Category: "other" } other ? other.OtherReason : "not applicable"),
            ("dose.lots", "Lot number", form.Dose is { Lots.Count: > 0 } withLots ? string.Join(", ", withLots.Devices.Select(x => $"{x.Lot} ({x.Count})")) : null),
            ("dose.firstDeviceAt", "First device", form.Dose?.FirstDeviceAt is { } first ? Time(first) : null),
            ("otherMedicines", "Other medicines", form.OtherMedicines is { } meds ? (meds.Count == 0 ? "none" : string.Join(", ", meds)) : null));
        html.Append("</div>\n<div class=\"cols\">\n");
        Section(html, "Monitoring",
            ("monitoringMinutes", "Minutes from first device to end", form.MonitoringMinutes?.ToString(CultureInfo.InvariantCulture)),
            ("readyToLeaveAt", "Ready to leave", form.ReadyToLeaveAt is { } ready ? Time(ready) : null),
            ("vitals.acceptableBeforeDose", "Vitals acceptable before dose", YesNo(form.Vitals.AcceptableBeforeDose)),
            ("vitals.acceptableAfterMonitoring", "Vitals acceptable after monitoring", YesNo(form.Vitals.AcceptableAfterMonitoring)),
            ("vitals.bloodPressure.preDose", "Blood pressure before dose", form.Vitals.BloodPressure.PreDose),
            ("vitals.bloodPressure.afterDose", "Blood pressure after dose",
                form.Vitals.BloodPressure.AfterDose is { } after ? (form.Vitals.BloodPressure.AfterDoseMinutes is { } m ? $"{after} at {m} min" : after) : null),
            ("vitals.bloodPressure.discharge", "Blood pressure at discharge", form.Vitals.BloodPressure.Discharge),
            ("vitals.spo2BeforeDose", "SpO2 before dose", form.Vitals.Spo2BeforeDose is { } spo2 ? $"{spo2}%" : null));
        Section(html, "Observed during monitoring",
            ("observed.sedation", "Sedation", YesNo(form.Observed.Sedation)),
            ("observed.dissociation", "Dissociation", YesNo(form.Observed.Dissociation)),
            ("observed.respiratoryDepression", "Respiratory depression", YesNo(form.Observed.RespiratoryDepression)),
            ("observed.observations", "Observations recorded", form.Observed.Observations.ToString(CultureInfo.InvariantCulture)),
            ("monitoringClinician.name", "Monitoring clinician", form.MonitoringClinician?.Name),
            ("monitoringClinician.phone", "Clinician's phone", form.MonitoringClinician?.Phone is { } phone ? Phone(phone, form) : null),
            ("monitoringClinician.email", "Clinician's email", form.MonitoringClinician?.Email));
        html.Append("</div>\n");

        html.Append("<section><h2>Adverse events</h2>");
        if (form.AdverseEvents is null)
        {
            html.Append("<p class=\"missing\" data-field=\"adverseEvents\">not recorded</p>");
        }
        else if (form.AdverseEvents.Count == 0)
        {
            html.Append("<p data-field=\"adverseEvents\">none</p>");
        }
        else
        {
            html.Append("<ul class=\"events\" data-field=\"adverseEvents\">");
            foreach (var adverse in form.AdverseEvents)
            {
                html.Append("<li>").Append(adverse.Serious ? "<strong>serious:</strong> " : "").Append(E(adverse.Description)).Append("</li>");
            }
            html.Append("</ul>");
        }
        html.Append("</section>\n");

        html.Append("<footer>Prepared from the clinic's records for session ").Append(E(form.SessionId))
            .Append(". Times are the clinic's local time. Transcribe to the REMS Patient Monitoring Form and file it within 7 days of the session.</footer>\n")
            .Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Section(StringBuilder html, string title, params (string Field, string Label, string? Value)[] fields)
    {
        html.Append("<section><h2>").Append(E(title)).Append("</h2><dl>\n");
        foreach (var (field, label, value) in fields)
        {
            html.Append("<dt>").Append(E(label)).Append("</dt><dd data-field=\"").Append(E(field)).Append('"');
            html.Append(value is null ? " class=\"missing\">not recorded" : $">{E(value)}").Append("</dd>\n");
        }
        html.Append("</dl></section>\n");
    }

    private static string? YesNo(bool? value) => value switch
    {
        true => "yes",
        false => "no",
        null => null,
    };

    /// <summary>A phone as people read it: the national format for the clinic's own country.</summary>
    private static string Phone(string e164, MonitoringFormResponse form) => PhoneFormat.ForDisplay(e164, form.Clinic.Country);

    /// <summary>2026-12-02T09:12 as 2026-12-02 09:12.</summary>
    private static string Time(string local) => local.Replace('T', ' ');

    private static string Day(string local) => local[..10];

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
