using ClinicBackend.Application.Payment;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Assessments;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Application.Assessments;

/// <summary>The scores an authorization-renewal flag cites: the course's latest PHQ-9 against its baseline, and the latest MADRS.</summary>
public sealed class AssessmentRenewalEvidence(ClinicData data) : IRenewalEvidence
{
    public async Task<string?> LatestScoresAsync(Clinic clinic, string patientId, CancellationToken ct)
    {
        if (await data.PatientAsync(clinic.Id, patientId, ct) is not { } patient)
        {
            return null;
        }
        var zone = clinic.Zone;
        var all = await data.AssessmentsAsync(clinic.Id, patientId, ct);
        var phq9 = Phq9Course.Of(patient.Value.Course, zone, all);
        var madrs = all.Where(a => a.Instrument == Instrument.Madrs).MaxBy(a => a.At);
        string On(Assessment a) => ClinicTime.FormatDate(a.At.InZone(zone).Date);

        var parts = new List<string>();
        if (phq9.Latest is { } latest)
        {
            var baseline = phq9.Baseline is { } b && b.Id != latest.Id ? $", baseline {b.Total} on {On(b)}" : " (the course's baseline)";
            var outcome = phq9.Remission ? ": remission" : phq9.Response ? ": response" : "";
            parts.Add($"Latest PHQ-9: {latest.Total} ({latest.Severity}) on {On(latest)}{baseline}{outcome}");
        }
        if (madrs is not null)
        {
            parts.Add($"latest MADRS: {madrs.Total} on {On(madrs)}");
        }
        return parts.Count == 0 ? null : string.Join("; ", parts) + ".";
    }
}
