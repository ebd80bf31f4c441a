using System.Diagnostics;
using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using ClinicBackend.Application.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ClinicBackend.Functions.Configuration;

/// <summary>
/// What the app traces and measures with OpenTelemetry (docs/telemetry.md): every Azure SDK call (their ActivitySources
/// Azure.*, switched on in Directory.Build.props), every other outgoing HTTP request (Twilio's), and the meter
/// <see cref="ClinicMetrics.MeterName"/>. Exported to Azure Monitor when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is
/// set (in Azure), to the console when <c>Telemetry__Console</c> is true; with neither, nothing listens and nothing is
/// recorded.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "clinic-backend";
    public const string AzureMonitorSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string ConsoleSetting = "Telemetry:Console";

    /// <summary>The Azure SDKs' ActivitySources: one span per client call, and one per HTTP request under it.</summary>
    public const string AzureSdkSources = "Azure.*";
    private const string AzureHttpSource = "Azure.Core.Http";

    public static bool ExportsToAzureMonitor(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[AzureMonitorSetting]);

    public static IServiceCollection AddClinicTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddSingleton<ClinicMetrics>();
        // What is recorded, for whichever exporter is on (a test's in-memory one included).
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(AzureSdkSources)
            .AddHttpClientInstrumentation(http => http.FilterHttpRequestMessage = _ => !UnderAzureSdkSpan()));
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(ClinicMetrics.MeterName));

        var azureMonitor = ExportsToAzureMonitor(configuration);
        var console = configuration.GetValue<bool>(ConsoleSetting);
        if (!azureMonitor && !console)
        {
            return services;
        }
        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(ServiceName));
        if (azureMonitor)
        {
            telemetry.UseAzureMonitorExporter(exporter =>
            {
                // Every trace and every log is kept: the volume is small, and an alert's error must never be sampled away.
                exporter.TracesPerSecond = null;
                exporter.SamplingRatio = 1F;
                exporter.EnableTraceBasedLogsSampler = false;
            });
            // Application Insights takes no local keys (DisableLocalAuth): the exporter signs in as the app's identity.
            services.AddOptions<AzureMonitorExporterOptions>().Configure<TokenCredential>((exporter, credential) => exporter.Credential = credential);
        }
        if (console)
        {
            telemetry.WithTracing(tracing => tracing.AddConsoleExporter()).WithMetrics(metrics => metrics.AddConsoleExporter());
        }
        return services;
    }

    /// <summary>
    /// An HTTP request an Azure SDK sends is traced by the SDK's own span already (with its retries); the HttpClient
    /// span under it would count it twice.
    /// </summary>
    private static bool UnderAzureSdkSpan() => Activity.Current?.Parent?.Source.Name == AzureHttpSource;
}
