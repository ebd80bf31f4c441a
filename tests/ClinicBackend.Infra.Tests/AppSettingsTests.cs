using System.Text.Json.Nodes;
using ClinicBackend.Functions.Configuration;
using ClinicBackend.Infra.Tests.Support;

namespace ClinicBackend.Infra.Tests;

/// <summary>The function app's settings: complete for production, identity-based, no secrets.</summary>
[Collection(InfraCollection.Name)]
public sealed class AppSettingsTests(InfraFixture fixture)
{
    private readonly CompiledInfra infra = fixture.Infra;

    private IReadOnlyDictionary<string, (JsonNode? Value, ArmResource Owner)> Settings => infra.AppSettings;

    private string Value(string name)
    {
        Assert.True(Settings.TryGetValue(name, out var setting), $"The template does not set {name}.");
        return CompiledInfra.Text(setting.Value);
    }

    /// <summary>The setting's value followed through the module's parameters back to main.bicep's parameters.</summary>
    private string Resolved(string name)
    {
        Assert.True(Settings.TryGetValue(name, out var setting), $"The template does not set {name}.");
        return CompiledInfra.Text(setting.Owner.Template.ResolveToRootParameter(setting.Value?.DeepClone()));
    }

    public static TheoryData<string> RequiredSettings => new(ProductionSettings.Required);

    [Theory]
    [MemberData(nameof(RequiredSettings))]
    public void Every_setting_the_app_binds_in_production_is_set(string name)
    {
        Assert.True(Settings.ContainsKey(name), $"ProductionSettings.Required lists {name}, the template does not set it.");
        Assert.False(string.IsNullOrWhiteSpace(Value(name)));
    }

    [Fact]
    public void The_production_settings_list_is_read_from_the_app()
    {
        // Guards the theory above against an empty list (which would make it pass vacuously).
        Assert.Contains("Twilio__PublicBaseUrl", ProductionSettings.Required);
        Assert.True(ProductionSettings.Required.Count >= 12);
    }

    [Theory]
    [InlineData("Auth__DevSigningKey")]
    [InlineData("Dev__ClockOffset")]
    public void Development_only_settings_are_never_set(string name)
    {
        Assert.False(Settings.ContainsKey(name));
        Assert.DoesNotContain(name, infra.MainJson, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FUNCTIONS_WORKER_RUNTIME")]
    [InlineData("FUNCTIONS_EXTENSION_VERSION")]
    public void Settings_refused_on_flex_consumption_are_not_set(string name)
    {
        Assert.False(Settings.ContainsKey(name), $"{name} is not allowed on Flex Consumption (the runtime comes from functionAppConfig).");
    }

    [Fact]
    public void Environment_is_production()
    {
        Assert.Equal("Production", Value("AZURE_FUNCTIONS_ENVIRONMENT"));
    }

    [Fact]
    public void Host_storage_is_identity_based()
    {
        Assert.False(Settings.ContainsKey("AzureWebJobsStorage"), "AzureWebJobsStorage as a connection string needs a key.");
        Assert.Equal("managedidentity", Value("AzureWebJobsStorage__credential"));
        Assert.Contains("storageAccountName", Value("AzureWebJobsStorage__accountName"), StringComparison.Ordinal);
        Assert.Equal(IdentityClientId, Value("AzureWebJobsStorage__clientId"));
    }

    [Fact]
    public void Azure_client_id_is_the_user_assigned_identity()
    {
        Assert.Equal(IdentityClientId, Value("AZURE_CLIENT_ID"));
    }

    [Fact]
    public void Table_service_uri_is_the_storage_table_endpoint()
    {
        var value = Value("ClinicStorage__TableServiceUri");
        Assert.Contains("Microsoft.Storage/storageAccounts", value, StringComparison.Ordinal);
        Assert.EndsWith(".primaryEndpoints.table]", value, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_container_uri_is_the_records_modules_container_url()
    {
        var value = Value("Records__ContainerUri");
        Assert.Equal("[parameters('recordsContainerUri')]", value);
        Assert.Contains("'records'", Resolved("Records__ContainerUri"), StringComparison.Ordinal);
        Assert.Contains(".outputs.containerUri.value", Resolved("Records__ContainerUri"), StringComparison.Ordinal);
    }

    [Fact]
    public void Outbox_namespace_is_the_host_name_derived_from_the_service_bus_endpoint()
    {
        var value = Value("Outbox__ServiceBusNamespace");
        Assert.Contains("Microsoft.ServiceBus/namespaces", value, StringComparison.Ordinal);
        Assert.Contains(".serviceBusEndpoint", value, StringComparison.Ordinal);
        // https://name.servicebus.windows.net:443/ -> name.servicebus.windows.net: scheme, port and path are cut.
        Assert.StartsWith("[split(split(split(", value, StringComparison.Ordinal);
        Assert.Contains("'://')[1]", value, StringComparison.Ordinal);
        Assert.Contains("'/')[0]", value, StringComparison.Ordinal);
        Assert.EndsWith("':')[0]]", value, StringComparison.Ordinal);
    }

    [Fact]
    public void Twilio_auth_token_is_a_key_vault_reference()
    {
        var value = Value("Twilio__AuthToken");
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0})', reference(resourceId('Microsoft.KeyVault/vaults/secrets'", value, StringComparison.Ordinal);
        Assert.EndsWith(".secretUri)]", value, StringComparison.Ordinal);
    }

    [Fact]
    public void Twilio_public_base_url_defaults_to_the_app_host_name_and_can_be_overridden()
    {
        var value = Value("Twilio__PublicBaseUrl");
        Assert.Contains("format('https://{0}', reference(resourceId('Microsoft.Web/sites'", value, StringComparison.Ordinal);
        Assert.Contains(".defaultHostName", value, StringComparison.Ordinal);
        Assert.Contains("parameters('twilioPublicBaseUrl')", value, StringComparison.Ordinal);
    }

    [Fact]
    public void Twilio_account_sid_and_entra_id_settings_come_from_parameters()
    {
        Assert.Equal("[parameters('twilioAccountSid')]", Resolved("Twilio__AccountSid"));
        Assert.Equal("[parameters('azureAdClientId')]", Resolved("AzureAd__ClientId"));
        Assert.Equal("[parameters('azureAdTenantId')]", Resolved("AzureAd__TenantId"));
        Assert.Equal("[parameters('azureAdInstance')]", Resolved("AzureAd__Instance"));
        // Defaults: the cloud's login endpoint (https://login.microsoftonline.com/ in Azure) and the tenant.
        Assert.Equal("[environment().authentication.loginEndpoint]", CompiledInfra.Text(infra.Main.Parameters["azureAdInstance"]!["defaultValue"]));
        Assert.Equal("[tenant().tenantId]", CompiledInfra.Text(infra.Main.Parameters["azureAdTenantId"]!["defaultValue"]));
    }

    [Theory]
    [InlineData("Schedules__NightlyReminders", "0 30 0 * * *")]
    [InlineData("Schedules__DispatchSms", "0 * * * * *")]
    [InlineData("Schedules__SweepMissedSessions", "0 15 * * * *")]
    [InlineData("Schedules__EscalateFlags", "0 * * * * *")]
    [InlineData("Schedules__ExpireOffers", "0 * * * * *")]
    [InlineData("Schedules__ExportRecords", "0 0 2 * * *")]
    public void Timer_schedules_are_parameters_with_the_documented_defaults(string name, string schedule)
    {
        var resolved = Resolved(name);
        var parameter = ArmTemplate.ParseCall(resolved);
        Assert.True(parameter is ("parameters", _), $"{name} must come from a main.bicep parameter, is {resolved}.");
        Assert.Equal(schedule, infra.Main.ResolveParameter(parameter!.Value.Arguments[0].Trim('\''))!.GetValue<string>());
    }

    [Fact]
    public void Application_insights_connection_string_comes_from_the_component()
    {
        Assert.Equal(
            "[reference(resourceId('Microsoft.Insights/components', parameters('appInsightsName')), '2020-02-02').ConnectionString]",
            Value("APPLICATIONINSIGHTS_CONNECTION_STRING").Replace(
                infra.Single("Microsoft.Insights/components").Node["apiVersion"]!.GetValue<string>(), "2020-02-02", StringComparison.Ordinal));
    }

    [Fact]
    public void Application_insights_authenticates_with_entra_id_as_the_identity()
    {
        var value = Value("APPLICATIONINSIGHTS_AUTHENTICATION_STRING");
        Assert.StartsWith("[format('Authorization=AAD;ClientId={0}', ", value, StringComparison.Ordinal);
        Assert.EndsWith($"{IdentityClientId[1..^1]})]", value, StringComparison.Ordinal);
    }

    [Fact]
    public void No_storage_keys_sas_keys_instrumentation_keys_or_list_calls_anywhere_in_the_template()
    {
        // APPLICATIONINSIGHTS_CONNECTION_STRING legitimately carries an instrumentation key at run time (it
        // is read from the component); the literal text of a key or a list*() call must never appear.
        string[] forbidden =
        [
            "AccountKey=", "SharedAccessKey", "SharedAccessSignature", "InstrumentationKey=", "APPINSIGHTS_INSTRUMENTATIONKEY",
            "listKeys(", "listKeys", "listAccountSas(", "listServiceSas(", "listSecrets(", "listConnectionStrings(",
        ];
        foreach (var text in forbidden)
        {
            Assert.DoesNotContain(text, infra.MainJson, StringComparison.OrdinalIgnoreCase);
        }
        foreach (var (name, setting) in Settings)
        {
            var value = CompiledInfra.Text(setting.Value);
            Assert.False(value.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase) && name != "APPLICATIONINSIGHTS_CONNECTION_STRING",
                $"{name} carries a connection string: {value}");
        }
    }

    /// <summary>How the site's module reads the identity's client id.</summary>
    private string IdentityClientId
    {
        get
        {
            var site = infra.Single("Microsoft.Web/sites");
            var assigned = ArmTemplate.Unwrap(Assert.Single(site.Node["identity"]!["userAssignedIdentities"]!.AsObject()).Key);
            // "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('identityName'))]"
            return $"[reference({assigned[1..^1]}, '{IdentityApiVersion}').clientId]";
        }
    }

    private string IdentityApiVersion => infra.Single("Microsoft.ManagedIdentity/userAssignedIdentities").Node["apiVersion"]!.GetValue<string>();
}
