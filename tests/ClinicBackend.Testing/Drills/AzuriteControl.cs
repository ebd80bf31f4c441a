using ClinicBackend.LocalHost;

namespace ClinicBackend.Testing.Drills;

/// <summary>
/// The drills' own Azurite (not the shared one other tests use), on a temporary folder, that can be stopped and
/// started again on the same ports and data. One at a time, started on first use and kept until
/// <see cref="ShutdownAsync"/> (or the process exits); a drill leases it alone, since it stops and restarts it.
/// </summary>
public sealed class AzuriteControl : IAsyncDisposable
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Task<AzuriteControl>? _instance;
    private AzuriteProcess _current;
    private int _stops;

    private AzuriteControl(AzuriteProcess current) => _current = current;

    public string ConnectionString => _current.ConnectionString;

    /// <summary>The drills' Azurite, running, for this drill alone until the lease is disposed.</summary>
    public static async Task<Lease> LeaseAsync()
    {
        await Gate.WaitAsync();
        try
        {
            _instance ??= StartAsync();
            var control = await _instance;
            if (Volatile.Read(ref control._stops) != 0)
            {
                await control.RestartAsync(); // a drill that failed left it stopped
            }
            return new Lease(control);
        }
        catch
        {
            _instance = _instance is { IsFaulted: true } ? null : _instance;
            Gate.Release();
            throw;
        }
    }

    /// <summary>Stops the drills' Azurite and deletes its data, if one was started.</summary>
    public static async Task ShutdownAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (Interlocked.Exchange(ref _instance, null) is { IsCompletedSuccessfully: true } started)
            {
                await (await started).DisposeAsync();
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    public sealed class Lease(AzuriteControl azurite) : IAsyncDisposable
    {
        public AzuriteControl Azurite => azurite;

        public ValueTask DisposeAsync()
        {
            Gate.Release();
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<AzuriteControl> StartAsync()
    {
        var control = new AzuriteControl(await AzuriteProcess.StartAsync(Path.Combine(Path.GetTempPath(), "clinic-drill-azurite-" + Guid.NewGuid().ToString("N")), defaultPorts: false));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => ShutdownAsync().Wait(TimeSpan.FromSeconds(15));
        return control;
    }

    /// <summary>How long the last stop and restart took.</summary>
    public (TimeSpan Stop, TimeSpan Restart) Timings { get; private set; }

    /// <summary>Stops it, once per start however many callers ask.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stops, 1) == 0)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await _current.StopAsync();
            Timings = (System.Diagnostics.Stopwatch.GetElapsedTime(started), default);
        }
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        _current = await AzuriteProcess.StartAsync(_current.DataFolder, _current.BlobPort, _current.QueuePort, _current.TablePort);
        Timings = Timings with { Restart = System.Diagnostics.Stopwatch.GetElapsedTime(started) };
        Interlocked.Exchange(ref _stops, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _current.DisposeAsync();
        try
        {
            Directory.Delete(_current.DataFolder, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
