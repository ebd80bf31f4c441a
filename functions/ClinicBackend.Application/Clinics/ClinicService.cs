using ClinicBackend.Application.Access;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Audit;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Application.Clinics;

/// <summary>Clinics, their settings and their audit trail.</summary>
public sealed class ClinicService(ClinicData data, ClinicAccess access, TimeProvider time)
{
    public async Task<Result<Clinic>> CreateAsync(Caller caller, ClinicInput input, CancellationToken ct)
    {
        if (!caller.IsPlatformAdmin)
        {
            return Problem.Forbidden("Only a Platform.Admin creates clinics.");
        }
        var now = time.Now();
        var built = ClinicInputs.ToClinic(input, null, "c" + Ids.New(), now);
        if (!built.IsSuccess)
        {
            return built.Problem!;
        }
        var clinic = built.Value;
        var route = await ClaimSmsRouteAsync(clinic.Id, clinic.SmsFrom, ct);
        if (route is not null)
        {
            return route;
        }
        try
        {
            await data.CommitAsync(new ClinicCommit(clinic.Id, caller.ObjectId, now)
                .Insert(Keys.Clinic, clinic)
                .Insert(Keys.PatientExternalIdsIndexed, new ExternalIdsIndexed(now)) // no patients yet: each gets its row as registered
                .Audit("clinic.created", "clinic", clinic.Id, null, clinic), ct);
        }
        catch (CommitConflictException)
        {
            var existing = await data.ClinicAsync(clinic.Id, ct);
            if (existing is not null && existing.Value.SmsFrom != clinic.SmsFrom)
            {
                await ReleaseSmsRouteAsync(clinic.Id, clinic.SmsFrom, ct);
            }
            await ListInDirectoryAsync(clinic.Id, ct);
            return Problem.Conflict("clinic-exists", "A clinic with this id exists.", $"Choose another id than '{clinic.Id}', or leave id out to get a generated one.");
        }
        await ListInDirectoryAsync(clinic.Id, ct);
        return clinic;
    }

    public async Task<Result<Clinic>> GetAsync(Caller caller, string clinicId, CancellationToken ct)
    {
        var clinic = await access.RequireAsync(caller, clinicId, Need.ClinicSettings, ct);
        return clinic.IsSuccess ? clinic.Value.Value : clinic.Problem!;
    }

    public Task<Result<Clinic>> PatchAsync(Caller caller, string clinicId, ClinicInput input, int? ifMatch, CancellationToken ct) =>
        Concurrency.RetryOnConflictAsync<Clinic>(async () =>
        {
            var stored = await access.RequireAsync(caller, clinicId, Need.ClinicAdmin, ct);
            if (!stored.IsSuccess)
            {
                return stored.Problem!;
            }
            var existing = stored.Value.Value;
            if (Concurrency.CheckIfMatch(ifMatch, existing.Version) is { } stale)
            {
                return stale;
            }
            var now = time.Now();
            var built = ClinicInputs.ToClinic(input, existing, existing.Id, now);
            if (!built.IsSuccess)
            {
                return built.Problem!;
            }
            var clinic = built.Value;
            if (!ClinicCommit.Differ(existing, clinic))
            {
                return existing; // nothing to change: no write, no new version
            }
            if (await ContactsThatArePatientsAsync(clinic, ct) is { } patients)
            {
                return patients;
            }
            if (clinic.SmsFrom != existing.SmsFrom && await ClaimSmsRouteAsync(clinic.Id, clinic.SmsFrom, ct) is { } taken)
            {
                return taken;
            }
            await data.CommitAsync(new ClinicCommit(clinic.Id, caller.ObjectId, now)
                .Replace(Keys.Clinic, clinic, stored.Value.ETag)
                .Audit("clinic.updated", "clinic", clinic.Id, existing, clinic), ct);
            if (clinic.SmsFrom != existing.SmsFrom)
            {
                await ReleaseSmsRouteAsync(clinic.Id, existing.SmsFrom, ct);
            }
            await ListInDirectoryAsync(clinic.Id, ct);
            return clinic;
        });

    public async Task<Result<IReadOnlyList<AuditEntry>>> AuditAsync(Caller caller, string clinicId, int? limit, CancellationToken ct)
    {
        var clinic = await access.RequireAsync(caller, clinicId, Need.ClinicAdmin, ct);
        if (!clinic.IsSuccess)
        {
            return clinic.Problem!;
        }
        if (limit is < 1 or > 1000)
        {
            return Problem.Validation("limit", "limit must be between 1 and 1000.");
        }
        return (await data.AuditAsync(clinicId, limit ?? 100, ct)).ToList();
    }

    /// <summary>An on-call contact's texts are read as staff replies: their number may not be a patient's of this clinic.</summary>
    private async Task<Problem?> ContactsThatArePatientsAsync(Clinic clinic, CancellationToken ct)
    {
        var errors = new FieldErrors();
        for (var i = 0; i < clinic.Escalation.Contacts.Count; i++)
        {
            if (await data.PatientByPhoneAsync(clinic.Id, clinic.Escalation.Contacts[i].Phone, ct) is not null)
            {
                errors.Add($"escalation.contacts[{i}].phone", "This is the number of a patient of this clinic; an on-call contact needs a staff number.");
            }
        }
        return errors.Any ? errors.ToProblem() : null;
    }

    private static Problem SmsNumberInUse() => Problem.Conflict("sms-number-in-use", "Another clinic uses this SMS number.",
        "Each clinic needs its own Twilio number or Messaging Service, and this one already carries another clinic's texts; choose another smsFrom.");

    /// <summary>Routes inbound texts to <paramref name="smsFrom"/> to this clinic; refuses a number another clinic uses.</summary>
    private async Task<Problem?> ClaimSmsRouteAsync(string clinicId, string smsFrom, CancellationToken ct)
    {
        if (ClinicRules.IsMessagingServiceSid(smsFrom) && await data.ServiceTrafficOwnerAsync(smsFrom, ct) is { } carrier && carrier != clinicId)
        {
            return SmsNumberInUse();
        }
        return await Concurrency.RetryAsync<Problem?>(async () =>
        {
            var current = await data.SmsRouteAsync(smsFrom, ct);
            if (current?.Value.ClinicId == clinicId)
            {
                return null;
            }
            if (current is not null && await data.ClinicAsync(current.Value.ClinicId, ct) is { } owner && owner.Value.SmsFrom == smsFrom)
            {
                return SmsNumberInUse();
            }
            // None yet, or a claim left behind by an interrupted change: take it over.
            await data.ClaimSmsRouteAsync(smsFrom, clinicId, current, ct);
            return null;
        }, () => Concurrency.Busy, attempts: 3); // someone else claimed or changed it meanwhile: look again
    }

    private async Task ReleaseSmsRouteAsync(string clinicId, string smsFrom, CancellationToken ct)
    {
        if (await data.SmsRouteAsync(smsFrom, ct) is { } current && current.Value.ClinicId == clinicId)
        {
            await data.ReleaseSmsRouteAsync(current, ct);
        }
    }

    private Task ListInDirectoryAsync(string clinicId, CancellationToken ct) => data.ListClinicAsync(clinicId, ct);
}
