namespace ClinicBackend.Application.Payment;

/// <summary>
/// What an authorization-renewal flag cites besides the sessions: the patient's latest assessment scores (payers ask for
/// them). The seam for the assessments work (issue 23): until it registers its own, <see cref="NoRenewalEvidence"/> adds nothing.
/// </summary>
public interface IRenewalEvidence
{
    /// <summary>One sentence for the flag's detail ("Latest PHQ-9: 9 on 2026-12-01, baseline 21."), or null when there is none.</summary>
    Task<string?> LatestScoresAsync(string clinicId, string patientId, CancellationToken ct);
}

/// <summary>No assessments are kept (yet): renewal flags give the sessions only.</summary>
public sealed class NoRenewalEvidence : IRenewalEvidence
{
    public Task<string?> LatestScoresAsync(string clinicId, string patientId, CancellationToken ct) => Task.FromResult<string?>(null);
}
