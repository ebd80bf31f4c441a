using System.Text.RegularExpressions;
using ClinicBackend.Infra.Tests.Support;

namespace ClinicBackend.Infra.Tests;

/// <summary>Least-privilege role assignments for the app's user-assigned identity.</summary>
[Collection(InfraCollection.Name)]
public sealed partial class RoleAssignmentTests(InfraFixture fixture)
{
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string ServiceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    private const string ServiceBusDataReceiver = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private readonly CompiledInfra infra = fixture.Infra;

    private IReadOnlyList<ArmResource> Assignments => infra.OfType("Microsoft.Authorization/roleAssignments").ToList();

    private string RoleOf(ArmResource assignment)
    {
        var definition = CompiledInfra.Text(assignment.Resolve(assignment.Properties["roleDefinitionId"]));
        var match = RoleDefinition().Match(definition);
        Assert.True(match.Success, $"{assignment}: role definition '{definition}' is not a built-in role id.");
        return match.Groups[1].Value;
    }

    private (string Type, string? Name) ScopeOf(ArmResource assignment)
    {
        var target = assignment.ResourceIdTarget(assignment.Scope);
        Assert.True(target is not null, $"{assignment} has no resource scope ('{assignment.Scope}'): never the resource group or subscription.");
        return target!.Value;
    }

    [Fact]
    public void Every_assignment_is_named_guid_of_scope_principal_and_role()
    {
        Assert.NotEmpty(Assignments);
        foreach (var assignment in Assignments)
        {
            var call = ArmTemplate.ParseCall(assignment.Name);
            Assert.True(call is ("guid", { Count: 3 }), $"{assignment}: the name must be guid(scope, principalId, roleDefinitionId).");
            var args = call!.Value.Arguments;
            Assert.Equal(ArmTemplate.ExpressionBody(assignment.Scope!), args[0]);
            Assert.Equal(ArmTemplate.ExpressionBody(CompiledInfra.Text(assignment.Properties["principalId"])), args[1]);
            Assert.Equal(ArmTemplate.ExpressionBody(CompiledInfra.Text(assignment.Properties["roleDefinitionId"])), args[2]);
        }
    }

    [Fact]
    public void Every_assignment_is_for_the_app_identity_as_a_service_principal()
    {
        foreach (var assignment in Assignments)
        {
            Assert.Equal("ServicePrincipal", assignment.Properties["principalType"]?.GetValue<string>());
            var principal = CompiledInfra.Text(assignment.Resolve(assignment.Properties["principalId"]));
            Assert.Contains("'identity'", principal, StringComparison.Ordinal);
            Assert.EndsWith(".outputs.principalId.value]", principal, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_role_is_one_of_the_expected_least_privilege_roles()
    {
        string[] allowed =
        [
            TableDataContributor, BlobDataOwner, BlobDataContributor, QueueDataContributor, ServiceBusDataSender, ServiceBusDataReceiver,
            KeyVaultSecretsUser, MonitoringMetricsPublisher,
        ];
        Assert.All(Assignments, a => Assert.Contains(RoleOf(a), allowed));
    }

    [Fact]
    public void The_assignments_are_exactly_the_expected_roles_on_the_expected_scopes()
    {
        var actual = Assignments.Select(a => (ScopeOf(a).Type, ScopeOf(a).Name, RoleOf(a)))
            .Select(t => $"{t.Type}/{t.Name}: {t.Item3}")
            .Order(StringComparer.Ordinal)
            .ToList();
        var expected = new[]
        {
            $"Microsoft.Storage/storageAccounts/{StorageName}: {TableDataContributor}",
            $"Microsoft.Storage/storageAccounts/{StorageName}: {BlobDataOwner}",
            $"Microsoft.Storage/storageAccounts/{StorageName}: {QueueDataContributor}",
            $"Microsoft.Storage/storageAccounts/blobServices/containers/records: {BlobDataContributor}",
            $"Microsoft.ServiceBus/namespaces/queues/sms-outbox: {ServiceBusDataSender}",
            $"Microsoft.ServiceBus/namespaces/queues/sms-outbox: {ServiceBusDataReceiver}",
            $"Microsoft.ServiceBus/namespaces/topics/clinic-events: {ServiceBusDataSender}",
            $"Microsoft.KeyVault/vaults/{VaultName}: {KeyVaultSecretsUser}",
            $"Microsoft.Insights/components/{AppInsightsName}: {MonitoringMetricsPublisher}",
        }.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void The_app_writes_records_only_to_the_records_container_and_holds_no_owner_role_on_the_records_account()
    {
        var records = Assignments.Where(a => ScopeOf(a).Type.StartsWith("Microsoft.Storage/storageAccounts/blobServices", StringComparison.Ordinal)).ToList();
        var assignment = Assert.Single(records);
        Assert.Equal(("Microsoft.Storage/storageAccounts/blobServices/containers", "records"), ScopeOf(assignment));
        // Data Contributor writes blobs but, unlike Data Owner, cannot take an immutability policy off a version.
        Assert.Equal(BlobDataContributor, RoleOf(assignment));
        Assert.Contains("recordsAccountName", assignment.Scope, StringComparison.Ordinal);
    }

    [Fact]
    public void Service_bus_data_roles_are_scoped_to_the_queue_and_topic_not_the_namespace()
    {
        var serviceBusRoles = Assignments.Where(a => RoleOf(a) is ServiceBusDataSender or ServiceBusDataReceiver).ToList();
        Assert.Equal(3, serviceBusRoles.Count);
        foreach (var assignment in serviceBusRoles)
        {
            var scope = ScopeOf(assignment);
            Assert.True(scope.Type is "Microsoft.ServiceBus/namespaces/queues" or "Microsoft.ServiceBus/namespaces/topics",
                $"{assignment} is scoped to {scope.Type}.");
            Assert.NotEqual("Microsoft.ServiceBus/namespaces", scope.Type);
        }
        Assert.Contains(serviceBusRoles, a => ScopeOf(a) == ("Microsoft.ServiceBus/namespaces/queues", "sms-outbox") && RoleOf(a) == ServiceBusDataReceiver);
        Assert.DoesNotContain(serviceBusRoles, a => ScopeOf(a).Type == "Microsoft.ServiceBus/namespaces/topics" && RoleOf(a) == ServiceBusDataReceiver);
    }

    // Names resolved from main.bicep's variables: the role assignments' scopes must be the resources the
    // template creates (resolved to the same expression text).
    private string StorageName => Assert.Single(infra.OfType("Microsoft.Storage/storageAccounts"), a => a.Template.DeploymentName == "storage").LeafName!;

    private string VaultName => Leaf("Microsoft.KeyVault/vaults");

    private string AppInsightsName => Leaf("Microsoft.Insights/components");

    private string Leaf(string type) => infra.Single(type).LeafName ?? throw new InvalidOperationException($"{type} has no resolvable name.");

    [GeneratedRegex(@"^\[subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', '([0-9a-f-]{36})'\)\]$")]
    private static partial Regex RoleDefinition();
}
