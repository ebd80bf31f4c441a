using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ClinicBackend.LocalHost;

namespace ClinicBackend.Benchmarks;

/// <summary>The local host on a free port, on the benchmark's Azurite, with a Development key for tokens.</summary>
public sealed class BenchmarkHost : IAsyncDisposable
{
    private const string Key = "benchmark-signing-key-0123456789abcdefghij";
    private readonly WebApplication _app;

    private readonly string _connectionString;

    private BenchmarkHost(WebApplication app, HttpClient http, string staffToken, string adminToken, BenchmarkClock clock, string connectionString)
    {
        _app = app;
        _connectionString = connectionString;
        Http = http;
        StaffToken = staffToken;
        AdminToken = adminToken;
        Clock = clock;
    }

    public HttpClient Http { get; }
    public string StaffToken { get; }
    public string AdminToken { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>The app's clock: it starts where the benchmark says and runs at real speed.</summary>
    public BenchmarkClock Clock { get; }

    /// <summary>The counting store around the app's storage (started with <c>countStorage</c>).</summary>
    public CountingStore Probe => (CountingStore)Services.GetRequiredService<ClinicBackend.Application.Persistence.IDocumentStore>();

    /// <summary>The app's table, for SDK calls beside the app's.</summary>
    public string TableName => Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClinicBackend.Infrastructure.Storage.ClinicStorageOptions>>().Value.TableName;

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
        var clock = new BenchmarkClock(now ?? new DateTimeOffset(2026, 11, 30, 15, 0, 0, TimeSpan.Zero));
        builder.Services.AddSingleton<TimeProvider>(clock);
        if (countStorage)
        {
            CountingStore.Install(builder.Services);
        }
        var app = LocalFunctionsHost.Build(builder);
        await app.StartAsync();
        var address = app.Urls.First();
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(address) };
        var staff = DevTokenCommand.Mint(Key, "bench-staff", ["Clinic.Staff"], TimeSpan.FromDays(3650), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var admin = DevTokenCommand.Mint(Key, "bench-admin", ["Platform.Admin", "Clinic.Admin"], TimeSpan.FromDays(3650), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        return new BenchmarkHost(app, http, staff, admin, clock, azurite.ConnectionString);
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
            name = "Benchmark Clinic",
            timeZone,
            country = "US",
            phone = "+12125550100",
            smsFrom = smsFrom ?? "+1212555" + Random.Shared.Next(1000, 9999),
            chairs,
            sessionMinutes = 120,
            slotMinutes = 15,
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
            givenName = "Pat",
            familyName = "Bench",
            phone = phone ?? "+1212" + Random.Shared.Next(2000000, 9999999),
            smsConsent = true,
            remsEnrolled = true,
            course = new { startDate = "2026-10-01", maintenanceIntervalDays = 7 },
        };
        using var response = await Http.SendAsync(Post($"/api/clinics/{clinicId}/patients", body));
        if (!response.IsSuccessStatusCode)
        {
            return await RegisterPatientAsync(clinicId); // a random phone collided; draw again
        }
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.ToString();
    }

    /// <summary>Stops the app and deletes its table and queues: Azurite scans a whole table for every range query, so rows left behind would slow the next benchmark.</summary>
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        var prefix = Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClinicBackend.Infrastructure.Storage.ClinicStorageOptions>>().Value.NamePrefix!;
        var table = TableName;
        await _app.StopAsync();
        await _app.DisposeAsync();
        await new Azure.Data.Tables.TableServiceClient(_connectionString).DeleteTableAsync(table);
        var queues = new Azure.Storage.Queues.QueueServiceClient(_connectionString);
        await foreach (var queue in queues.GetQueuesAsync(prefix: prefix))
        {
            await queues.DeleteQueueAsync(queue.Name);
        }
    }
}
