using ClinicBackend.Domain.Patients;

namespace ClinicBackend.Application.Persistence;

/// <summary>How a patient's index rows are written beside the patient.</summary>
public static class PatientWrites
{
    /// <summary>The row that finds the patient by external id (an unconditional write: repeating it changes nothing).</summary>
    public static void IndexExternalId(ClinicCommit commit, Patient patient)
    {
        if (patient.ExternalId is { } externalId)
        {
            commit.Upsert(Keys.PatientExternalId(externalId, patient.Id), new ExternalIdIndex(patient.Id));
        }
    }
}
