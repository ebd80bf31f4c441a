using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Azure.Monitor.OpenTelemetry.Exporter;
using Azure.Storage.Queues;
using ClinicBackend.Functions.Configuration;
using ClinicBackend.Infrastructure.Messaging;
using ClinicBackend.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mono.Cecil;
using Mono.Cecil.Cil;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ClinicBackend.Functions.Tests;

/// <summary>The Azure clients and the telemetry exporters come from DI, built from settings, signed in with one credential.</summary>
public sealed class AzureClientsTests
{
    private static readonly Dictionary<string, string?> ManagedIdentity = new()
    {
        ["ClinicStorage:TableServiceUri"] = "https://127.0.0.1:1/",
        ["ClinicStorage:QueueServiceUri"] = "https://127.0.0.1:2/",
        ["Outbox:ServiceBusNamespace"] = "clinics.servicebus.windows.net",
    };

    private static ServiceProvider Build(IDictionary<string, string?> settings, TokenCredential? credential = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.Configure<ClinicStorageOptions>(configuration.GetSection(ClinicStorageOptions.Section));
        services.Configure<OutboxOptions>(configuration.GetSection(OutboxOptions.Section));
        services.AddClinicAzureClients();
        services.AddClinicTelemetry(configuration);
        if (credential is not null)
        {
            services.AddSingleton(credential);
        }
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task With_the_managed_identity_every_storage_client_asks_the_one_shared_credential()
    {
        var credential = new RecordingCredential();
        await using var services = Build(ManagedIdentity, credential);

        var tables = services.GetRequiredService<TableServiceClient>();
        var queues = services.GetRequiredService<QueueServiceClient>();
        Assert.Same(tables, services.GetRequiredService<TableServiceClient>());
        Assert.Equal(new Uri("https://127.0.0.1:1/"), tables.Uri);
        Assert.Equal(new Uri("https://127.0.0.1:2/"), queues.Uri);
        await Assert.ThrowsAsync<RecordingCredential.Asked>(() => tables.GetTableClient("clinics").GetEntityIfExistsAsync<TableEntity>("p", "r"));
        await Assert.ThrowsAsync<RecordingCredential.Asked>(() => queues.GetQueueClient("sms-outbox").ExistsAsync());
        Assert.Equal(["https://storage.azure.com/.default", "https://storage.azure.com/.default"], credential.Scopes);

        var bus = services.GetRequiredService<ServiceBusClient>();
        Assert.Equal("clinics.servicebus.windows.net", bus.FullyQualifiedNamespace);
        Assert.Same(credential, services.GetRequiredService<TokenCredential>());
    }

    [Fact]
    public void With_a_connection_string_the_storage_clients_use_it()
    {
        using var services = Build(new Dictionary<string, string?> { ["ClinicStorage:ConnectionString"] = "UseDevelopmentStorage=true" });
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), services.GetRequiredService<TableServiceClient>().Uri);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), services.GetRequiredService<QueueServiceClient>().Uri);
    }

    [Fact]
    public void The_app_makes_its_one_DefaultAzureCredential_in_the_client_registration()
    {
        var constructions = new[] { "ClinicBackend.Functions", "ClinicBackend.Infrastructure", "ClinicBackend.LocalHost" }
            .Where(name => File.Exists(Path.Combine(AppContext.BaseDirectory, name + ".dll")))
            .SelectMany(name => ModuleDefinition.ReadModule(Path.Combine(AppContext.BaseDirectory, name + ".dll")).GetTypes())
            .SelectMany(type => type.Methods.Where(m => m.HasBody).Select(m => (Type: type, Method: m)))
            .Where(m => m.Method.Body.Instructions.Any(i => i.OpCode == OpCodes.Newobj && i.Operand is MethodReference ctor
                && ctor.DeclaringType.FullName == typeof(DefaultAzureCredential).FullName))
            .Select(m => m.Type.FullName.Split('/')[0])
            .ToList();
        Assert.Equal([typeof(AzureClients).FullName!], constructions);
    }

    [Fact]
    public void Without_an_exporter_setting_nothing_is_traced_or_measured()
    {
        using var services = Build(new Dictionary<string, string?>());
        Assert.Null(services.GetService<TracerProvider>());
        Assert.Null(services.GetService<MeterProvider>());
    }

    [Fact]
    public void In_Azure_the_exporter_signs_in_with_the_shared_credential_and_keeps_every_trace_and_log()
    {
        var credential = new RecordingCredential();
        using var services = Build(new Dictionary<string, string?>(ManagedIdentity)
        {
            [Telemetry.AzureMonitorSetting] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:3/",
        }, credential);
        var exporter = services.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().Get(Options.DefaultName);
        Assert.Same(credential, exporter.Credential);
        Assert.StartsWith("InstrumentationKey=00000000", exporter.ConnectionString);
        Assert.Null(exporter.TracesPerSecond);
        Assert.Equal(1F, exporter.SamplingRatio);
        Assert.False(exporter.EnableTraceBasedLogsSampler);
    }

    [Fact]
    public void The_console_exporter_is_opt_in()
    {
        using var services = Build(new Dictionary<string, string?> { [Telemetry.ConsoleSetting] = "true" });
        Assert.NotNull(services.GetService<TracerProvider>());
        Assert.NotNull(services.GetService<MeterProvider>());
    }

    /// <summary>Records the scopes it is asked for, then refuses (a refusal is not retried: the test needs no network).</summary>
    private sealed class RecordingCredential : TokenCredential
    {
        public sealed class Asked : Exception;

        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes)
            {
                Scopes.AddRange(requestContext.Scopes);
            }
            throw new Asked();
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
