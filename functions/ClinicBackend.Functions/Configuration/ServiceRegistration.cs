using Azure.Data.Tables;
using Azure.Storage.Blobs;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Records;
using ClinicBackend.Functions.Auth;
using ClinicBackend.Infrastructure.Messaging;
using ClinicBackend.Infrastructure.Records;
using ClinicBackend.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ClinicBackend.Functions.Configuration;

/// <summary>The one service registration both hosts use: the Functions worker (Program.cs) and the local host.</summary>
public static class ServiceRegistration
{
    public static IServiceCollection AddClinicBackend(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddSingleton<IValidateOptions<SettingsCheck>>(new SettingsCheckValidator(configuration, environment));
        services.AddOptions<SettingsCheck>().ValidateOnStart();

        services.Configure<ClinicStorageOptions>(configuration.GetSection(ClinicStorageOptions.Section));
        services.Configure<OutboxOptions>(configuration.GetSection(OutboxOptions.Section));
        services.Configure<TwilioOptions>(configuration.GetSection(TwilioOptions.Section));
        services.Configure<AuthOptions>(configuration.GetSection(AuthOptions.Section));
        services.Configure<DevOptions>(configuration.GetSection(DevOptions.Section));
        services.Configure<SchedulesOptions>(configuration.GetSection(SchedulesOptions.Section));
        services.Configure<RecordsOptions>(configuration.GetSection(RecordsOptions.Section));

        services.AddSingleton<TimeProvider>(sp => AppClock.Create(sp.GetRequiredService<IOptions<DevOptions>>().Value, environment));

        services.AddClinicAzureClients();
        services.AddClinicTelemetry(configuration);
        services.AddSingleton<IDocumentStore>(sp => new TableDocumentStore(
            sp.GetRequiredService<TableServiceClient>(),
            sp.GetRequiredService<IOptions<ClinicStorageOptions>>().Value.TableName));
        // The records container (AzureClients): the nightly exports and the restores read and write raw rows of the same table.
        services.AddSingleton<IRecordArchive>(sp => new BlobRecordArchive(ClinicTable(sp), sp.GetRequiredService<BlobContainerClient>(), sp.GetRequiredService<TimeProvider>(),
            createContainer: string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<RecordsOptions>>().Value.ContainerUri)));
        services.AddSingleton<IRecordRestore>(sp => new RecordRestorer(ClinicTable(sp), sp.GetRequiredService<BlobContainerClient>()));

        services.AddApiAuthentication(configuration, environment);
        services.AddApplicationServices();
        return services;
    }

    /// <summary>What this instance talks to, for the start-up log.</summary>
    public static IReadOnlyList<string> DescribeModes(IServiceProvider services)
    {
        var storage = services.GetRequiredService<IOptions<ClinicStorageOptions>>().Value;
        var outbox = services.GetRequiredService<IOptions<OutboxOptions>>().Value;
        var twilio = services.GetRequiredService<IOptions<TwilioOptions>>().Value;
        var records = services.GetRequiredService<IOptions<RecordsOptions>>().Value;
        return
        [
            storage.UsesConnectionString
                ? storage.IsDevelopmentStorageDefault ? "storage: Azurite development storage (UseDevelopmentStorage=true)" : "storage: connection string"
                : $"storage: {storage.TableServiceUri} with managed identity",
            outbox.UsesServiceBus
                ? $"outbox: Service Bus {outbox.ServiceBusNamespace}, queue {outbox.QueueName}, topic {outbox.EventsTopicName}"
                : $"outbox: storage queues {storage.NamePrefix}{outbox.QueueName} and {storage.NamePrefix}{outbox.EventsTopicName}",
            twilio.IsSimulated
                ? "sms: simulated (no Twilio credentials): texts are recorded and printed, not sent"
                : $"sms: Twilio via {twilio.ApiBaseUrl}",
            string.IsNullOrWhiteSpace(records.ContainerUri)
                ? $"records: container {storage.NamePrefix}{RecordsOptions.DefaultContainerName} of the storage connection's blob service"
                : $"records: {records.ContainerUri} with managed identity",
        ];
    }

    private static TableClient ClinicTable(IServiceProvider sp) =>
        sp.GetRequiredService<TableServiceClient>().GetTableClient(sp.GetRequiredService<IOptions<ClinicStorageOptions>>().Value.TableName);
}

/// <summary>The target of the start-up settings check (it carries nothing; validating it checks every section).</summary>
public sealed class SettingsCheck;

internal sealed class SettingsCheckValidator(IConfiguration configuration, IHostEnvironment environment) : IValidateOptions<SettingsCheck>
{
    public ValidateOptionsResult Validate(string? name, SettingsCheck options)
    {
        var problems = SettingsValidator.Validate(configuration, environment);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>The app's one clock: the system clock, shifted by <c>Dev__ClockOffset</c> in Development.</summary>
public static class AppClock
{
    public static TimeProvider Create(DevOptions options, IHostEnvironment environment)
    {
        if (!environment.IsDevelopment() || string.IsNullOrEmpty(options.ClockOffset)
            || !TimeSpan.TryParse(options.ClockOffset, System.Globalization.CultureInfo.InvariantCulture, out var offset) || offset == TimeSpan.Zero)
        {
            return TimeProvider.System;
        }
        return new OffsetTimeProvider(TimeProvider.System, offset);
    }

    private sealed class OffsetTimeProvider(TimeProvider inner, TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + offset;

        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;
    }
}
