using System.Text.Json.Nodes;

namespace ClinicBackend.Integration.Tests.Hardening;

/// <summary>
/// Issue #12, finding 9: a clinic keeps an admin. Every change of an admin membership rewrites the admin roster in the same
/// transaction, so two admins demoting (or removing) each other at once leave exactly one; user ids have one spelling.
/// </summary>
public sealed class AdminRosterTests : ClinicAppTest
{
    private string Members => $"{Clinic.Base}/members";

    private Task<Reply> PutAsync(string oid, string role, string token) => App.SendAsync(HttpMethod.Put, $"{Members}/{oid}", token, new { role });

    private Task<Reply> DeleteAsync(string oid, string token) => App.SendAsync(HttpMethod.Delete, $"{Members}/{oid}", token);

    private async Task<List<string>> AdminsAsync() =>
        (await App.GetAsync(Members, Clinic.PlatformAdmin)).Expect(200).Json!["members"]!.AsArray()
            .Where(m => m!["role"]!.ToString() == Roles.ClinicAdmin).Select(m => m!["oid"]!.ToString()).Order(StringComparer.Ordinal).ToList();

    /// <summary>The roster row agrees with the admin memberships.</summary>
    private async Task<List<string>> ExpectRosterAsync()
    {
        var admins = await AdminsAsync();
        var roster = (await StoredRows.PartitionAsync(App, Clinic.ClinicId, "admins")).Values.Single();
        Assert.Equal(admins, JsonNode.Parse(roster.Data)!["objectIds"]!.AsArray().Select(o => o!.ToString()).ToList());
        return admins;
    }

    [Fact]
    public async Task Two_admins_demoting_or_removing_each_other_at_once_leave_exactly_one()
    {
        var survivor = Guid.NewGuid().ToString();
        (await PutAsync(survivor, Roles.ClinicAdmin, Clinic.PlatformAdmin)).Expect(201);
        (await PutAsync($"admin-{Clinic.ClinicId}", Roles.ClinicStaff, Clinic.PlatformAdmin)).Expect(200);
        Assert.Equal([survivor], await ExpectRosterAsync());

        for (var round = 0; round < 8; round++)
        {
            var other = Guid.NewGuid().ToString();
            (await PutAsync(other, Roles.ClinicAdmin, App.Token(survivor, Roles.ClinicAdmin))).Expect(201);
            Assert.Equal(2, (await ExpectRosterAsync()).Count);

            var pair = new[] { survivor, other };
            var replies = await Task.WhenAll(pair.Select((me, i) =>
            {
                var them = pair[1 - i];
                var token = App.Token(me, Roles.ClinicAdmin);
                return round % 2 == 0 ? PutAsync(them, Roles.ClinicStaff, token) : DeleteAsync(them, token);
            }));

            var won = Assert.Single(replies, r => r.Status is 200 or 204);
            // The loser is no admin (403), no member at all (404), or the last admin's guard stopped it (409).
            Assert.All(replies.Where(r => r != won), r => Assert.True(r.Status is 403 or 404 or 409, r.StatusMismatch(409)));
            var admins = await ExpectRosterAsync();
            survivor = Assert.Single(admins);
            Assert.Contains(survivor, pair);
        }
    }

    [Fact]
    public async Task An_upper_case_or_unhyphenated_copy_of_an_admins_id_is_the_same_member()
    {
        var oid = Guid.NewGuid();
        var spellings = new[] { oid.ToString().ToUpperInvariant(), oid.ToString("N"), oid.ToString("N").ToUpperInvariant() };
        (await PutAsync(spellings[0], Roles.ClinicAdmin, Clinic.PlatformAdmin)).Expect(201);
        foreach (var spelling in spellings)
        {
            var again = (await PutAsync(spelling, Roles.ClinicAdmin, Clinic.PlatformAdmin)).Expect(200);
            Assert.Equal(oid.ToString(), again["oid"]);
        }
        Assert.Single((await App.GetAsync(Members, Clinic.PlatformAdmin)).Json!["members"]!.AsArray(), m => m!["oid"]!.ToString().Equals(oid.ToString(), StringComparison.OrdinalIgnoreCase));

        // A token carrying the upper-case spelling is that admin.
        var shouting = App.Token(oid.ToString().ToUpperInvariant(), Roles.ClinicAdmin);
        (await App.GetAsync(Members, shouting)).Expect(200);

        // With the scenario's admin gone, that one admin cannot be demoted or removed under any spelling.
        (await DeleteAsync($"admin-{Clinic.ClinicId}", shouting)).Expect(204);
        foreach (var spelling in spellings)
        {
            (await PutAsync(spelling, Roles.ClinicStaff, Clinic.PlatformAdmin)).ExpectProblem(409, "last-admin");
            (await DeleteAsync(spelling, Clinic.PlatformAdmin)).ExpectProblem(409, "last-admin");
        }
        Assert.Equal([oid.ToString()], await ExpectRosterAsync());
        // Opaque (non-GUID) ids are compared lower-cased.
        (await PutAsync($"ADMIN-{Clinic.ClinicId}".ToUpperInvariant(), Roles.ClinicStaff, shouting)).Expect(201);
        (await PutAsync($"admin-{Clinic.ClinicId}", Roles.ClinicStaff, shouting)).Expect(200);
    }
}
