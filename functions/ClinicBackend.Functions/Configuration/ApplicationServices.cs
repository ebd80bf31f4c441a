using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Queues;
using ClinicBackend.Application;
using ClinicBackend.Events;
using ClinicBackend.Messaging;
using ClinicBackend.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClinicBackend.Configuration;

public static class ApplicationServices
{
    public static IServiceCollection AddApplicationServices(this IServiceCollection services)
    {
        services.AddSingleton<ClinicData>();
        services.AddSingleton<ClinicAccess>();
        services.AddSingleton<ClinicService>();
        services.AddSingleton<PatientService>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<FlagService>();
        services.AddSingleton<EventRelay>();
        services.AddSingleton<ISessionObserver, SessionSideEffects>();
        services.AddSingleton<ScheduledRuns>();

        services.AddSingleton(sp => CreateQueueService(sp.GetRequiredService<IOptions<ClinicStorageOptions>>().Value));
        services.AddSingleton(sp => new ServiceBusClient(
            sp.GetRequiredService<IOptions<OutboxOptions>>().Value.ServiceBusNamespace, new DefaultAzureCredential()));
        services.AddSingleton<IClinicEventSink>(sp =>
        {
            var outbox = sp.GetRequiredService<IOptions<OutboxOptions>>().Value;
            if (outbox.UsesServiceBus)
            {
                return new ServiceBusEventSink(sp.GetRequiredService<ServiceBusClient>().CreateSender(outbox.EventsTopicName));
            }
            var prefix = sp.GetRequiredService<IOptions<ClinicStorageOptions>>().Value.NamePrefix;
            return new StorageQueueEventSink(sp.GetRequiredService<QueueServiceClient>().GetQueueClient($"{prefix}{outbox.EventsTopicName}"));
        });
        return services;
    }

    private static QueueServiceClient CreateQueueService(ClinicStorageOptions options)
    {
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        if (options.UsesConnectionString)
        {
            return new QueueServiceClient(options.EffectiveConnectionString, queueOptions);
        }
        var uri = options.QueueServiceUri ?? options.TableServiceUri!.Replace(".table.", ".queue.", StringComparison.OrdinalIgnoreCase);
        return new QueueServiceClient(new Uri(uri), new DefaultAzureCredential(), queueOptions);
    }
}
