using ClinicBackend.Domain.Clinics;

namespace ClinicBackend.Application.Payment;

/// <summary>
/// What an authorization-renewal flag cites besides the sessions: the patient's latest assessment scores (payers ask for
/// them). Assessments answer it (<c>AssessmentRenewalEvidence</c>).
/// </summary>
public interface IRenewalEvidence
{
    /// <summary>One sentence for the flag's detail ("Latest PHQ-9: 9 (mild) on 2026-12-01, baseline 21 on 2026-11-02."), or null when there is none.</summary>
    Task<string?> LatestScoresAsync(Clinic clinic, string patientId, CancellationToken ct);
}
