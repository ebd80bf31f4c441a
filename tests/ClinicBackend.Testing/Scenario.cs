using System.Text.Json.Nodes;

namespace ClinicBackend.Testing;

/// <summary>A clinic with an admin and a staff member, ready for patient and session calls.</summary>
public sealed class Scenario
{
    private Scenario(TestApp app, string clinicId, string smsFrom)
    {
        App = app;
        ClinicId = clinicId;
        SmsFrom = smsFrom;
        PlatformAdmin = app.Token("platform-admin", Roles.PlatformAdmin);
        Admin = app.Token($"admin-{clinicId}", Roles.ClinicAdmin);
        Staff = app.Token($"staff-{clinicId}", Roles.ClinicStaff);
    }

    public TestApp App { get; }
    public string ClinicId { get; }
    public string SmsFrom { get; }
    public string PlatformAdmin { get; }
    public string Admin { get; }
    public string Staff { get; }
    public string Base => $"/api/clinics/{ClinicId}";

    public static async Task<Scenario> CreateAsync(TestApp app, ClinicOptions? options = null)
    {
        options ??= new ClinicOptions();
        var platform = app.Token("platform-admin", Roles.PlatformAdmin);
        var body = Fixtures.ClinicBody(options.Id ?? "c" + Guid.NewGuid().ToString("N")[..10], options.TimeZone, options.Country, options.Phone,
            options.SmsFrom, options.Chairs, options.SlotMinutes);
        options.Adjust?.Invoke(body);
        var created = (await app.PostAsync("/api/clinics", platform, body)).EnsureStatus(201);
        var scenario = new Scenario(app, created["id"]!, created["smsFrom"]!);
        (await app.SendAsync(HttpMethod.Put, $"{scenario.Base}/members/admin-{scenario.ClinicId}", platform, new { role = Roles.ClinicAdmin })).EnsureStatus(201);
        (await app.SendAsync(HttpMethod.Put, $"{scenario.Base}/members/staff-{scenario.ClinicId}", scenario.Admin, new { role = Roles.ClinicStaff })).EnsureStatus(201);
        return scenario;
    }

    public async Task<string> RegisterPatientAsync(string? phone = null, bool remsEnrolled = true, bool smsConsent = true,
        string startDate = "2026-11-02", int interval = 14, string language = "en")
    {
        phone ??= Fixtures.UniquePhone();
        var reply = (await App.PostAsync($"{Base}/patients", Staff, Fixtures.PatientBody(phone, remsEnrolled, smsConsent, startDate, interval, language))).EnsureStatus(201);
        return reply["id"]!;
    }

    public Task<Reply> BookAsync(string patientId, string start) =>
        App.PostAsync($"{Base}/sessions", Staff, new { patientId, start });

    /// <summary>A monitoring record that completes a session (56 mg, normal blood pressure, 125 minutes).</summary>
    public static readonly object Monitoring = new
    {
        doseMg = 56,
        bloodPressure = new { preDose = "128/82", postDose40Min = "134/86", discharge = "126/80" },
        monitoringMinutes = 125,
    };

    /// <summary>Checks the patient in at <paramref name="arrivedUtc"/> and completes the session 2 h 15 min later (the clock moves).</summary>
    public async Task TreatAsync(string session, DateTimeOffset arrivedUtc)
    {
        App.Clock.SetUtcNow(arrivedUtc);
        (await PostAsync($"/sessions/{session}/check-in")).EnsureStatus(200);
        App.Clock.Advance(TimeSpan.FromMinutes(135));
        (await PostAsync($"/sessions/{session}/complete", Monitoring)).EnsureStatus(200);
    }

    public Task<Reply> GetAsync(string path, string? token = null) => App.GetAsync($"{Base}{path}", token ?? Staff);

    public Task<Reply> PostAsync(string path, object? body = null, string? token = null, string? ifMatch = null) =>
        App.PostAsync($"{Base}{path}", token ?? Staff, body, ifMatch);

    /// <summary>A patient's texts, newest first.</summary>
    public async Task<JsonArray> MessagesAsync(string patientId) =>
        (await GetAsync($"/patients/{patientId}/messages")).EnsureStatus(200).Json!["messages"]!.AsArray();

    /// <summary>The clinic's flags in one status, of one kind or of all.</summary>
    public async Task<JsonArray> FlagsAsync(string? kind = null, string status = "open") =>
        (await GetAsync($"/flags?status={status}" + (kind is null ? "" : $"&kind={kind}"))).EnsureStatus(200).Json!["flags"]!.AsArray();
}

/// <summary>How a test's clinic differs from the contract's example clinic.</summary>
public sealed record ClinicOptions
{
    /// <summary>Null for a generated id.</summary>
    public string? Id { get; init; }
    public string TimeZone { get; init; } = "America/New_York";
    public string Country { get; init; } = "US";
    public string Phone { get; init; } = "+12125550100";
    public int Chairs { get; init; } = 4;
    public int SlotMinutes { get; init; } = 15;
    /// <summary>Null for a number no other clinic of the test run has.</summary>
    public string? SmsFrom { get; init; }
    /// <summary>Changes the request body before it is sent.</summary>
    public Action<Dictionary<string, object?>>? Adjust { get; init; }
}
