using ClinicBackend.Application.Access;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Common;

namespace ClinicBackend.Application.Clinics;

public sealed class MemberInput
{
    public string? Role { get; set; }
}

/// <summary>A membership as it now is, and whether the call created it.</summary>
public sealed record MemberChange(Membership Member, bool Created);

/// <summary>
/// Who may work in a clinic. User ids are normalised (a GUID in one spelling), and a clinic always keeps an
/// admin: every change that adds or removes an admin rewrites the admin roster in the same unit of work, so of
/// two admins demoting each other at once, one wins and the other is refused.
/// </summary>
public sealed class MembershipService(ClinicData data, ClinicAccess access, ClinicUpdates updates)
{
    public Task<Result<MemberChange>> PutMemberAsync(Caller caller, string clinicId, string oid, MemberInput input, CancellationToken ct) =>
        updates.RunAsync<MemberChange>(caller, clinicId, Need.ManageMembers, async (_, commit) =>
        {
            if (!Ids.IsObjectId(oid))
            {
                return Problem.Validation("oid", "Give the user's Entra ID object id (a GUID).");
            }
            if (!AppRoles.IsClinicRole(input.Role))
            {
                return Problem.Validation("role", $"role must be {AppRoles.ClinicAdmin} or {AppRoles.ClinicStaff}.");
            }
            var id = Ids.NormalizeObjectId(oid);
            var existingTask = data.MemberAsync(clinicId, id, ct);
            var rosterTask = RosterAsync(clinicId, ct);
            var (existing, roster) = (await existingTask, await rosterTask);
            if (existing is not null && existing.Value.Role == input.Role)
            {
                return new MemberChange(existing.Value, Created: false);
            }
            var wasAdmin = existing?.Value.Role == AppRoles.ClinicAdmin;
            var isAdmin = input.Role == AppRoles.ClinicAdmin;
            if (wasAdmin != isAdmin)
            {
                var admins = roster.Admins.Where(a => a != id).ToList();
                if (isAdmin)
                {
                    admins.Add(id);
                }
                else if (admins.Count == 0)
                {
                    return LastAdmin();
                }
                roster.Write(commit, admins);
            }
            if (existing is null)
            {
                var member = new Membership(id, input.Role!, commit.Now, caller.ObjectId);
                commit.Insert(Keys.Member(id), member).Audit("member.added", "member", id, null, member);
                return new MemberChange(member, Created: true);
            }
            var changed = existing.Value with { Role = input.Role!, Version = existing.Value.Version + 1 };
            commit.Replace(Keys.Member(id), changed, existing.ETag).Audit("member.role-changed", "member", id, existing.Value, changed);
            return new MemberChange(changed, Created: false);
        }, ct);

    public Task<Result<Membership>> DeleteMemberAsync(Caller caller, string clinicId, string oid, CancellationToken ct) =>
        updates.ChangeAsync<Membership, Membership>(caller, clinicId, Need.ManageMembers, Entities.Member, oid, ifMatch: null, async change =>
        {
            var (existing, commit) = (change.Current, change.Commit);
            var id = Ids.NormalizeObjectId(oid);
            if (existing.Value.Role == AppRoles.ClinicAdmin)
            {
                var roster = await RosterAsync(clinicId, ct);
                var admins = roster.Admins.Where(a => a != id).ToList();
                if (admins.Count == 0)
                {
                    return LastAdmin();
                }
                roster.Write(commit, admins);
            }
            commit.Delete(Keys.Member(id), existing.ETag).Audit("member.removed", "member", id, existing.Value, null);
            return existing.Value;
        }, ct);

    public async Task<Result<IReadOnlyList<Membership>>> MembersAsync(Caller caller, string clinicId, CancellationToken ct)
    {
        var clinic = await access.RequireAsync(caller, clinicId, Need.ManageMembers, ct);
        if (!clinic.IsSuccess)
        {
            return clinic.Problem!;
        }
        return (await data.MembersAsync(clinicId, ct)).Select(m => m.Value).ToList();
    }

    /// <summary>The roster row as read (with its ETag), or the admins of the member list when no roster exists yet.</summary>
    private async Task<Roster> RosterAsync(string clinicId, CancellationToken ct)
    {
        var row = await data.AdminRosterAsync(clinicId, ct);
        if (row is not null)
        {
            return new Roster(row.Value.ObjectIds, row.ETag);
        }
        var admins = (await data.MembersAsync(clinicId, ct)).Where(m => m.Value.Role == AppRoles.ClinicAdmin).Select(m => m.Value.ObjectId).ToList();
        return new Roster(admins, null);
    }

    private static Problem LastAdmin() => Problem.Conflict("last-admin", "This is the clinic's last admin.",
        "Make another member Clinic.Admin first, so the clinic keeps an admin.");

    private sealed record Roster(IReadOnlyList<string> Admins, string? ETag)
    {
        /// <summary>Replaces the roster read under its ETag, or inserts the first one: a concurrent change fails the commit.</summary>
        public void Write(ClinicCommit commit, IReadOnlyList<string> admins)
        {
            var roster = new AdminRoster(admins.Order(StringComparer.Ordinal).ToList());
            if (ETag is null)
            {
                commit.Insert(Keys.AdminRoster, roster);
            }
            else
            {
                commit.Replace(Keys.AdminRoster, roster, ETag);
            }
        }
    }
}
