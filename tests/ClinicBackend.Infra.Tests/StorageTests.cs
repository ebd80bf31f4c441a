using System.Text.Json.Nodes;
using ClinicBackend.Infra.Tests.Support;

namespace ClinicBackend.Infra.Tests;

[Collection(InfraCollection.Name)]
public sealed class StorageTests(InfraFixture fixture)
{
    private readonly CompiledInfra infra = fixture.Infra;

    private ArmResource Account => infra.Single("Microsoft.Storage/storageAccounts");

    private JsonObject BlobService => infra.Single("Microsoft.Storage/storageAccounts/blobServices").Properties;

    [Fact]
    public void Shared_key_access_is_disabled()
    {
        Assert.False(Account.Properties["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.True(Account.Properties["defaultToOAuthAuthentication"]?.GetValue<bool>() ?? false);
    }

    [Fact]
    public void Only_https_traffic_is_accepted()
    {
        Assert.True(Account.Properties["supportsHttpsTrafficOnly"]!.GetValue<bool>());
    }

    [Fact]
    public void Minimum_tls_version_is_1_2()
    {
        Assert.Equal("TLS1_2", Account.Properties["minimumTlsVersion"]!.GetValue<string>());
    }

    [Fact]
    public void Public_blob_access_is_disabled()
    {
        Assert.False(Account.Properties["allowBlobPublicAccess"]!.GetValue<bool>());
        Assert.All(infra.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
            c => Assert.Equal("None", c.Properties["publicAccess"]?.GetValue<string>() ?? "None"));
    }

    [Fact]
    public void Blob_soft_delete_is_enabled()
    {
        var policy = BlobService["deleteRetentionPolicy"]!;
        Assert.True(policy["enabled"]!.GetValue<bool>());
        Assert.True(infra.Single("Microsoft.Storage/storageAccounts/blobServices").Resolve(policy["days"])!.GetValue<int>() >= 1);
    }

    [Fact]
    public void Container_soft_delete_is_enabled()
    {
        var policy = BlobService["containerDeleteRetentionPolicy"]!;
        Assert.True(policy["enabled"]!.GetValue<bool>());
        Assert.True(infra.Single("Microsoft.Storage/storageAccounts/blobServices").Resolve(policy["days"])!.GetValue<int>() >= 1);
    }

    [Fact]
    public void The_deployment_container_and_the_table_service_exist()
    {
        Assert.Single(infra.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"));
        Assert.Single(infra.OfType("Microsoft.Storage/storageAccounts/tableServices"));
    }
}
