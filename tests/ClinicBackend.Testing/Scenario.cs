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

    /// <summary>The lot <see cref="StockAsync"/> receives and <see cref="Dose"/> takes devices from.</summary>
    public const string TestLot = "TEST-0001";

    /// <summary>A dose body: <paramref name="doseMg"/> from one lot, normal pre-dose vitals, no other medicines, the monitoring nurse.</summary>
    public static object Dose(int doseMg = 56, string lot = TestLot, string? at = null) => new
    {
        at,
        doseMg,
        devices = new[] { new { lot, count = doseMg / 28 } },
        preDose = new { bloodPressure = "128/82", spo2 = 98 },
        concomitant = Array.Empty<string>(),
        monitoringClinician = new { name = "Nurse Kim", phone = "+12125550151", email = "kim@riverside.example" },
    };

    /// <summary>An observation with normal readings and nothing to keep the patient.</summary>
    public static object ClearObservation(string? at = null) => new
    {
        at,
        bloodPressure = "130/84",
        spo2 = 97,
        sedation = false,
        dissociation = false,
        respiratoryDepression = false,
    };

    /// <summary>A discharge: normal pressure, vitals acceptable, no adverse events, ready now.</summary>
    public static readonly object Discharge = new
    {
        bloodPressure = "126/80",
        vitalsAcceptable = new { beforeDose = true, afterMonitoring = true },
        adverseEvents = Array.Empty<object>(),
    };

    private bool _stocked;

    /// <summary>Receives <paramref name="devices"/> of <see cref="TestLot"/> (far from expiry), once per scenario unless asked again.</summary>
    public async Task StockAsync(int devices = 300, bool again = false)
    {
        if (_stocked && !again)
        {
            return;
        }
        (await PostAsync("/inventory/lots", new { lot = TestLot, expires = "2199-12-31", devices })).EnsureStatus(201);
        _stocked = true;
    }

    /// <summary>
    /// Checks the patient in at <paramref name="arrivedUtc"/> and doses at once (56 mg of <see cref="TestLot"/>), observes 30
    /// minutes later (all clear) and completes 2 h 15 min after the dose (the clock moves).
    /// </summary>
    public async Task TreatAsync(string session, DateTimeOffset arrivedUtc)
    {
        await StockAsync();
        App.Clock.SetUtcNow(arrivedUtc);
        (await PostAsync($"/sessions/{session}/check-in")).EnsureStatus(200);
        (await PostAsync($"/sessions/{session}/dose", Dose())).EnsureStatus(200);
        App.Clock.Advance(TimeSpan.FromMinutes(30));
        (await PostAsync($"/sessions/{session}/observations", ClearObservation())).EnsureStatus(201);
        App.Clock.Advance(TimeSpan.FromMinutes(105));
        (await PostAsync($"/sessions/{session}/complete", Discharge)).EnsureStatus(200);
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
