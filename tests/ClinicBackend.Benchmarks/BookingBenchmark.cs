using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using ClinicBackend.LocalHost;

namespace ClinicBackend.Benchmarks;

/// <summary>
/// Booking through the whole stack (HTTP, token validation, access check, capacity claims in one
/// transaction) on the local host against Azurite, beside a bare conditional read-modify-write of one
/// entity measured in the same run.
/// </summary>
public static class BookingBenchmark
{
    public static async Task<IReadOnlyList<Measure.Result>> RunAsync(AzuriteProcess azurite, int perClient)
    {
        var results = new List<Measure.Result>();
        foreach (var clients in new[] { 1, 16 })
        {
            results.Add(await BareReadModifyWriteAsync(azurite, clients, perClient));
            results.Add(await BookingsAsync(azurite, clients, perClient));
        }
        return results;
    }

    private static async Task<Measure.Result> BareReadModifyWriteAsync(AzuriteProcess azurite, int clients, int perClient)
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("bare" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateAsync();
        for (var c = 0; c < clients; c++)
        {
            await table.AddEntityAsync(new TableEntity("p", $"row{c}") { ["Data"] = new string('x', 600), ["N"] = 0 });
        }
        return await Measure.RunAsync("bare conditional read-modify-write", clients, perClient, async (c, _) =>
        {
            var entity = (await table.GetEntityAsync<TableEntity>("p", $"row{c}")).Value;
            entity["N"] = (int)entity["N"] + 1;
            await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace);
            return true;
        });
    }

    private static async Task<Measure.Result> BookingsAsync(AzuriteProcess azurite, int clients, int perClient)
    {
        await using var host = await BenchmarkHost.StartAsync(azurite);
        var clinicId = await host.CreateClinicAsync(chairs: 50);
        // Each client books its own patients: patient p of client c gets one session a day, on consecutive weekdays.
        var patients = new string[clients][];
        for (var c = 0; c < clients; c++)
        {
            patients[c] = new string[Math.Max(1, perClient / 40 + 1)];
            for (var p = 0; p < patients[c].Length; p++)
            {
                patients[c][p] = await host.RegisterPatientAsync(clinicId);
            }
        }
        var days = Weekdays(new DateOnly(2026, 12, 1), perClient).ToArray();
        return await Measure.RunAsync("book a session (HTTP, whole stack)", clients, perClient, async (c, i) =>
        {
            var patient = patients[c][i / days.Length % patients[c].Length];
            var start = $"{days[i % days.Length]:yyyy-MM-dd}T{8 + i / days.Length % 8:D2}:00";
            using var response = await host.Http.SendAsync(host.Post($"/api/clinics/{clinicId}/sessions", new { patientId = patient, start }));
            return response.StatusCode == System.Net.HttpStatusCode.Created;
        });
    }

    public static IEnumerable<DateOnly> Weekdays(DateOnly from, int count)
    {
        for (var d = from; count > 0; d = d.AddDays(1))
        {
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                count--;
                yield return d;
            }
        }
    }
}

/// <summary>The local host on a free port, on the benchmark's Azurite, with a Development key for tokens.</summary>
public sealed class BenchmarkHost : IAsyncDisposable
{
    private const string Key = "benchmark-signing-key-0123456789abcdefghij";
    private readonly WebApplication _app;

    private BenchmarkHost(WebApplication app, HttpClient http, string staffToken, string adminToken)
    {
        _app = app;
        Http = http;
        StaffToken = staffToken;
        AdminToken = adminToken;
    }

    public HttpClient Http { get; }
    public string StaffToken { get; }
    public string AdminToken { get; }
    public IServiceProvider Services => _app.Services;

    public static async Task<BenchmarkHost> StartAsync(AzuriteProcess azurite, IDictionary<string, string?>? settings = null, DateTimeOffset? now = null, bool countStorage = false)
    {
        var config = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["ClinicStorage:ConnectionString"] = azurite.ConnectionString,
            ["ClinicStorage:NamePrefix"] = "b" + Guid.NewGuid().ToString("N")[..10],
            ["LocalHost:RunTimers"] = "false",
            ["Auth:DevSigningKey"] = Key,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            config[k] = v;
        }
        var builder = LocalFunctionsHost.CreateBuilder([], config, "Development");
        builder.Services.AddSingleton<TimeProvider>(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now ?? new DateTimeOffset(2026, 11, 30, 15, 0, 0, TimeSpan.Zero)));
        if (countStorage)
        {
            var registration = builder.Services.Last(d => d.ServiceType == typeof(ClinicBackend.Application.Persistence.IDocumentStore));
            builder.Services.AddSingleton<ClinicBackend.Application.Persistence.IDocumentStore>(sp => new CountingStore((ClinicBackend.Application.Persistence.IDocumentStore)registration.ImplementationFactory!(sp)));
        }
        var app = LocalFunctionsHost.Build(builder);
        await app.StartAsync();
        var address = app.Urls.First();
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(address) };
        var staff = DevTokenCommand.Mint(Key, "bench-staff", ["Clinic.Staff"], TimeSpan.FromDays(3650), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var admin = DevTokenCommand.Mint(Key, "bench-admin", ["Platform.Admin", "Clinic.Admin"], TimeSpan.FromDays(3650), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        return new BenchmarkHost(app, http, staff, admin);
    }

    public HttpRequestMessage Post(string path, object body, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? StaffToken);
        return request;
    }

    public async Task<string> CreateClinicAsync(int chairs, string? smsFrom = null, string timeZone = "America/New_York")
    {
        var hours = new[] { "07:00", "20:00" };
        var body = new
        {
            name = "Benchmark Clinic", timeZone, country = "US", phone = "+12125550100",
            smsFrom = smsFrom ?? "+1212555" + Random.Shared.Next(1000, 9999), chairs, sessionMinutes = 120, slotMinutes = 15,
            openingHours = new { mon = hours, tue = hours, wed = hours, thu = hours, fri = hours, sat = hours, sun = hours },
        };
        using var created = await Http.SendAsync(Post("/api/clinics", body, AdminToken));
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.ToString();
        foreach (var (oid, role) in new[] { ("bench-staff", "Clinic.Staff"), ("bench-admin", "Clinic.Admin") })
        {
            var put = new HttpRequestMessage(HttpMethod.Put, $"/api/clinics/{id}/members/{oid}") { Content = JsonContent.Create(new { role }) };
            put.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
            using var member = await Http.SendAsync(put);
            member.EnsureSuccessStatusCode();
        }
        return id;
    }

    public async Task<string> RegisterPatientAsync(string clinicId, string? phone = null)
    {
        var body = new
        {
            givenName = "Pat", familyName = "Bench", phone = phone ?? "+1212" + Random.Shared.Next(2000000, 9999999), smsConsent = true, remsEnrolled = true,
            course = new { startDate = "2026-10-01", maintenanceIntervalDays = 7 },
        };
        using var response = await Http.SendAsync(Post($"/api/clinics/{clinicId}/patients", body));
        if (!response.IsSuccessStatusCode)
        {
            return await RegisterPatientAsync(clinicId); // a random phone collided; draw again
        }
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
