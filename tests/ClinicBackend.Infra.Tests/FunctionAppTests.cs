using System.Text.Json.Nodes;
using ClinicBackend.Infra.Tests.Support;

namespace ClinicBackend.Infra.Tests;

[Collection(InfraCollection.Name)]
public sealed class FunctionAppTests(InfraFixture fixture)
{
    private readonly CompiledInfra infra = fixture.Infra;

    private ArmResource Site => infra.Single("Microsoft.Web/sites");

    private JsonObject SiteConfig => Site.Properties["siteConfig"]!.AsObject();

    private JsonObject FunctionAppConfig => Site.Properties["functionAppConfig"]!.AsObject();

    [Fact]
    public void Plan_is_flex_consumption()
    {
        var plan = infra.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", plan.Node["sku"]!["name"]!.GetValue<string>());
        Assert.Equal("FlexConsumption", plan.Node["sku"]!["tier"]!.GetValue<string>());
        Assert.True(plan.Properties["reserved"]!.GetValue<bool>(), "Flex Consumption runs on Linux.");
        Assert.Equal("functionapp,linux", Site.Node["kind"]!.GetValue<string>());
    }

    [Fact]
    public void App_is_https_only()
    {
        Assert.True(Site.Properties["httpsOnly"]!.GetValue<bool>());
    }

    [Fact]
    public void Ftps_is_disabled()
    {
        Assert.Equal("Disabled", SiteConfig["ftpsState"]!.GetValue<string>());
    }

    [Fact]
    public void Minimum_tls_version_is_1_2()
    {
        Assert.Equal("1.2", SiteConfig["minTlsVersion"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("ftp")]
    [InlineData("scm")]
    public void Basic_publishing_credentials_are_disabled(string policy)
    {
        var resource = infra.Named("Microsoft.Web/sites/basicPublishingCredentialsPolicies", policy);
        Assert.False(resource.Properties["allow"]!.GetValue<bool>());
    }

    [Fact]
    public void Runtime_is_dotnet_isolated_10_in_function_app_config()
    {
        var runtime = FunctionAppConfig["runtime"]!;
        Assert.Equal("dotnet-isolated", runtime["name"]!.GetValue<string>());
        Assert.Equal("10.0", runtime["version"]!.GetValue<string>());
        Assert.Null(SiteConfig["linuxFxVersion"]);
    }

    [Fact]
    public void Scale_and_instance_memory_are_set()
    {
        var scale = FunctionAppConfig["scaleAndConcurrency"]!;
        Assert.InRange(Site.Resolve(scale["maximumInstanceCount"])!.GetValue<int>(), 1, 1000);
        Assert.Contains(Site.Resolve(scale["instanceMemoryMB"])!.GetValue<int>(), new[] { 512, 2048, 4096 });
    }

    [Fact]
    public void Deployment_storage_is_the_blob_container_with_the_user_assigned_identity()
    {
        var storage = FunctionAppConfig["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", storage["type"]!.GetValue<string>());
        Assert.Contains("primaryEndpoints.blob", CompiledInfra.Text(storage["value"]), StringComparison.Ordinal);
        Assert.Equal("UserAssignedIdentity", storage["authentication"]!["type"]!.GetValue<string>());
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities",
            CompiledInfra.Text(storage["authentication"]!["userAssignedIdentityResourceId"]), StringComparison.Ordinal);
        Assert.Null(storage["authentication"]!["storageAccountConnectionStringName"]);
    }

    [Fact]
    public void App_runs_as_the_user_assigned_identity()
    {
        var identity = Site.Node["identity"]!;
        Assert.Equal("UserAssigned", identity["type"]!.GetValue<string>());
        var identities = identity["userAssignedIdentities"]!.AsObject();
        var key = Assert.Single(identities).Key;
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", key, StringComparison.Ordinal);
        Assert.Single(infra.OfType("Microsoft.ManagedIdentity/userAssignedIdentities"));
    }

    [Fact]
    public void Key_vault_references_resolve_with_the_user_assigned_identity()
    {
        var referenceIdentity = ArmTemplate.Unwrap(CompiledInfra.Text(Site.Properties["keyVaultReferenceIdentity"]));
        var assigned = ArmTemplate.Unwrap(Assert.Single(Site.Node["identity"]!["userAssignedIdentities"]!.AsObject()).Key);
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", referenceIdentity, StringComparison.Ordinal);
        Assert.Equal(assigned, referenceIdentity);
    }

    [Fact]
    public void The_app_waits_for_its_role_assignments()
    {
        // The Key Vault reference and the host storage only work once the identity holds its roles.
        var appDeployment = Site.Template.Deployment!;
        var rolesDeployment = infra.Resources.First(r => r.Type == "Microsoft.Authorization/roleAssignments").Template.DeploymentName;
        Assert.Contains(appDeployment["dependsOn"]!.AsArray(), d => CompiledInfra.Text(d).Contains($"'{rolesDeployment}'", StringComparison.Ordinal));
    }
}
