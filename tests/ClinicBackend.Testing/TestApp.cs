using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using ClinicBackend.Domain.Access;
using ClinicBackend.LocalHost;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClinicBackend.Testing;

/// <summary>
/// The app on the local host over real HTTP, on a free loopback port, against the shared Azurite with its
/// own name prefix, with a fake clock and timers that run only when a test asks.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    public const string DevKey = "integration-tests-signing-key-0123456789abcdef";

    /// <summary>Monday 2026-11-30 10:00 in New York: where the clock starts unless told otherwise.</summary>
    public static readonly DateTimeOffset Monday = new(2026, 11, 30, 15, 0, 0, TimeSpan.Zero);

    private TestApp(WebApplication app, FakeTimeProvider clock, string prefix, string connectionString, FakeLogCollector errors)
    {
        App = app;
        Errors = errors;
        Clock = clock;
        Prefix = prefix;
        ConnectionString = connectionString;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public WebApplication App { get; }
    public FakeTimeProvider Clock { get; }
    public string Prefix { get; }
    public string ConnectionString { get; }
    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public IServiceProvider Services => App.Services;

    /// <summary>What the app logged as errors.</summary>
    public FakeLogCollector Errors { get; }

    /// <summary>
    /// Starts an app; <paramref name="settings"/> override the defaults, <paramref name="services"/> may replace services.
    /// <paramref name="storage"/> is the connection string of another Azurite than the shared one.
    /// </summary>
    public static async Task<TestApp> StartAsync(
        DateTimeOffset? now = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        string environment = "Development",
        string? storage = null)
    {
        var connectionString = storage ?? (await SharedAzurite.GetAsync()).ConnectionString;
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        var config = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["ClinicStorage:ConnectionString"] = connectionString,
            ["ClinicStorage:NamePrefix"] = prefix,
            ["LocalHost:RunTimers"] = "false",
            ["Auth:DevSigningKey"] = DevKey,
            ["Twilio:PublicBaseUrl"] = "https://clinic.example.org",
            ["Logging:LogLevel:Default"] = "Warning",
            // The fake clock jumps; queue messages become visible at once and the ledger decides what is due.
            ["Outbox:StorageQueueMaxDelay"] = "00:00:00",
        };
        var production = environment != "Development";
        if (production)
        {
            // Outside Development the app takes only an identity-based table endpoint; the test hands it clients
            // for Azurite in place of the managed-identity ones, so the settings stay as production needs them.
            config["ClinicStorage:ConnectionString"] = null; // also over local.settings.json
            config["ClinicStorage:TableServiceUri"] = "https://devstoreaccount1.table.core.windows.net/";
            config["Records:ContainerUri"] = "https://devstoreaccount1.blob.core.windows.net/records";
            config["Auth:DevSigningKey"] = null;
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }
        var builder = LocalFunctionsHost.CreateBuilder([], config, environment);
        var clock = new FakeTimeProvider(now ?? Monday);
        builder.Services.AddSingleton<TimeProvider>(clock);
        var errors = FakeLogCollector.Create(new FakeLogCollectorOptions { FilteredLevels = { LogLevel.Error, LogLevel.Critical } });
        builder.Logging.AddProvider(new FakeLoggerProvider(errors));
        if (production)
        {
            builder.Services.AddSingleton(new Azure.Data.Tables.TableServiceClient(connectionString));
            builder.Services.AddSingleton(new Azure.Storage.Queues.QueueServiceClient(connectionString,
                new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 }));
            builder.Services.AddSingleton(new Azure.Storage.Blobs.BlobServiceClient(connectionString).GetBlobContainerClient($"{prefix}records"));
        }
        services?.Invoke(builder.Services);
        var app = LocalFunctionsHost.Build(builder);
        await app.StartAsync();
        return new TestApp(app, clock, prefix, connectionString, errors);
    }

    public string Token(string oid, params string[] roles) => Tokens.Dev(DevKey, oid, roles);

    public HttpRequestMessage Request(HttpMethod method, string path, string? token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is string raw)
        {
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return request;
    }

    public async Task<Reply> SendAsync(HttpMethod method, string path, string? token, object? body = null, string? ifMatch = null)
    {
        using var request = Request(method, path, token, body);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        using var response = await Http.SendAsync(request);
        return await Reply.ReadAsync(response);
    }

    public Task<Reply> GetAsync(string path, string? token) => SendAsync(HttpMethod.Get, path, token);

    public Task<Reply> PostAsync(string path, string? token, object? body = null, string? ifMatch = null) =>
        SendAsync(HttpMethod.Post, path, token, body ?? new { }, ifMatch);

    /// <summary>Runs a timer function the way an operator would: POST /admin/functions/{name}.</summary>
    public async Task RunFunctionAsync(string name)
    {
        using var response = await Http.PostAsync($"/admin/functions/{name}", JsonContent.Create(new { input = "" }));
        (await Reply.ReadAsync(response)).EnsureStatus(202);
    }

    /// <summary>Like <see cref="RunFunctionAsync"/>, but a failed run is answered, not thrown: true when it finished (202).</summary>
    public async Task<bool> TryRunFunctionAsync(string name)
    {
        using var response = await Http.PostAsync($"/admin/functions/{name}", JsonContent.Create(new { input = "" }));
        return response.StatusCode == System.Net.HttpStatusCode.Accepted;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

public static class Roles
{
    public const string PlatformAdmin = AppRoles.PlatformAdmin;
    public const string ClinicAdmin = AppRoles.ClinicAdmin;
    public const string ClinicStaff = AppRoles.ClinicStaff;
}
