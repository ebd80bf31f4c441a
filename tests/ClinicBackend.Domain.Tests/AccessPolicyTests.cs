using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Common;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

public sealed class AccessPolicyTests
{
    public static TheoryData<string[], string?, Need, ProblemKind?> Table => new()
    {
        // token roles, membership role, need, refusal (null: allowed)
        { ["Clinic.Staff"], "Clinic.Staff", Need.Staff, null },
        { ["Clinic.Staff"], "Clinic.Staff", Need.ClinicSettings, null },
        { ["Clinic.Staff"], "Clinic.Staff", Need.ClinicAdmin, ProblemKind.Forbidden },
        { ["Clinic.Staff"], "Clinic.Staff", Need.ManageMembers, ProblemKind.Forbidden },
        { ["Clinic.Staff"], "Clinic.Admin", Need.ClinicAdmin, ProblemKind.Forbidden }, // the weaker of token and membership
        { ["Clinic.Admin"], "Clinic.Staff", Need.ClinicAdmin, ProblemKind.Forbidden },
        { ["Clinic.Admin"], "Clinic.Admin", Need.ClinicAdmin, null },
        { ["Clinic.Admin"], "Clinic.Admin", Need.ManageMembers, null },
        { ["Clinic.Admin"], null, Need.ClinicSettings, ProblemKind.NotFound }, // no membership: the clinic does not exist for them
        { ["Clinic.Staff"], null, Need.Staff, ProblemKind.NotFound },
        { [], "Clinic.Staff", Need.Staff, ProblemKind.NotFound }, // a membership without a clinic role in the token
        { ["Platform.Admin"], null, Need.ClinicSettings, null },
        { ["Platform.Admin"], null, Need.ManageMembers, null },
        { ["Platform.Admin"], null, Need.Staff, ProblemKind.Forbidden },
        { ["Platform.Admin"], null, Need.ClinicAdmin, ProblemKind.Forbidden },
        { ["Platform.Admin", "Clinic.Staff"], "Clinic.Staff", Need.ManageMembers, null },
        { ["Platform.Admin", "Clinic.Staff"], "Clinic.Staff", Need.Staff, null },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Access_is_decided_from_token_roles_and_membership(string[] roles, string? membershipRole, Need need, ProblemKind? refusal)
    {
        var caller = new Caller("user-1", roles.ToHashSet());
        var membership = membershipRole is null ? null : new Membership("user-1", membershipRole, Instant.FromUtc(2026, 1, 1, 0, 0), "admin");
        Assert.Equal(refusal, AccessPolicy.Decide(caller, need, membership)?.Kind);
    }
}
