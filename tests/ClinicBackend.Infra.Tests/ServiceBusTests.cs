using System.Xml;
using ClinicBackend.Infra.Tests.Support;

namespace ClinicBackend.Infra.Tests;

[Collection(InfraCollection.Name)]
public sealed class ServiceBusTests(InfraFixture fixture)
{
    private readonly CompiledInfra infra = fixture.Infra;

    private ArmResource Namespace => infra.Single("Microsoft.ServiceBus/namespaces");

    private ArmResource Outbox => infra.Named("Microsoft.ServiceBus/namespaces/queues", "sms-outbox");

    private ArmResource Events => infra.Named("Microsoft.ServiceBus/namespaces/topics", "clinic-events");

    [Fact]
    public void Local_sas_authentication_is_disabled()
    {
        Assert.True(Namespace.Properties["disableLocalAuth"]!.GetValue<bool>());
        Assert.DoesNotContain(infra.Resources, r => r.Type.EndsWith("/authorizationRules", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Namespace_is_standard_tier()
    {
        Assert.Equal("Standard", Namespace.Node["sku"]!["name"]!.GetValue<string>());
        Assert.Equal("Standard", Namespace.Node["sku"]!["tier"]?.GetValue<string>() ?? "Standard");
    }

    [Fact]
    public void Sms_outbox_has_duplicate_detection_covering_the_dispatcher_retries()
    {
        Assert.True(Outbox.Properties["requiresDuplicateDetection"]!.GetValue<bool>());
        var window = XmlConvert.ToTimeSpan(Outbox.Resolve(Outbox.Properties["duplicateDetectionHistoryTimeWindow"])!.GetValue<string>());
        Assert.True(window >= TimeSpan.FromDays(1), $"The window {window} must cover the dispatcher's ~24 h of retries.");
        Assert.True(window <= TimeSpan.FromDays(7), $"The window {window} exceeds the Standard tier's 7-day maximum.");
    }

    [Fact]
    public void Sms_outbox_sets_max_delivery_count()
    {
        var count = Outbox.Resolve(Outbox.Properties["maxDeliveryCount"])!.GetValue<int>();
        Assert.InRange(count, 1, 100);
    }

    [Fact]
    public void Sms_outbox_dead_letters_expired_messages()
    {
        Assert.True(Outbox.Properties["deadLetteringOnMessageExpiration"]!.GetValue<bool>());
    }

    [Fact]
    public void Clinic_events_topic_has_duplicate_detection_and_a_sample_subscription()
    {
        Assert.True(Events.Properties["requiresDuplicateDetection"]!.GetValue<bool>());
        var window = XmlConvert.ToTimeSpan(Events.Resolve(Events.Properties["duplicateDetectionHistoryTimeWindow"])!.GetValue<string>());
        Assert.InRange(window, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));
        var subscription = infra.Single("Microsoft.ServiceBus/namespaces/topics/subscriptions");
        var name = ArmTemplate.ParseCall(subscription.Name)!.Value;
        Assert.Equal("format", name.Function);
        Assert.Equal("clinic-events", subscription.Template.ResolveArgument(name.Arguments[^2]));
    }

    [Fact]
    public void Namespace_requires_tls_1_2()
    {
        Assert.Equal("1.2", Namespace.Properties["minimumTlsVersion"]!.GetValue<string>());
    }
}
