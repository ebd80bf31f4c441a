using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;

namespace ClinicBackend.Application.Access;

/// <summary>Loads a clinic for a caller and applies <see cref="AccessPolicy"/>: every clinic route starts here.</summary>
public sealed class ClinicAccess(ClinicData data)
{
    public async Task<Result<Stored<Clinic>>> RequireAsync(Caller caller, string clinicId, Need need, CancellationToken ct)
    {
        if (!Ids.IsClinicId(clinicId))
        {
            return Problem.NotFound("clinic");
        }
        var clinicTask = data.ClinicAsync(clinicId, ct);
        var memberTask = caller.TokenClinicRole is null || !Ids.IsObjectId(caller.ObjectId)
            ? Task.FromResult<Stored<Membership>?>(null)
            : data.MemberAsync(clinicId, caller.ObjectId, ct);
        await Task.WhenAll(clinicTask, memberTask);
        var clinic = await clinicTask;
        if (clinic is null)
        {
            return Problem.NotFound("clinic");
        }
        var refusal = AccessPolicy.Decide(caller, need, (await memberTask)?.Value);
        return refusal is null ? clinic : refusal;
    }
}
