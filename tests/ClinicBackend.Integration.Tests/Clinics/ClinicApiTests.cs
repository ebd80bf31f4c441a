namespace ClinicBackend.Integration.Tests.Clinics;

public sealed class ClinicApiTests
{
    [Fact]
    public async Task A_platform_admin_creates_a_clinic_and_members_see_it()
    {
        await using var app = await TestApp.StartAsync();
        var platform = app.Token("p1", Roles.PlatformAdmin);
        var created = (await app.PostAsync("/api/clinics", platform, Fixtures.ClinicBody("riverside", smsFrom: "(212) 555-0199"))).Expect(201);
        Assert.Equal("/api/clinics/riverside", created.Header("Location"));
        Assert.Equal("+12125550199", created["smsFrom"]);
        Assert.Equal("1", created["version"]);

        // Not a member yet: the clinic does not exist for this user.
        var staff = app.Token("s1", Roles.ClinicStaff);
        (await app.GetAsync("/api/clinics/riverside", staff)).ExpectProblem(404, "not-found");
        (await app.SendAsync(HttpMethod.Put, "/api/clinics/riverside/members/s1", platform, new { role = Roles.ClinicStaff })).Expect(201);
        (await app.SendAsync(HttpMethod.Put, "/api/clinics/riverside/members/s1", platform, new { role = Roles.ClinicStaff })).Expect(200);
        var seen = (await app.GetAsync("/api/clinics/riverside", staff)).Expect(200);
        Assert.Equal("America/New_York", seen["timeZone"]);
        Assert.Equal("\"1\"", seen.Header("ETag"));
    }

    [Fact]
    public async Task Ids_and_sms_numbers_are_unique()
    {
        await using var app = await TestApp.StartAsync();
        var platform = app.Token("p1", Roles.PlatformAdmin);
        (await app.PostAsync("/api/clinics", platform, Fixtures.ClinicBody("north", smsFrom: "+12125550111"))).Expect(201);
        (await app.PostAsync("/api/clinics", platform, Fixtures.ClinicBody("north", smsFrom: "+12125550112"))).ExpectProblem(409, "clinic-exists");
        (await app.PostAsync("/api/clinics", platform, Fixtures.ClinicBody("south", smsFrom: "+12125550111"))).ExpectProblem(409, "sms-number-in-use");
        (await app.PostAsync("/api/clinics", platform, Fixtures.ClinicBody("south", smsFrom: "+12125550112"))).Expect(201);
        var generated = (await app.PostAsync("/api/clinics", platform, Fixtures.ClinicBody(null, smsFrom: "+12125550113"))).Expect(201);
        Assert.Matches("^c[a-z0-9]{16}$", generated["id"]!);
    }

    [Fact]
    public async Task Clinic_admins_change_settings_with_optimistic_concurrency()
    {
        await using var app = await TestApp.StartAsync();
        var clinic = await Scenario.CreateAsync(app);
        var patch = new { chairs = 6, reminders = new { dayBeforeAt = "16:30" } };
        (await app.SendAsync(HttpMethod.Patch, clinic.Base, clinic.Staff, patch)).ExpectProblem(403, "forbidden");
        (await app.SendAsync(HttpMethod.Patch, clinic.Base, clinic.Admin, patch, ifMatch: "\"7\"")).ExpectProblem(409, "stale-version");
        var changed = (await app.SendAsync(HttpMethod.Patch, clinic.Base, clinic.Admin, patch, ifMatch: "\"1\"")).Expect(200);
        Assert.Equal("6", changed["chairs"]);
        Assert.Equal("16:30", changed.Json!["reminders"]!["dayBeforeAt"]!.ToString());
        Assert.Equal("2", changed["version"]);
        (await app.SendAsync(HttpMethod.Patch, clinic.Base, clinic.Admin, new { timeZone = "Europe/Lisbon" })).ExpectProblem(400, "validation");
    }

    [Fact]
    public async Task Every_change_leaves_an_audit_record_that_clinic_admins_read()
    {
        await using var app = await TestApp.StartAsync();
        var clinic = await Scenario.CreateAsync(app);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var patient = await clinic.RegisterPatientAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        (await app.SendAsync(HttpMethod.Patch, $"{clinic.Base}/patients/{patient}", clinic.Staff, new { remsEnrolled = false })).Expect(200);
        (await clinic.GetAsync("/audit", clinic.Staff)).ExpectProblem(403);
        var audit = (await clinic.GetAsync("/audit", clinic.Admin)).Expect(200).Json!["entries"]!.AsArray();
        var actions = audit.Select(e => e!["action"]!.ToString()).ToList();
        Assert.Equal(["patient.updated", "patient.registered"], actions.Take(2));
        Assert.Equal(["clinic.created", "member.added", "member.added"], actions.Skip(2).Order());
        var update = audit[0]!;
        Assert.Equal($"staff-{clinic.ClinicId}", update["actor"]!.ToString());
        Assert.Equal("true", update["changes"]!["remsEnrolled"]!["from"]!.ToString());
        Assert.Equal("false", update["changes"]!["remsEnrolled"]!["to"]!.ToString());
    }

    [Fact]
    public async Task Members_are_managed_by_admins_and_a_clinic_keeps_one_admin()
    {
        await using var app = await TestApp.StartAsync();
        var clinic = await Scenario.CreateAsync(app);
        var members = $"{clinic.Base}/members";
        (await app.SendAsync(HttpMethod.Put, $"{members}/new-user", clinic.Staff, new { role = Roles.ClinicStaff })).ExpectProblem(403);
        (await app.SendAsync(HttpMethod.Put, $"{members}/new-user", clinic.Admin, new { role = "Clinic.Owner" })).ExpectProblem(400, "validation");
        (await app.SendAsync(HttpMethod.Put, $"{members}/bad%20id", clinic.Admin, new { role = Roles.ClinicStaff })).ExpectProblem(400, "validation");
        (await app.SendAsync(HttpMethod.Delete, $"{members}/admin-{clinic.ClinicId}", clinic.Admin)).ExpectProblem(409, "last-admin");
        (await app.SendAsync(HttpMethod.Delete, $"{members}/nobody", clinic.Admin)).ExpectProblem(404);
        (await app.SendAsync(HttpMethod.Delete, $"{members}/staff-{clinic.ClinicId}", clinic.Admin)).Expect(204);
        (await clinic.GetAsync("/sessions?date=2026-12-02", clinic.Staff)).ExpectProblem(404);
    }
}
