namespace ClinicBackend.Integration.Tests.Clinics;

public sealed class ClinicApiTests : ClinicAppTest
{
    [Fact]
    public async Task A_platform_admin_creates_a_clinic_and_members_see_it()
    {
        var platform = App.Token("p1", Roles.PlatformAdmin);
        var created = (await App.PostAsync("/api/clinics", platform, Fixtures.ClinicBody("riverside", smsFrom: "(212) 555-0199"))).Expect(201);
        Assert.Equal("/api/clinics/riverside", created.Header("Location"));
        Assert.Equal("+12125550199", created["smsFrom"]);
        Assert.Equal("1", created["version"]);

        // Not a member yet: the clinic does not exist for this user.
        var staff = App.Token("s1", Roles.ClinicStaff);
        (await App.GetAsync("/api/clinics/riverside", staff)).ExpectProblem(404, "not-found");
        (await App.SendAsync(HttpMethod.Put, "/api/clinics/riverside/members/s1", platform, new { role = Roles.ClinicStaff })).Expect(201);
        (await App.SendAsync(HttpMethod.Put, "/api/clinics/riverside/members/s1", platform, new { role = Roles.ClinicStaff })).Expect(200);
        var seen = (await App.GetAsync("/api/clinics/riverside", staff)).Expect(200);
        Assert.Equal("America/New_York", seen["timeZone"]);
        Assert.Equal("\"1\"", seen.Header("ETag"));
    }

    [Fact]
    public async Task Ids_and_sms_numbers_are_unique()
    {
        var platform = App.Token("p1", Roles.PlatformAdmin);
        (await App.PostAsync("/api/clinics", platform, Fixtures.ClinicBody("north", smsFrom: "+12125550111"))).Expect(201);
        (await App.PostAsync("/api/clinics", platform, Fixtures.ClinicBody("north", smsFrom: "+12125550112"))).ExpectProblem(409, "clinic-exists");
        (await App.PostAsync("/api/clinics", platform, Fixtures.ClinicBody("south", smsFrom: "+12125550111"))).ExpectProblem(409, "sms-number-in-use");
        (await App.PostAsync("/api/clinics", platform, Fixtures.ClinicBody("south", smsFrom: "+12125550112"))).Expect(201);
        var generated = (await App.PostAsync("/api/clinics", platform, Fixtures.ClinicBody(null, smsFrom: "+12125550113"))).Expect(201);
        Assert.Matches("^c[a-z0-9]{16}$", generated["id"]!);
    }

    [Fact]
    public async Task Clinic_admins_change_settings_with_optimistic_concurrency()
    {
        var patch = new { chairs = 6, reminders = new { dayBeforeAt = "16:30" } };
        (await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Staff, patch)).ExpectProblem(403, "forbidden");
        (await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, patch, ifMatch: "\"7\"")).ExpectProblem(409, "stale-version");
        var changed = (await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, patch, ifMatch: "\"1\"")).Expect(200);
        Assert.Equal("6", changed["chairs"]);
        Assert.Equal("16:30", changed.Json!["reminders"]!["dayBeforeAt"]!.ToString());
        Assert.Equal("2", changed["version"]);
        (await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, new { timeZone = "Europe/Lisbon" })).ExpectProblem(400, "validation");
    }

    [Fact]
    public async Task Every_change_leaves_an_audit_record_that_clinic_admins_read()
    {
        App.Clock.Advance(TimeSpan.FromMinutes(1));
        var patient = await Clinic.RegisterPatientAsync();
        App.Clock.Advance(TimeSpan.FromMinutes(1));
        (await App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{patient}", Clinic.Staff, new { remsEnrolled = false })).Expect(200);
        (await Clinic.GetAsync("/audit", Clinic.Staff)).ExpectProblem(403);
        var audit = (await Clinic.GetAsync("/audit", Clinic.Admin)).Expect(200).Json!["entries"]!.AsArray();
        var actions = audit.Select(e => e!["action"]!.ToString()).ToList();
        Assert.Equal(["patient.updated", "patient.registered"], actions.Take(2));
        Assert.Equal(["clinic.created", "member.added", "member.added"], actions.Skip(2).Order());
        var update = audit[0]!;
        Assert.Equal($"staff-{Clinic.ClinicId}", update["actor"]!.ToString());
        Assert.Equal("true", update["changes"]!["remsEnrolled"]!["from"]!.ToString());
        Assert.Equal("false", update["changes"]!["remsEnrolled"]!["to"]!.ToString());
    }

    [Fact]
    public async Task Members_are_managed_by_admins_and_a_clinic_keeps_one_admin()
    {
        var members = $"{Clinic.Base}/members";
        (await App.SendAsync(HttpMethod.Put, $"{members}/new-user", Clinic.Staff, new { role = Roles.ClinicStaff })).ExpectProblem(403);
        (await App.SendAsync(HttpMethod.Put, $"{members}/new-user", Clinic.Admin, new { role = "Clinic.Owner" })).ExpectProblem(400, "validation");
        (await App.SendAsync(HttpMethod.Put, $"{members}/bad%20id", Clinic.Admin, new { role = Roles.ClinicStaff })).ExpectProblem(400, "validation");
        (await App.SendAsync(HttpMethod.Delete, $"{members}/admin-{Clinic.ClinicId}", Clinic.Admin)).ExpectProblem(409, "last-admin");
        (await App.SendAsync(HttpMethod.Delete, $"{members}/nobody", Clinic.Admin)).ExpectProblem(404);
        (await App.SendAsync(HttpMethod.Delete, $"{members}/staff-{Clinic.ClinicId}", Clinic.Admin)).Expect(204);
        (await Clinic.GetAsync("/sessions?date=2026-12-02", Clinic.Staff)).ExpectProblem(404);
    }
}
