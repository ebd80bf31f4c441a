using System.Diagnostics;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using ClinicBackend.Application.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
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
public static partial class Telemetry
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
            .AddProcessor(new TableKeyRedactor())
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
            // Every span, also under a local request that came without a sampled traceparent (curl, a browser).
            telemetry.WithTracing(tracing => tracing.SetSampler(new AlwaysOnSampler()).AddConsoleExporter())
                .WithMetrics(metrics => metrics.AddConsoleExporter());
        }
        return services;
    }

    /// <summary>
    /// An HTTP request an Azure SDK sends is traced by the SDK's own span already (with its retries); the HttpClient
    /// span under it would count it twice.
    /// </summary>
    private static bool UnderAzureSdkSpan() => Activity.Current?.Parent?.Source.Name == AzureHttpSource;

    /// <summary>
    /// Table keys hold phone numbers (the directory's <c>tel|</c> and <c>from|</c> rows), and a Tables request names
    /// its entity's keys in the URL path: a span keeps the URL without them, as Azure.Core and HttpClient keep it
    /// without query values. Added before any exporter, so no exporter sees the keys.
    /// </summary>
    private sealed partial class TableKeyRedactor : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            if (data.GetTagItem("url.full") is string url && url.Contains("(PartitionKey=", StringComparison.Ordinal))
            {
                data.SetTag("url.full", EntityKeys().Replace(url, "(PartitionKey=REDACTED,RowKey=REDACTED)"));
            }
        }

        [GeneratedRegex(@"\(PartitionKey=[^?]*\)")]
        private static partial Regex EntityKeys();
    }
}
