using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using ClinicBackend.Functions.Configuration;
using ClinicBackend.Functions.Pipeline;
using ClinicBackend.Functions.Triggers;
using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace ClinicBackend.LocalHost;

/// <summary>
/// Runs the Functions app's own function classes on Kestrel: HTTP functions on their routes under the
/// host.json route prefix, timers on their schedules, and any non-HTTP function on
/// POST /admin/functions/{name} for loopback callers. Routes and schedules come from the attributes.
/// </summary>
public static class LocalFunctionsHost
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static WebApplicationBuilder CreateBuilder(string[] args, IDictionary<string, string?>? overrides = null, string? environmentName = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // Like `func start` with local.settings.json: Development unless told otherwise.
            EnvironmentName = environmentName ?? Environment.GetEnvironmentVariable("AZURE_FUNCTIONS_ENVIRONMENT")
                ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environments.Development,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Lowest priority first: contract defaults, then local.settings.json values (as `func start` reads them).
        var defaults = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (name, schedule) in SchedulesOptions.Defaults)
        {
            defaults[$"{SchedulesOptions.Section}:{name}"] = schedule;
        }
        foreach (var (key, value) in ReadLocalSettings())
        {
            defaults[key] = value;
        }
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = defaults });
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        RefuseDevelopmentTokensOffLoopback(builder);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024 * 1024);
        builder.Services.AddClinicBackend(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton<FunctionRunner>();
        builder.Services.AddHostedService<TimerScheduler>();
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        var prefix = RoutePrefix();
        foreach (var function in FunctionCatalog.All.Where(f => f.Http is not null))
        {
            var pattern = string.IsNullOrEmpty(prefix) ? function.Route! : $"{prefix}/{function.Route}";
            var runner = app.Services.GetRequiredService<FunctionRunner>();
            var endpoint = function.HttpMethods.Count == 0
                ? app.Map(pattern, http => runner.RunHttpAsync(function, http))
                : app.MapMethods(pattern, function.HttpMethods, http => runner.RunHttpAsync(function, http));
            endpoint.WithDisplayName(function.Name);
        }
        app.MapPost("admin/functions/{name}", async (HttpContext http, string name, FunctionRunner runner) =>
        {
            if (http.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
            {
                return Results.StatusCode(StatusCodes.Status403Forbidden); // fail closed: an unknown caller is not local
            }
            var function = FunctionCatalog.Find(name);
            if (function is null || function.Http is not null)
            {
                return Results.NotFound();
            }
            await runner.RunTimerAsync(function, new TimerInfo(), http.RequestAborted);
            return Results.StatusCode(StatusCodes.Status202Accepted);
        });
        return app;
    }

    /// <summary>
    /// Development tokens are signed with a key anyone with the repository has: a host that accepts them must not
    /// be reachable from the network. Bound to anything but loopback, it refuses to start with the key set.
    /// </summary>
    private static void RefuseDevelopmentTokensOffLoopback(WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["Auth:DevSigningKey"]))
        {
            return;
        }
        var urls = (builder.Configuration["urls"] ?? DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var exposed = urls.Where(u => !IsLoopbackUrl(u)).ToList();
        if (exposed.Count > 0)
        {
            throw new InvalidOperationException(
                $"Auth__DevSigningKey is set and the host would listen on {string.Join(", ", exposed)}: development tokens are accepted only on loopback. "
                + "Bind to 127.0.0.1 (--urls http://127.0.0.1:7071) or remove Auth__DevSigningKey.");
        }
    }

    private static bool IsLoopbackUrl(string url)
    {
        var host = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        host = host.Split('/')[0];
        host = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>The route prefix from the repository's host.json (extensions.http.routePrefix, default "api").</summary>
    public static string RoutePrefix()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "host.json");
        if (!File.Exists(path))
        {
            return "api";
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.TryGetProperty("extensions", out var ext) && ext.TryGetProperty("http", out var http)
               && http.TryGetProperty("routePrefix", out var prefix) && prefix.ValueKind == JsonValueKind.String
            ? prefix.GetString()!.Trim('/')
            : "api";
    }

    /// <summary>Resolves a %Setting% schedule as the Functions host does; a missing setting is an error.</summary>
    public static string ResolveSchedule(string schedule, IConfiguration configuration)
    {
        if (!(schedule.StartsWith('%') && schedule.EndsWith('%')))
        {
            return schedule;
        }
        var setting = schedule.Trim('%');
        return configuration[setting.Replace("__", ":", StringComparison.Ordinal)]
            ?? throw new InvalidOperationException($"The app setting {setting} that a timer schedule names is missing.");
    }

    /// <summary>The Values of local.settings.json beside the app, as configuration keys (Section:Name).</summary>
    internal static IEnumerable<KeyValuePair<string, string?>> ReadLocalSettings()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "local.settings.json");
        if (!File.Exists(path))
        {
            yield break;
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        if (!doc.RootElement.TryGetProperty("Values", out var values))
        {
            yield break;
        }
        foreach (var property in values.EnumerateObject())
        {
            yield return new(property.Name.Replace("__", ":", StringComparison.Ordinal), property.Value.GetString());
        }
    }
}

/// <summary>
/// Runs functions for the local host: HTTP ones through the app's own <see cref="HttpPipeline"/> (the same
/// gates and error handling as the worker middleware), timers one run at a time per function.
/// </summary>
public sealed class FunctionRunner(IServiceProvider services, HttpPipeline pipeline)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _singletons = new();

    public Task RunHttpAsync(FunctionEntry function, HttpContext http) =>
        pipeline.RunAsync(function, http, () => FunctionInvoker.ExecuteHttpAsync(function, http));

    /// <summary>Runs a non-HTTP function; like the Functions host's timer singleton, runs of one function never overlap.</summary>
    public async Task RunTimerAsync(FunctionEntry function, TimerInfo timer, CancellationToken ct)
    {
        var gate = _singletons.GetOrAdd(function.Name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            await using var scope = services.CreateAsyncScope();
            await FunctionInvoker.InvokeAsync(function, scope.ServiceProvider, null, timer, ct);
        }
        finally
        {
            gate.Release();
        }
    }
}

/// <summary>Fires each timer function on its NCRONTAB schedule (UTC, with seconds), like the Functions host.</summary>
public sealed class TimerScheduler(FunctionRunner runner, IConfiguration configuration, ILogger<TimerScheduler> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timers = FunctionCatalog.All.Where(f => f.Timer is not null).ToList();
        var schedules = timers.Select(t => (Function: t, Schedule: CrontabSchedule.Parse(
            LocalFunctionsHost.ResolveSchedule(t.Timer!.Schedule, configuration), new CrontabSchedule.ParseOptions { IncludingSeconds = true }))).ToList();
        if (!configuration.GetValue("LocalHost:RunTimers", true))
        {
            logger.LogInformation("Timers are off (LocalHost:RunTimers=false); run them with POST /admin/functions/{{name}}.");
            return Task.CompletedTask;
        }
        return Task.WhenAll(schedules.Select(s => RunAsync(s.Function, s.Schedule, stoppingToken)));
    }

    private async Task RunAsync(FunctionEntry function, CrontabSchedule schedule, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var now = DateTime.UtcNow;
            var next = schedule.GetNextOccurrence(now);
            try
            {
                await Task.Delay(next - now, ct);
                await runner.RunTimerAsync(function, new TimerInfo(), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Timer function {Function} failed; it runs again on its next occurrence.", function.Name);
            }
        }
    }
}
