using ClinicBackend.Infra.Tests.Support;

namespace ClinicBackend.Infra.Tests;

[Collection(InfraCollection.Name)]
public sealed class StorageTests(InfraFixture fixture)
{
    private readonly CompiledInfra infra = fixture.Infra;

    /// <summary>Both accounts: the clinic tables and host storage (module 'storage'), and the records (module 'records').</summary>
    private IReadOnlyList<ArmResource> Accounts => infra.OfType("Microsoft.Storage/storageAccounts").ToList();

    private ArmResource InModule(string type, string module) =>
        Assert.Single(infra.OfType(type), r => r.Template.DeploymentName == module);

    private IReadOnlyList<ArmResource> BlobServices => infra.OfType("Microsoft.Storage/storageAccounts/blobServices").ToList();

    private ArmResource RecordsContainer => InModule("Microsoft.Storage/storageAccounts/blobServices/containers", "records");

    [Fact]
    public void There_are_two_accounts_the_clinic_tables_and_the_records()
    {
        Assert.Equal(["records", "storage"], Accounts.Select(a => a.Template.DeploymentName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Shared_key_access_is_disabled()
    {
        Assert.All(Accounts, account =>
        {
            Assert.False(account.Properties["allowSharedKeyAccess"]!.GetValue<bool>());
            Assert.True(account.Properties["defaultToOAuthAuthentication"]?.GetValue<bool>() ?? false);
        });
    }

    [Fact]
    public void Only_https_traffic_is_accepted()
    {
        Assert.All(Accounts, account => Assert.True(account.Properties["supportsHttpsTrafficOnly"]!.GetValue<bool>()));
    }

    [Fact]
    public void Minimum_tls_version_is_1_2()
    {
        Assert.All(Accounts, account => Assert.Equal("TLS1_2", account.Properties["minimumTlsVersion"]!.GetValue<string>()));
    }

    [Fact]
    public void Public_blob_access_is_disabled()
    {
        Assert.All(Accounts, account => Assert.False(account.Properties["allowBlobPublicAccess"]!.GetValue<bool>()));
        Assert.All(infra.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
            c => Assert.Equal("None", c.Properties["publicAccess"]?.GetValue<string>() ?? "None"));
    }

    [Theory]
    [InlineData("deleteRetentionPolicy")]
    [InlineData("containerDeleteRetentionPolicy")]
    public void Blob_and_container_soft_delete_are_enabled_in_both_accounts(string policyName)
    {
        Assert.Equal(2, BlobServices.Count);
        Assert.All(BlobServices, service =>
        {
            var policy = service.Properties[policyName]!;
            Assert.True(policy["enabled"]!.GetValue<bool>());
            Assert.True(service.Resolve(policy["days"])!.GetValue<int>() >= 7);
        });
    }

    [Fact]
    public void The_deployment_container_the_records_container_and_the_table_service_exist()
    {
        Assert.Equal(2, infra.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Count());
        Assert.Equal("records", RecordsContainer.LeafName);
        Assert.Single(infra.OfType("Microsoft.Storage/storageAccounts/tableServices"));
    }

    [Fact]
    public void Production_storage_is_geo_zone_redundant_and_only_the_dev_parameters_choose_lrs()
    {
        Assert.Equal("Standard_GZRS", infra.Main.Parameters["storageSkuName"]!["defaultValue"]!.GetValue<string>());
        Assert.All(Accounts, account => Assert.Equal("[parameters('storageSkuName')]",
            CompiledInfra.Text(account.Template.ResolveToRootParameter(account.Node["sku"]!["name"]!.DeepClone()))));
        var dev = infra.ParameterValues["main.dev.parameters.json"]["parameters"]!["storageSkuName"]!["value"]!.GetValue<string>();
        Assert.Equal("Standard_LRS", dev);
    }

    [Fact]
    public void The_records_account_keeps_blob_versions()
    {
        var service = InModule("Microsoft.Storage/storageAccounts/blobServices", "records");
        Assert.True(service.Properties["isVersioningEnabled"]!.GetValue<bool>());
        // The host's account is left without versioning: its timer blobs are rewritten every minute.
        Assert.Null(InModule("Microsoft.Storage/storageAccounts/blobServices", "storage").Properties["isVersioningEnabled"]);
    }

    [Fact]
    public void The_records_container_has_version_level_immutability_with_a_time_based_default_policy_of_a_parameter_defaulting_to_2190_days()
    {
        Assert.True(RecordsContainer.Properties["immutableStorageWithVersioning"]!["enabled"]!.GetValue<bool>());
        var policy = Assert.Single(infra.OfType("Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies"));
        Assert.Equal("records", policy.Template.DeploymentName);
        Assert.EndsWith("'default')]", policy.Name, StringComparison.Ordinal);
        Assert.Contains(ArmTemplate.ExpressionBody(RecordsContainer.Name).Split(", ")[^1].TrimEnd(')'), policy.Name, StringComparison.Ordinal);
        Assert.False(policy.Properties["allowProtectedAppendWrites"]!.GetValue<bool>());
        Assert.Equal("[parameters('recordsImmutabilityDays')]",
            CompiledInfra.Text(policy.Template.ResolveToRootParameter(policy.Properties["immutabilityPeriodSinceCreationInDays"]!.DeepClone())));
        Assert.Equal(2190, infra.Main.Parameters["recordsImmutabilityDays"]!["defaultValue"]!.GetValue<int>());
    }
}
