namespace ClinicBackend.Integration.Tests.Support;

/// <summary>
/// A test class whose every test gets its own app and a clinic with an admin and a staff member.
/// Override <see cref="StartTime"/>, <see cref="Settings"/> or <see cref="ClinicOptions"/> (or <see cref="StartAppAsync"/> to start
/// more beside the app); <see cref="SetUpAsync"/> runs once the clinic exists.
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

    public async Task InitializeAsync()
    {
        App = await StartAppAsync();
        Clinic = await Scenario.CreateAsync(App, ClinicOptions);
        await SetUpAsync();
    }

    protected virtual Task<TestApp> StartAppAsync() => TestApp.StartAsync(StartTime, Settings, ConfigureServices);

    /// <summary>Replaces or adds services of the app (a log capture, a store wrapper).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    protected virtual Task SetUpAsync() => Task.CompletedTask;

    /// <summary>Another clinic, with its own admin and staff, in the same app.</summary>
    protected Task<Scenario> AddClinicAsync(ClinicOptions? options = null) => Scenario.CreateAsync(App, options);

    public virtual async Task DisposeAsync() => await App.DisposeAsync();
}
