namespace ClinicBackend.Integration.Tests.Support;

/// <summary>
/// A test class whose every test gets its own app and a clinic with an admin and a staff member.
/// Override the start time, settings or clinic options; <see cref="SetUpAsync"/> runs after them.
/// </summary>
public abstract class ClinicAppTest : IAsyncLifetime
{
    protected TestApp App { get; private set; } = null!;
    protected Scenario Clinic { get; private set; } = null!;

    /// <summary>Where the app's clock starts.</summary>
    protected virtual DateTimeOffset StartTime => TestApp.Monday;

    /// <summary>Settings over the test app's defaults.</summary>
    protected virtual IDictionary<string, string?>? Settings => null;

    protected virtual ClinicOptions ClinicOptions => new();

    public virtual async Task InitializeAsync()
    {
        App = await TestApp.StartAsync(StartTime, Settings);
        Clinic = await Scenario.CreateAsync(App, ClinicOptions);
        await SetUpAsync();
    }

    protected virtual Task SetUpAsync() => Task.CompletedTask;

    /// <summary>Another clinic, with its own admin and staff, in the same app.</summary>
    protected Task<Scenario> AddClinicAsync(ClinicOptions? options = null) => Scenario.CreateAsync(App, options);

    public virtual async Task DisposeAsync() => await App.DisposeAsync();
}
