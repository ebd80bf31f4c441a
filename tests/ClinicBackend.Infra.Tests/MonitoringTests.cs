using ClinicBackend.Infra.Tests.Support;

namespace ClinicBackend.Infra.Tests;

[Collection(InfraCollection.Name)]
public sealed class MonitoringTests(InfraFixture fixture)
{
    private readonly CompiledInfra infra = fixture.Infra;

    [Fact]
    public void Application_insights_local_auth_is_disabled()
    {
        var component = infra.Single("Microsoft.Insights/components");
        Assert.True(component.Properties["DisableLocalAuth"]!.GetValue<bool>());
    }

    [Fact]
    public void Application_insights_is_backed_by_a_log_analytics_workspace()
    {
        var workspace = infra.Single("Microsoft.OperationalInsights/workspaces");
        Assert.Equal("PerGB2018", workspace.Properties["sku"]?["name"]?.GetValue<string>());
        var component = infra.Single("Microsoft.Insights/components");
        Assert.Contains("Microsoft.OperationalInsights/workspaces",
            CompiledInfra.Text(component.Properties["WorkspaceResourceId"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Microsoft.ServiceBus/namespaces")]
    [InlineData("Microsoft.KeyVault/vaults")]
    public void Diagnostic_settings_send_logs_and_metrics_to_the_workspace(string scopeType)
    {
        var settings = infra.OfType("Microsoft.Insights/diagnosticSettings")
            .Where(d => d.ResourceIdTarget(d.Scope)?.Type == scopeType)
            .ToList();
        var setting = Assert.Single(settings);

        // The workspace id is handed from the monitoring module's output.
        var workspace = CompiledInfra.Text(setting.Resolve(setting.Properties["workspaceId"]));
        Assert.Contains("outputs.workspaceId", workspace, StringComparison.Ordinal);
        var monitoring = infra.Resources.Single(r => r.Type == "Microsoft.OperationalInsights/workspaces").Template;
        Assert.Contains("Microsoft.OperationalInsights/workspaces", CompiledInfra.Text(monitoring.Outputs["workspaceId"]?["value"]), StringComparison.Ordinal);

        var logs = setting.Properties["logs"]!.AsArray();
        Assert.Contains(logs, l => l!["enabled"]!.GetValue<bool>()
            && (l["categoryGroup"]?.GetValue<string>() is "allLogs" or "audit" || l["category"] is not null));
        Assert.Contains(setting.Properties["metrics"]!.AsArray(), m => m!["enabled"]!.GetValue<bool>());
    }
}
