using ClinicBackend.LocalHost;
using Microsoft.Extensions.Options;

namespace ClinicBackend.Integration.Tests.Foundation;

public sealed class SettingsTests
{
    private static readonly Dictionary<string, string?> Production = new()
    {
        ["AzureAd:Instance"] = "https://login.microsoftonline.com/",
        ["AzureAd:TenantId"] = Tokens.TenantId,
        ["AzureAd:ClientId"] = Tokens.ClientId,
        ["Twilio:PublicBaseUrl"] = "https://clinic.example.org",
        ["Twilio:AccountSid"] = TwilioStandIn.AccountSid,
        ["Twilio:AuthToken"] = TwilioStandIn.AuthToken,
        ["Auth:DevSigningKey"] = null,
    };

    public static TheoryData<string, string, string?, string> WrongSettings => new()
    {
        { "Development", "Twilio:PublicBaseUrl", "not a url", "Twilio__PublicBaseUrl" },
        { "Production", "Twilio:PublicBaseUrl", "http://clinic.example.org", "Twilio__PublicBaseUrl" },
        { "Development", "Records:ContainerUri", "not a url", "Records__ContainerUri" },
        { "Production", "Records:ContainerUri", "http://account.blob.core.windows.net/records", "Records__ContainerUri" },
        { "Production", "Records:ContainerUri", "https://account.blob.core.windows.net/", "Records__ContainerUri" },
        { "Production", "Twilio:PublicBaseUrl", "", "Twilio__PublicBaseUrl" },
        { "Development", "Twilio:AccountSid", "AC" + new string('0', 32), "Twilio__AuthToken" },
        { "Development", "Twilio:AccountSid", "not-a-sid", "Twilio__AccountSid" },
        { "Development", "Twilio:ApiBaseUrl", "ftp://twilio", "Twilio__ApiBaseUrl" },
        { "Production", "ClinicStorage:TableServiceUri", "http://account.table.core.windows.net", "ClinicStorage__TableServiceUri" },
        { "Development", "ClinicStorage:ConnectionString", "garbage", "ClinicStorage__ConnectionString" },
        { "Development", "ClinicStorage:NamePrefix", "Bad-Prefix", "ClinicStorage__NamePrefix" },
        { "Development", "Outbox:ServiceBusNamespace", "sb://clinics.servicebus.windows.net/", "Outbox__ServiceBusNamespace" },
        { "Development", "Outbox:DispatchConcurrency", "0", "Outbox__DispatchConcurrency" },
        { "Development", "Schedules:DispatchSms", "every minute", "Schedules__DispatchSms" },
        { "Development", "Schedules:NightlyReminders", "30 0 * * *", "Schedules__NightlyReminders" },
        { "Production", "Auth:DevSigningKey", "a-development-key-that-is-long-enough-1234", "Auth__DevSigningKey" },
        { "Development", "Auth:DevSigningKey", "too-short", "Auth__DevSigningKey" },
        { "Production", "Dev:ClockOffset", "1.00:00:00", "Dev__ClockOffset" },
        { "Development", "Dev:ClockOffset", "tomorrow", "Dev__ClockOffset" },
        { "Production", "AzureAd:ClientId", null, "AzureAd__ClientId" },
        { "Production", "Twilio:AccountSid", null, "Twilio__AccountSid" },
        // Fail closed outside Development:
        { "Production", "ClinicStorage:TableServiceUri", null, "ClinicStorage__TableServiceUri" },
        { "Production", "ClinicStorage:ConnectionString", "DefaultEndpointsProtocol=https;AccountName=clinics;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net", "ClinicStorage__ConnectionString" },
        { "Production", "ClinicStorage:ConnectionString", "UseDevelopmentStorage=true", "ClinicStorage__ConnectionString" },
        { "Production", "AzureAd:TenantId", "common", "AzureAd__TenantId" },
        { "Production", "AzureAd:TenantId", "organizations", "AzureAd__TenantId" },
        { "Production", "AzureAd:TenantId", "contoso.onmicrosoft.com", "AzureAd__TenantId" },
        { "Production", "Twilio:ApiBaseUrl", "http://api.twilio.com", "Twilio__ApiBaseUrl" },
        { "Production", "Twilio:ApiBaseUrl", "https://twilio.example.org", "Twilio__ApiBaseUrl" },
        { "Production", "Twilio:ApiBaseUrl", "https://api.twilio.com.example.org", "Twilio__ApiBaseUrl" },
        { "Production", "Twilio:ApiBaseUrl", "https://eviltwilio.com", "Twilio__ApiBaseUrl" },
    };

    [Theory]
    [MemberData(nameof(WrongSettings))]
    public async Task A_wrong_setting_stops_the_app_with_a_message_that_names_it(string environment, string key, string? value, string named)
    {
        var settings = environment == "Production" ? new Dictionary<string, string?>(Production) : [];
        settings[key] = value;
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(settings: settings, environment: environment));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_settings_that_are_right_start()
    {
        await using var app = await TestApp.StartAsync(settings: Production, environment: "Production");
        (await app.GetAsync("/api/health", null)).Expect(200);
    }

    [Fact]
    public void Clock_offset_shifts_the_app_clock_in_development()
    {
        var app = LocalFunctionsHost.Build(LocalFunctionsHost.CreateBuilder([], new Dictionary<string, string?> { ["Dev:ClockOffset"] = "2.03:30:00" }, "Development"));
        var shifted = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var expected = DateTimeOffset.UtcNow + new TimeSpan(2, 3, 30, 0);
        Assert.InRange(shifted, expected - TimeSpan.FromMinutes(1), expected + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void Without_an_offset_the_app_clock_is_the_system_clock()
    {
        var app = LocalFunctionsHost.Build(LocalFunctionsHost.CreateBuilder([], new Dictionary<string, string?>(), "Development"));
        Assert.Same(TimeProvider.System, app.Services.GetRequiredService<TimeProvider>());
    }
}
