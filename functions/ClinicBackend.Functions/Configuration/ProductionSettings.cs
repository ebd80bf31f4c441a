using System.Reflection;
using ClinicBackend.Infrastructure.Messaging;
using ClinicBackend.Infrastructure.Records;
using ClinicBackend.Infrastructure.Storage;

namespace ClinicBackend.Functions.Configuration;

/// <summary>
/// The app settings a production deployment must set, derived from the options classes the app binds at
/// start-up; the infrastructure tests check that the Bicep template sets each one. A new options property
/// is required in production unless it is listed here as local-only or defaulted on purpose.
/// </summary>
public static class ProductionSettings
{
    private static readonly (Type Options, string Section)[] Bound =
    [
        (typeof(ClinicStorageOptions), ClinicStorageOptions.Section),
        (typeof(OutboxOptions), OutboxOptions.Section),
        (typeof(TwilioOptions), TwilioOptions.Section),
        (typeof(SchedulesOptions), SchedulesOptions.Section),
        (typeof(RecordsOptions), RecordsOptions.Section),
        (typeof(AuthOptions), AuthOptions.Section),
        (typeof(DevOptions), DevOptions.Section),
    ];

    /// <summary>Settings that production leaves out: local-only, derived, or with a production-ready default.</summary>
    public static readonly IReadOnlySet<string> NotSetInAzure = new HashSet<string>(StringComparer.Ordinal)
    {
        "ClinicStorage__ConnectionString", // Azurite only; Azure uses TableServiceUri with the managed identity
        "ClinicStorage__QueueServiceUri",  // derived from TableServiceUri
        "ClinicStorage__NamePrefix",       // test isolation
        "Outbox__QueueName",               // default sms-outbox, the queue the template creates
        "Outbox__EventsTopicName",         // default clinic-events, the topic the template creates
        "Outbox__StorageQueueMaxDelay",    // storage-queue outbox only (local); Azure uses Service Bus
        "Outbox__DispatchConcurrency",     // default 64 texts at once; sends are paced to Twilio's rate anyway
        "Twilio__ApiBaseUrl",              // default: Twilio's own API
        "Twilio__RequestTimeout",          // default 15 s
        "Auth__DevSigningKey",             // Development only; refused elsewhere
        "Dev__ClockOffset",                // Development only; refused elsewhere
    };

    /// <summary>Settings read outside the options classes.</summary>
    private static readonly string[] Others =
    [
        "AzureAd__Instance", "AzureAd__TenantId", "AzureAd__ClientId", // Microsoft.Identity.Web
        "AZURE_CLIENT_ID", // the user-assigned identity DefaultAzureCredential uses
        "APPLICATIONINSIGHTS_CONNECTION_STRING", // where the worker exports its telemetry (Telemetry); Telemetry__Console is local only
    ];

    public static IReadOnlyList<string> Required =>
        Bound.SelectMany(b => b.Options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite)
                .Select(p => $"{b.Section}__{p.Name}"))
            .Where(name => !NotSetInAzure.Contains(name))
            .Concat(Others)
            .Order(StringComparer.Ordinal)
            .ToList();
}
