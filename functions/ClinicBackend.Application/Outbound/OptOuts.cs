using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using NodaTime;

namespace ClinicBackend.Application.Outbound;

/// <summary>Twilio error 21610: the patient blocked the clinic's number, the same as a STOP for that number.</summary>
public sealed class OptOuts(ClinicData data)
{
    /// <summary>No automated text goes to the patient from this clinic until they text START.</summary>
    public Task MarkOptedOutAsync(string clinicId, string patientId, Instant now, CancellationToken ct) =>
        Concurrency.RetryAsync(async () =>
        {
            var patient = await data.PatientAsync(clinicId, patientId, ct);
            if (patient is null || patient.Value.SmsOptedOut)
            {
                return false;
            }
            var changed = patient.Value.OptOut();
            await data.CommitAsync(new ClinicCommit(clinicId, Actors.CarrierOptOut, now)
                .Replace(Keys.Patient(patientId), changed, patient.ETag)
                .Audit("patient.opted-out", "patient", patientId, patient.Value, changed), ct);
            return true;
        }, () => false);
}
