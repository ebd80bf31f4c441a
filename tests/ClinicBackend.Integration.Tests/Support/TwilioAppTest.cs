namespace ClinicBackend.Integration.Tests.Support;

/// <summary>A <see cref="ClinicAppTest"/> whose app sends texts to its own Twilio stand-in.</summary>
public abstract class TwilioAppTest : ClinicAppTest
{
    protected TwilioStandIn Twilio { get; private set; } = null!;

    protected override IDictionary<string, string?>? Settings => Twilio.Settings();

    public override async Task InitializeAsync()
    {
        Twilio = await TwilioStandIn.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Twilio.DisposeAsync();
    }
}
