using ClinicBackend.Application.Access;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Application.Patients;

/// <summary>A patient's texts, both directions, newest first, with their delivery status.</summary>
public sealed class MessageHistory(ClinicData data, ClinicAccess access, PatientReads reads, TimeProvider time)
{
    public async Task<Result<IReadOnlyList<SmsMessage>>> ListAsync(Caller caller, string clinicId, string patientId, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        if (!Ids.IsGeneratedId(patientId) || await data.PatientAsync(clinicId, patientId, ct) is null)
        {
            return Problem.NotFound("patient");
        }
        var rows = await data.MessagesAsync(clinicId, patientId, ct);
        reads.Record(clinicId, caller.ObjectId, patientId, "messages", time.Now());
        return rows.OrderByDescending(m => m.At).ToList();
    }
}
