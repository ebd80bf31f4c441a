namespace ClinicBackend.Integration.Tests.Sessions;

public sealed class IsolationTests : ClinicAppTest
{
    [Fact]
    public async Task Staff_of_one_clinic_can_neither_read_nor_change_nor_learn_of_another()
    {
        var a = Clinic;
        var b = await AddClinicAsync();
        var patientB = await b.RegisterPatientAsync();
        var sessionB = (await b.BookAsync(patientB, "2026-12-02T09:00")).Expect(201)["id"];
        var flagless = $"{b.Base}/flags/abcdefghijklmnopqrst/resolve";

        var attempts = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, b.Base, null),
            (HttpMethod.Patch, b.Base, new { chairs = 9 }),
            (HttpMethod.Get, $"{b.Base}/patients/{patientB}", null),
            (HttpMethod.Patch, $"{b.Base}/patients/{patientB}", new { smsConsent = false }),
            (HttpMethod.Post, $"{b.Base}/patients", Fixtures.PatientBody()),
            (HttpMethod.Get, $"{b.Base}/sessions?date=2026-12-02", null),
            (HttpMethod.Get, $"{b.Base}/sessions/{sessionB}", null),
            (HttpMethod.Post, $"{b.Base}/sessions", new { patientId = patientB, start = "2026-12-02T12:00" }),
            (HttpMethod.Post, $"{b.Base}/sessions/{sessionB}/cancel", new { reason = "x" }),
            (HttpMethod.Get, $"{b.Base}/availability?date=2026-12-02", null),
            (HttpMethod.Get, $"{b.Base}/flags?status=open", null),
            (HttpMethod.Post, flagless, new { note = "x" }),
            (HttpMethod.Put, $"{b.Base}/members/intruder", new { role = Roles.ClinicAdmin }),
            (HttpMethod.Get, $"{b.Base}/audit", null),
        };
        foreach (var token in new[] { a.Staff, a.Admin })
        {
            foreach (var (method, path, body) in attempts)
            {
                var reply = await App.SendAsync(method, path, token, body);
                Assert.True(reply.Status == 404, $"{method} {path}: {reply.Status} {reply.Body}");
                reply.ExpectProblem(404, "not-found");
            }
        }
        // A's routes with B's ids find nothing either.
        (await a.GetAsync($"/patients/{patientB}")).ExpectProblem(404);
        (await a.GetAsync($"/sessions/{sessionB}")).ExpectProblem(404);
        (await a.BookAsync(patientB!, "2026-12-02T12:00")).ExpectProblem(422, "unknown-patient");
        // Nothing of B changed.
        Assert.Equal("booked", (await b.GetAsync($"/sessions/{sessionB}")).Expect(200)["status"]);
        Assert.Equal("4", (await b.GetAsync("")).Expect(200)["chairs"]);
    }

    [Fact]
    public async Task Unknown_clinics_and_odd_ids_are_404()
    {
        foreach (var path in new[]
                 {
                     "/api/clinics/nosuchclinic", "/api/clinics/UPPER", "/api/clinics/a%7Cb", $"{Clinic.Base}/patients/x%27or%271",
                     $"{Clinic.Base}/sessions/..%2F..", $"{Clinic.Base}/sessions/" + new string('a', 300),
                 })
        {
            (await App.GetAsync(path, Clinic.Staff)).ExpectProblem(404);
        }
    }
}
