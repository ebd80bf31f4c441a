namespace ClinicBackend.Integration.Tests.Support;

/// <summary>A <see cref="ClinicAppTest"/> whose app sends texts to its own Twilio stand-in.</summary>
public abstract class TwilioAppTest : ClinicAppTest
{
    protected TwilioStandIn Twilio { get; private set; } = null!;

    protected override IDictionary<string, string?>? Settings => Twilio.Settings();

    /// <summary>Starts the stand-in first, and has it date texts by the app's clock.</summary>
    protected override async Task<TestApp> StartAppAsync()
    {
        Twilio = await TwilioStandIn.StartAsync();
        var app = await base.StartAppAsync();
        Twilio.Clock = app.Clock;
        return app;
    }

    /// <summary>Texts the clinic's number as a patient (or a contact) would; answers the reply's text, or null for none.</summary>
    protected async Task<string?> TextAsync(string from, string body)
    {
        var reply = (await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", TwilioRequests.Inbound(from, Clinic.SmsFrom, body))).Expect(200);
        return System.Xml.Linq.XDocument.Parse(reply.Body).Root!.Element("Message")?.Value;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Twilio.DisposeAsync();
    }
}
