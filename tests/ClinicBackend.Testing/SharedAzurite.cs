using ClinicBackend.LocalHost;

namespace ClinicBackend.Testing;

/// <summary>
/// One Azurite for the whole test run: installed from the lockfile and started on free ports at first use,
/// its data in a temporary folder, stopped when the test process exits (and by its watchdog if it dies).
/// Tests isolate themselves with a unique table/queue name prefix each.
/// </summary>
public static class SharedAzurite
{
    private static readonly Lazy<Task<AzuriteProcess>> Instance = new(StartAsync);
    private static string? _dataFolder;

    public static Task<AzuriteProcess> GetAsync() => Instance.Value;

    private static async Task<AzuriteProcess> StartAsync()
    {
        _dataFolder = Path.Combine(Path.GetTempPath(), "clinic-azurite-" + Guid.NewGuid().ToString("N"));
        var azurite = await AzuriteProcess.StartAsync(_dataFolder, defaultPorts: false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            azurite.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
            try
            {
                Directory.Delete(_dataFolder, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        };
        return azurite;
    }
}
