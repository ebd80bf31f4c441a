using ClinicBackend.Application.Outbound;
using ClinicBackend.Infrastructure.Messaging;
using ClinicBackend.Infrastructure.Records;
using ClinicBackend.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using NCrontab;

namespace ClinicBackend.Functions.Configuration;

/// <summary>Settings section <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";
    public const int MinDevKeyLength = 32;

    /// <summary>Development only: an HS256 key for locally minted tokens.</summary>
    public string? DevSigningKey { get; set; }
}

/// <summary>Settings section <c>Dev</c>.</summary>
public sealed class DevOptions
{
    public const string Section = "Dev";

    /// <summary>Development only: shifts the app's clock (a .NET TimeSpan such as <c>2.03:30:00</c>).</summary>
    public string? ClockOffset { get; set; }
}

/// <summary>Settings section <c>Schedules</c>: six-field NCRONTAB expressions of the timer functions.</summary>
public sealed class SchedulesOptions
{
    public const string Section = "Schedules";

    public static readonly IReadOnlyDictionary<string, string> Defaults = new Dictionary<string, string>
    {
        ["NightlyReminders"] = "0 30 0 * * *",
        ["DispatchSms"] = "0 * * * * *",
        ["SweepMissedSessions"] = "0 15 * * * *",
        ["EscalateFlags"] = "0 * * * * *",
        ["ExpireOffers"] = "0 * * * * *",
        ["ExportRecords"] = "0 0 2 * * *",
    };

    public string NightlyReminders { get; set; } = Defaults["NightlyReminders"];
    public string DispatchSms { get; set; } = Defaults["DispatchSms"];
    public string SweepMissedSessions { get; set; } = Defaults["SweepMissedSessions"];
    public string EscalateFlags { get; set; } = Defaults["EscalateFlags"];
    public string ExpireOffers { get; set; } = Defaults["ExpireOffers"];
    public string ExportRecords { get; set; } = Defaults["ExportRecords"];
}

/// <summary>
/// Checks every setting at start-up; each message names the setting as it is written in app settings
/// (<c>Section__Name</c>), so a wrong deployment fails at once and says what to fix.
/// </summary>
public static class SettingsValidator
{
    public static IReadOnlyList<string> Validate(IConfiguration configuration, IHostEnvironment environment)
    {
        var errors = new List<string>();
        var development = environment.IsDevelopment();

        var storage = configuration.GetSection(ClinicStorageOptions.Section).Get<ClinicStorageOptions>() ?? new();
        if (!string.IsNullOrWhiteSpace(storage.TableServiceUri) && !IsAbsolute(storage.TableServiceUri, httpsOnly: !development))
        {
            errors.Add("ClinicStorage__TableServiceUri must be an absolute https URL such as https://account.table.core.windows.net.");
        }
        if (!string.IsNullOrWhiteSpace(storage.QueueServiceUri) && !IsAbsolute(storage.QueueServiceUri, httpsOnly: !development))
        {
            errors.Add("ClinicStorage__QueueServiceUri must be an absolute https URL such as https://account.queue.core.windows.net.");
        }
        if (!string.IsNullOrWhiteSpace(storage.ConnectionString) && !storage.ConnectionString.Contains('=', StringComparison.Ordinal))
        {
            errors.Add("ClinicStorage__ConnectionString is not a storage connection string (for Azurite: UseDevelopmentStorage=true).");
        }
        if (!development)
        {
            // Fail closed: outside Development storage is reached only with the managed identity.
            if (string.IsNullOrWhiteSpace(storage.TableServiceUri))
            {
                errors.Add("ClinicStorage__TableServiceUri is required outside Development: the https table endpoint, reached with the managed identity (without it the app would use development storage).");
            }
            if (!string.IsNullOrWhiteSpace(storage.ConnectionString))
            {
                errors.Add("ClinicStorage__ConnectionString is set outside Development: connection strings carry account keys and are for Azurite only; remove it and use ClinicStorage__TableServiceUri with the managed identity.");
            }
        }
        var records = configuration.GetSection(RecordsOptions.Section).Get<RecordsOptions>() ?? new();
        if (!string.IsNullOrWhiteSpace(records.ContainerUri)
            && (!IsAbsolute(records.ContainerUri, httpsOnly: !development) || new Uri(records.ContainerUri).AbsolutePath.Trim('/').Length == 0))
        {
            errors.Add("Records__ContainerUri must be the absolute https URL of a blob container, such as https://account.blob.core.windows.net/records.");
        }
        else if (!development && string.IsNullOrWhiteSpace(records.ContainerUri))
        {
            errors.Add("Records__ContainerUri is required outside Development: the records container the nightly exports go to, reached with the managed identity.");
        }
        if (!string.IsNullOrEmpty(storage.NamePrefix) && !System.Text.RegularExpressions.Regex.IsMatch(storage.NamePrefix, "^[a-z][a-z0-9]{0,19}$"))
        {
            errors.Add("ClinicStorage__NamePrefix must be 1-20 lowercase letters and digits, starting with a letter.");
        }

        var outbox = configuration.GetSection(OutboxOptions.Section).Get<OutboxOptions>() ?? new();
        if (!string.IsNullOrWhiteSpace(outbox.ServiceBusNamespace) &&
            (outbox.ServiceBusNamespace.Contains("://", StringComparison.Ordinal) || !outbox.ServiceBusNamespace.Contains('.', StringComparison.Ordinal)))
        {
            errors.Add("Outbox__ServiceBusNamespace must be a fully qualified namespace such as clinics.servicebus.windows.net (no scheme).");
        }
        if (outbox.DispatchConcurrency is < 1 or > DispatchSettings.MaxConcurrency)
        {
            errors.Add($"Outbox__DispatchConcurrency must be between 1 and {DispatchSettings.MaxConcurrency}: how many texts the dispatcher works on at once.");
        }

        var twilio = configuration.GetSection(TwilioOptions.Section).Get<TwilioOptions>() ?? new();
        errors.AddRange(twilio.Validate(development));

        var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new();
        if (!string.IsNullOrEmpty(auth.DevSigningKey))
        {
            if (!development)
            {
                errors.Add("Auth__DevSigningKey is set outside the Development environment: remove it; it is for local development only.");
            }
            else if (auth.DevSigningKey.Length < AuthOptions.MinDevKeyLength)
            {
                errors.Add($"Auth__DevSigningKey must be at least {AuthOptions.MinDevKeyLength} characters long.");
            }
        }

        var dev = configuration.GetSection(DevOptions.Section).Get<DevOptions>() ?? new();
        if (!string.IsNullOrEmpty(dev.ClockOffset))
        {
            if (!development)
            {
                errors.Add("Dev__ClockOffset is set outside the Development environment: remove it; it is for local development only.");
            }
            else if (!TimeSpan.TryParse(dev.ClockOffset, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                errors.Add("Dev__ClockOffset must be a .NET TimeSpan such as 2.03:30:00 or -01:00:00.");
            }
        }

        var azureAd = configuration.GetSection("AzureAd");
        if (!development || !string.IsNullOrWhiteSpace(azureAd["ClientId"]))
        {
            if (string.IsNullOrWhiteSpace(azureAd["ClientId"]))
            {
                errors.Add("AzureAd__ClientId is required: the Entra ID application (client) id of this API.");
            }
            if (string.IsNullOrWhiteSpace(azureAd["TenantId"]))
            {
                errors.Add("AzureAd__TenantId is required: the Entra ID tenant id.");
            }
            else if (!Guid.TryParse(azureAd["TenantId"], out _))
            {
                errors.Add("AzureAd__TenantId must be this API's own tenant id (a GUID): 'common', 'organizations' or a domain would accept tokens from other tenants, which could give themselves Platform.Admin.");
            }
        }

        var schedules = configuration.GetSection(SchedulesOptions.Section);
        foreach (var name in SchedulesOptions.Defaults.Keys)
        {
            var expression = schedules[name];
            if (expression is not null && !IsCron(expression))
            {
                errors.Add($"Schedules__{name} must be a six-field NCRONTAB expression with seconds, such as '0 30 0 * * *'.");
            }
        }
        return errors;
    }

    public static bool IsCron(string expression) =>
        CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is not null;

    public static bool IsAbsolute(string value, bool httpsOnly) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttps || (!httpsOnly && uri.Scheme == Uri.UriSchemeHttp));
}
