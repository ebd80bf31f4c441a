using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace ClinicBackend.Testing.Drills;

public static class DrillServices
{
    /// <summary>Replaces the registered <typeparamref name="T"/> by <paramref name="wrap"/> around it.</summary>
    public static IServiceCollection Decorate<T>(this IServiceCollection services, Func<T, IServiceProvider, T> wrap) where T : class
    {
        var inner = services.Last(d => d.ServiceType == typeof(T));
        services.AddSingleton(sp => wrap((T)(inner.ImplementationInstance ?? inner.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!)), sp));
        return services;
    }

    /// <summary>
    /// Storage clients that give up on a stopped Azurite within about a second (the app's own wait 3 retries with
    /// Azure's default backoff, several seconds per call), so a drill with storage down takes seconds.
    /// </summary>
    public static IServiceCollection AddFastFailingStorage(this IServiceCollection services, string connectionString)
    {
        var table = new TableClientOptions();
        table.Retry.MaxRetries = 2;
        table.Retry.Delay = TimeSpan.FromMilliseconds(50);
        table.Retry.MaxDelay = TimeSpan.FromMilliseconds(200);
        table.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
        var queue = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        queue.Retry.MaxRetries = 2;
        queue.Retry.Delay = TimeSpan.FromMilliseconds(50);
        queue.Retry.MaxDelay = TimeSpan.FromMilliseconds(200);
        queue.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
        services.AddSingleton(new TableServiceClient(connectionString, table));
        services.AddSingleton(new QueueServiceClient(connectionString, queue));
        return services;
    }
}
