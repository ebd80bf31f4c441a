using ClinicBackend.Application.Access;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Audit;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Application.Clinics;

public sealed class MemberInput
{
    public string? Role { get; set; }
}

/// <summary>Clinics, their settings, their members and their audit trail.</summary>
public sealed class ClinicService(ClinicData data, ClinicAccess access, TimeProvider time)
{
    private IDocumentStore Store => data.Store;

    public async Task<Result<Outcome>> CreateAsync(Caller caller, ClinicInput input, CancellationToken ct)
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
            await new ClinicCommit(clinic.Id, caller.ObjectId, now)
                .Insert(Keys.Clinic, clinic)
                .Audit("clinic.created", "clinic", clinic.Id, null, clinic)
                .CommitAsync(Store, ct);
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
        return Outcome.Created(Views.Clinic(clinic), $"clinics/{clinic.Id}", clinic.Version);
    }

    public async Task<Result<Outcome>> GetAsync(Caller caller, string clinicId, CancellationToken ct)
    {
        var clinic = await access.RequireAsync(caller, clinicId, Need.ClinicSettings, ct);
        return clinic.IsSuccess ? Outcome.Ok(Views.Clinic(clinic.Value.Value), clinic.Value.Value.Version) : clinic.Problem!;
    }

    public Task<Result<Outcome>> PatchAsync(Caller caller, string clinicId, ClinicInput input, int? ifMatch, CancellationToken ct) =>
        Concurrency.RetryOnConflictAsync<Outcome>(async _ =>
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
            if (clinic.SmsFrom != existing.SmsFrom && await ClaimSmsRouteAsync(clinic.Id, clinic.SmsFrom, ct) is { } taken)
            {
                return taken;
            }
            await new ClinicCommit(clinic.Id, caller.ObjectId, now)
                .Replace(Keys.Clinic, clinic, stored.Value.ETag)
                .Audit("clinic.updated", "clinic", clinic.Id, existing, clinic)
                .CommitAsync(Store, ct);
            if (clinic.SmsFrom != existing.SmsFrom)
            {
                await ReleaseSmsRouteAsync(clinic.Id, existing.SmsFrom, ct);
            }
            await ListInDirectoryAsync(clinic.Id, ct);
            return Outcome.Ok(Views.Clinic(clinic), clinic.Version);
        }, Concurrency.Busy);

    public Task<Result<Outcome>> PutMemberAsync(Caller caller, string clinicId, string oid, MemberInput input, CancellationToken ct) =>
        Concurrency.RetryOnConflictAsync<Outcome>(async _ =>
        {
            var clinic = await access.RequireAsync(caller, clinicId, Need.ManageMembers, ct);
            if (!clinic.IsSuccess)
            {
                return clinic.Problem!;
            }
            if (!Ids.IsObjectId(oid))
            {
                return Problem.Validation("oid", "Give the user's Entra ID object id (a GUID).");
            }
            if (!AppRoles.IsClinicRole(input.Role))
            {
                return Problem.Validation("role", $"role must be {AppRoles.ClinicAdmin} or {AppRoles.ClinicStaff}.");
            }
            var now = time.Now();
            var existing = await data.MemberAsync(clinicId, oid, ct);
            var commit = new ClinicCommit(clinicId, caller.ObjectId, now);
            if (existing is null)
            {
                var member = new Membership(oid, input.Role!, now, caller.ObjectId);
                await commit.Insert(Keys.Member(oid), member).Audit("member.added", "member", oid, null, member).CommitAsync(Store, ct);
                return Outcome.Created(Views.Member(clinicId, member), $"clinics/{clinicId}/members/{oid}", member.Version);
            }
            if (existing.Value.Role == input.Role)
            {
                return Outcome.Ok(Views.Member(clinicId, existing.Value), existing.Value.Version);
            }
            if (existing.Value.Role == AppRoles.ClinicAdmin && await IsLastAdminAsync(clinicId, oid, ct))
            {
                return LastAdmin();
            }
            var changed = existing.Value with { Role = input.Role!, Version = existing.Value.Version + 1 };
            await commit.Replace(Keys.Member(oid), changed, existing.ETag).Audit("member.role-changed", "member", oid, existing.Value, changed).CommitAsync(Store, ct);
            return Outcome.Ok(Views.Member(clinicId, changed), changed.Version);
        }, Concurrency.Busy);

    public Task<Result<Outcome>> DeleteMemberAsync(Caller caller, string clinicId, string oid, CancellationToken ct) =>
        Concurrency.RetryOnConflictAsync<Outcome>(async _ =>
        {
            var clinic = await access.RequireAsync(caller, clinicId, Need.ManageMembers, ct);
            if (!clinic.IsSuccess)
            {
                return clinic.Problem!;
            }
            var existing = Ids.IsObjectId(oid) ? await data.MemberAsync(clinicId, oid, ct) : null;
            if (existing is null)
            {
                return Problem.NotFound("member");
            }
            if (existing.Value.Role == AppRoles.ClinicAdmin && await IsLastAdminAsync(clinicId, oid, ct))
            {
                return LastAdmin();
            }
            await new ClinicCommit(clinicId, caller.ObjectId, time.Now())
                .Delete(Keys.Member(oid), existing.ETag)
                .Audit("member.removed", "member", oid, existing.Value, null)
                .CommitAsync(Store, ct);
            return Outcome.NoContent();
        }, Concurrency.Busy);

    public async Task<Result<Outcome>> MembersAsync(Caller caller, string clinicId, CancellationToken ct)
    {
        var clinic = await access.RequireAsync(caller, clinicId, Need.ManageMembers, ct);
        if (!clinic.IsSuccess)
        {
            return clinic.Problem!;
        }
        var members = await data.MembersAsync(clinicId, ct);
        return Outcome.Ok(new { members = members.Select(m => Views.Member(clinicId, m.Value)) });
    }

    public async Task<Result<Outcome>> AuditAsync(Caller caller, string clinicId, int? limit, CancellationToken ct)
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
        var entries = await Store.QueryPrefixAsync<AuditEntry>(clinicId, Keys.AuditPrefix, ct, limit ?? 100);
        return Outcome.Ok(new { entries = entries.Select(e => Views.AuditEntry(e.Value)) });
    }

    private async Task<bool> IsLastAdminAsync(string clinicId, string oid, CancellationToken ct) =>
        !(await data.MembersAsync(clinicId, ct)).Any(m => m.Value.ObjectId != oid && m.Value.Role == AppRoles.ClinicAdmin);

    private static Problem LastAdmin() => Problem.Conflict("last-admin", "This is the clinic's last admin.",
        "Make another member Clinic.Admin first, so the clinic keeps an admin.");

    /// <summary>Routes inbound texts to <paramref name="smsFrom"/> to this clinic; refuses a number another clinic uses.</summary>
    private async Task<Problem?> ClaimSmsRouteAsync(string clinicId, string smsFrom, CancellationToken ct)
    {
        var key = Keys.SmsRoute(smsFrom);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var current = await Store.GetAsync<SmsRoute>(Keys.Directory, key, ct);
            try
            {
                if (current is null)
                {
                    await Store.CommitAsync(Keys.Directory, [new Change.Insert(key, new SmsRoute(clinicId))], ct);
                    return null;
                }
                if (current.Value.ClinicId == clinicId)
                {
                    return null;
                }
                var owner = await data.ClinicAsync(current.Value.ClinicId, ct);
                if (owner is not null && owner.Value.SmsFrom == smsFrom)
                {
                    return Problem.Conflict("sms-number-in-use", "Another clinic uses this SMS number.",
                        "Each clinic needs its own Twilio number or Messaging Service; choose another smsFrom.");
                }
                // A claim left behind by an interrupted change: take it over.
                await Store.CommitAsync(Keys.Directory, [new Change.Replace(key, new SmsRoute(clinicId), current.ETag)], ct);
                return null;
            }
            catch (CommitConflictException)
            {
                // someone else claimed or changed it meanwhile: look again
            }
        }
        return Concurrency.Busy();
    }

    private async Task ReleaseSmsRouteAsync(string clinicId, string smsFrom, CancellationToken ct)
    {
        var current = await Store.GetAsync<SmsRoute>(Keys.Directory, Keys.SmsRoute(smsFrom), ct);
        if (current is not null && current.Value.ClinicId == clinicId)
        {
            try
            {
                await Store.CommitAsync(Keys.Directory, [new Change.Delete(current.Key, current.ETag)], ct);
            }
            catch (CommitConflictException)
            {
                // changed meanwhile: it is no longer ours to release
            }
        }
    }

    private Task ListInDirectoryAsync(string clinicId, CancellationToken ct) =>
        Store.CommitAsync(Keys.Directory, [new Change.Upsert(Keys.DirectoryClinic(clinicId), new DirectoryEntry(clinicId))], ct);
}
