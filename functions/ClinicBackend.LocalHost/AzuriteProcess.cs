using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ClinicBackend.LocalHost;

/// <summary>
/// Azurite from the repository's npm lockfile: installed on first use (npm ci), started on free or fixed
/// ports with its data in a given folder, and stopped on dispose (or by the watchdog if this process dies).
/// Stopping lets Azurite shut down as on Ctrl+C, so it saves its data; started again on the same ports and
/// folder, it serves that data.
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly Task _closed;

    private AzuriteProcess(Process process, Task closed, string dataFolder, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        _closed = closed;
        DataFolder = dataFolder;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public string DataFolder { get; }

    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service successfully closed")]
    private static partial Regex ClosedLine();

    /// <summary>
    /// Starts Azurite; <paramref name="defaultPorts"/> uses 10000-10002 (what UseDevelopmentStorage=true expects), else free ports.
    /// <paramref name="inMemory"/> keeps its data in memory only: Azurite otherwise writes its whole table database to disk
    /// every few seconds while rows change, which makes seeding hundreds of thousands of rows take very long.
    /// </summary>
    public static Task<AzuriteProcess> StartAsync(string dataFolder, bool defaultPorts, Action<string>? log = null, CancellationToken ct = default, bool inMemory = false) =>
        defaultPorts ? StartAsync(dataFolder, 10000, 10001, 10002, log, ct, inMemory) : StartAsync(dataFolder, 0, 0, 0, log, ct, inMemory);

    /// <summary>Starts Azurite on these ports (0: a free one), e.g. again on the ports and data of one that was stopped.</summary>
    public static async Task<AzuriteProcess> StartAsync(string dataFolder, int blobPort, int queuePort, int tablePort, Action<string>? log = null, CancellationToken ct = default, bool inMemory = false)
    {
        var root = RepositoryRoot.Find();
        var azuriteJs = await EnsureInstalledAsync(root, log, ct);
        Directory.CreateDirectory(dataFolder);
        var ports = new[] { blobPort, queuePort, tablePort }.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true, // closing it stops Azurite (see azurite-watchdog.mjs)
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (var arg in new[]
                 {
                     Path.Combine(root, "functions", "ClinicBackend.LocalHost", "azurite-watchdog.mjs"), Environment.ProcessId.ToString(), azuriteJs,
                     "--blobPort", ports[0], "--queuePort", ports[1], "--tablePort", ports[2],
                     "--skipApiVersionCheck", "--disableTelemetry", "--silent", "--loose",
                 })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var arg in inMemory ? ["--inMemoryPersistence"] : new[] { "--location", dataFolder })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        var found = new Dictionary<string, int>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var closedServices = new HashSet<string>();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (found)
            {
                output.AppendLine(line);
                var match = ListeningLine().Match(line);
                if (match.Success)
                {
                    found[match.Groups[1].Value] = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                    if (found.Count == 3)
                    {
                        ready.TrySetResult();
                    }
                }
                if (ClosedLine().Match(line) is { Success: true } closedLine && closedServices.Add(closedLine.Groups[1].Value) && closedServices.Count == 3)
                {
                    closed.TrySetResult();
                }
            }
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("Azurite exited during start-up:\n" + output));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await ready.Task.WaitAsync(timeout.Token);
        }
        catch
        {
            Kill(process);
            throw;
        }
        log?.Invoke($"Azurite listening: blob {found["Blob"]}, queue {found["Queue"]}, table {found["Table"]}; {(inMemory ? "data in memory" : $"data in {dataFolder}")}");
        return new AzuriteProcess(process, closed.Task, dataFolder, found["Blob"], found["Queue"], found["Table"]);
    }

    /// <summary>True when something accepts connections on the port (used to find a running Azurite).</summary>
    public static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Installs the pinned Azurite with <c>npm ci</c> once; concurrent callers (test runs, hosts) wait for each other.</summary>
    private static async Task<string> EnsureInstalledAsync(string root, Action<string>? log, CancellationToken ct)
    {
        var azuriteJs = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (File.Exists(azuriteJs))
        {
            return azuriteJs;
        }
        var lockPath = Path.Combine(Path.GetTempPath(), $"clinic-backend-npm-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root)))[..16]}.lock");
        await using var installLock = await AcquireFileLockAsync(lockPath, ct);
        if (File.Exists(azuriteJs))
        {
            return azuriteJs;
        }
        log?.Invoke("Installing Azurite from package-lock.json (npm ci)...");
        var npm = new ProcessStartInfo("npm", "ci --no-audit --no-fund --loglevel=error")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(npm) ?? throw new InvalidOperationException("npm could not be started.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0 || !File.Exists(azuriteJs))
        {
            throw new InvalidOperationException($"npm ci failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }
        return azuriteJs;
    }

    private static async Task<FileStream> AcquireFileLockAsync(string path, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(250, ct);
            }
        }
    }

    /// <summary>
    /// Stops Azurite the way Ctrl+C does: it closes its ports and saves its data (a kill loses the writes of the
    /// last seconds). Once its three services report closed, a process that lingers is killed (nothing is lost then);
    /// one that has not closed them after <paramref name="grace"/> (default 10 s) is killed too.
    /// </summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        try
        {
            _process.StandardInput.Close(); // the watchdog sends Azurite SIGTERM
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // already gone
        }
        var exited = _process.WaitForExitAsync();
        try
        {
            await Task.WhenAny(exited, _closed).WaitAsync(grace ?? TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // still closing: killed below
        }
        if (!_process.HasExited)
        {
            Kill(_process);
        }
        await exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await StopAsync().ConfigureAwait(false);
        }
        _process.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }
}
