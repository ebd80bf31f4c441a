using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using ClinicBackend.Infrastructure.Messaging;
using ClinicBackend.Infrastructure.Records;
using ClinicBackend.Infrastructure.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClinicBackend.Functions.Configuration;

/// <summary>
/// Every Azure SDK client the app uses, registered here with Microsoft.Extensions.Azure: each built from its settings
/// section, all sharing one credential (the managed identity in Azure; <c>AZURE_CLIENT_ID</c> names it). A client for
/// another Azure service joins with one more <c>AddClient</c> below.
/// </summary>
public static class AzureClients
{
    public static IServiceCollection AddClinicAzureClients(this IServiceCollection services)
    {
        // One instance: its token cache serves every client and the telemetry exporter.
        services.AddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddAzureClients(clients =>
        {
            clients.UseCredential(sp => sp.GetRequiredService<TokenCredential>());
            clients.AddClient<TableServiceClient, TableClientOptions>((options, credential, sp) =>
                {
                    var storage = Storage(sp);
                    return storage.UsesConnectionString
                        ? new TableServiceClient(storage.EffectiveConnectionString, options)
                        : new TableServiceClient(new Uri(storage.TableServiceUri!), credential, options);
                })
                .ConfigureOptions(options =>
                {
                    options.Retry.MaxRetries = 3;
                    options.Retry.NetworkTimeout = TimeSpan.FromSeconds(20);
                });
            clients.AddClient<QueueServiceClient, QueueClientOptions>((options, credential, sp) =>
                {
                    var storage = Storage(sp);
                    if (storage.UsesConnectionString)
                    {
                        return new QueueServiceClient(storage.EffectiveConnectionString, options);
                    }
                    var uri = storage.QueueServiceUri ?? storage.TableServiceUri!.Replace(".table.", ".queue.", StringComparison.OrdinalIgnoreCase);
                    return new QueueServiceClient(new Uri(uri), credential, options);
                })
                .ConfigureOptions(QueueEncoding.Configure);
            // The records container: Records__ContainerUri with the identity in Azure, else {NamePrefix}records beside the tables.
            clients.AddClient<BlobContainerClient, BlobClientOptions>((options, credential, sp) =>
                {
                    var records = sp.GetRequiredService<IOptions<RecordsOptions>>().Value;
                    var storage = Storage(sp);
                    return string.IsNullOrWhiteSpace(records.ContainerUri)
                        ? new BlobServiceClient(storage.EffectiveConnectionString, options).GetBlobContainerClient($"{storage.NamePrefix}{RecordsOptions.DefaultContainerName}")
                        : new BlobContainerClient(new Uri(records.ContainerUri), credential, options);
                })
                .ConfigureOptions(options =>
                {
                    options.Retry.MaxRetries = 3;
                    options.Retry.NetworkTimeout = TimeSpan.FromSeconds(60);
                });
            // Resolved only when Outbox__ServiceBusNamespace is set (the outbox and the event sink choose).
            clients.AddClient<ServiceBusClient, ServiceBusClientOptions>((options, credential, sp) =>
                new ServiceBusClient(sp.GetRequiredService<IOptions<OutboxOptions>>().Value.ServiceBusNamespace, credential, options));
        });
        // The Azure SDKs' own logs are forwarded to ILogger (categories Azure.Core, Azure.Identity, ...): their warnings
        // and errors (retries, refused tokens) are wanted, each request's information lines are not.
        services.AddLogging(logging => logging.AddFilter("Azure", LogLevel.Warning));
        return services;
    }

    private static ClinicStorageOptions Storage(IServiceProvider services) => services.GetRequiredService<IOptions<ClinicStorageOptions>>().Value;
}
