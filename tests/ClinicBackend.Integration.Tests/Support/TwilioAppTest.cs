namespace ClinicBackend.Integration.Tests.Support;

/// <summary>A test class with its own app, Twilio stand-in and clinic, the clock at Monday 2026-11-30 10:00 in New York.</summary>
public abstract class TwilioAppTest : IAsyncLifetime
{
    public static readonly DateTimeOffset Monday = new(2026, 11, 30, 15, 0, 0, TimeSpan.Zero);

    protected TwilioStandIn Twilio { get; private set; } = null!;
    protected TestApp App { get; private set; } = null!;
    protected Scenario Clinic { get; private set; } = null!;

    /// <summary>The clinic's SMS number; null for a generated one.</summary>
    protected virtual string? SmsFrom => null;

    public async Task InitializeAsync()
    {
        Twilio = await TwilioStandIn.StartAsync();
        App = await TestApp.StartAsync(Monday, Twilio.Settings());
        Clinic = await Scenario.CreateAsync(App, smsFrom: SmsFrom);
        await SetUpAsync();
    }

    protected virtual Task SetUpAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Twilio.DisposeAsync();
    }
}
