using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ClinicBackend.LocalHost;

/// <summary>
/// Azurite from the repository's npm lockfile: installed on first use (npm ci), started on free or fixed
/// ports with its data in a given folder, and stopped on dispose (or by the watchdog if this process dies).
/// Tables run in one node process and queues and blobs in another, as Azure Storage serves them apart: one
/// event loop serving all three made the dispatch wait on the queue's work (docs/benchmarks.md). Each process
/// also opens the services it does not serve, on free ports, unused. Stopping lets Azurite shut down as on
/// Ctrl+C, so it saves its data; started again on the same ports and folder, it serves that data.
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    /// <summary>Where the queues and blobs process keeps its data, inside the data folder (the tables keep theirs in the folder itself).</summary>
    public const string QueuesAndBlobsFolder = "queues-and-blobs";

    private readonly Node _tables;
    private readonly Node _queuesAndBlobs;

    private AzuriteProcess(Node tables, Node queuesAndBlobs, string dataFolder)
    {
        _tables = tables;
        _queuesAndBlobs = queuesAndBlobs;
        DataFolder = dataFolder;
    }

    public string DataFolder { get; }

    public int BlobPort => _queuesAndBlobs.Ports["Blob"];
    public int QueuePort => _queuesAndBlobs.Ports["Queue"];
    public int TablePort => _tables.Ports["Table"];

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

    /// <summary>
    /// Starts Azurite on these ports (0: a free one), e.g. again on the ports and data of one that was stopped. A start that
    /// fails is tried once more: the unused services take free ports, and one may have been handed a port the other
    /// process was about to take back.
    /// </summary>
    public static async Task<AzuriteProcess> StartAsync(string dataFolder, int blobPort, int queuePort, int tablePort, Action<string>? log = null, CancellationToken ct = default, bool inMemory = false)
    {
        var root = RepositoryRoot.Find();
        var azuriteJs = await EnsureInstalledAsync(root, log, ct);
        if (!inMemory)
        {
            MoveQueuesAndBlobsOfOneProcess(dataFolder, log);
        }
        for (var attempt = 1; ; attempt++)
        {
            var tables = Node.StartAsync(root, azuriteJs, dataFolder, (0, 0, tablePort), inMemory, ct);
            var queuesAndBlobs = Node.StartAsync(root, azuriteJs, Path.Combine(dataFolder, QueuesAndBlobsFolder), (blobPort, queuePort, 0), inMemory, ct);
            try
            {
                await Task.WhenAll(tables, queuesAndBlobs);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                foreach (var started in new[] { tables, queuesAndBlobs }.Where(t => t.IsCompletedSuccessfully))
                {
                    using var node = started.Result;
                    try
                    {
                        await node.StopAsync(TimeSpan.FromSeconds(10));
                    }
                    catch (Exception stopping) when (stopping is TimeoutException or InvalidOperationException or IOException)
                    {
                        // the start's failure is the one to report
                    }
                }
                if (attempt == 2)
                {
                    throw;
                }
                log?.Invoke($"Azurite did not start ({e.Message.Split('\n')[0]}); trying once more.");
                continue;
            }
            var azurite = new AzuriteProcess(await tables, await queuesAndBlobs, dataFolder);
            log?.Invoke($"Azurite listening: blob {azurite.BlobPort}, queue {azurite.QueuePort}, table {azurite.TablePort} (tables in one process, queues and blobs in another); "
                + (inMemory ? "data in memory" : $"data in {dataFolder}"));
            return azurite;
        }
    }

    /// <summary>
    /// A data folder from the time one process served all three keeps its queues and blobs beside the tables: they move
    /// into the queues and blobs process's folder the first time it is started, so a developer's messages and records stay.
    /// </summary>
    private static void MoveQueuesAndBlobsOfOneProcess(string dataFolder, Action<string>? log)
    {
        var target = Path.Combine(dataFolder, QueuesAndBlobsFolder);
        if (Directory.Exists(target))
        {
            return;
        }
        Directory.CreateDirectory(target);
        string[] files = ["__azurite_db_queue__.json", "__azurite_db_queue_extent__.json", "__azurite_db_blob__.json", "__azurite_db_blob_extent__.json"];
        string[] folders = ["__queuestorage__", "__blobstorage__"];
        var moved = 0;
        foreach (var file in files.Where(f => File.Exists(Path.Combine(dataFolder, f))))
        {
            File.Move(Path.Combine(dataFolder, file), Path.Combine(target, file));
            moved++;
        }
        foreach (var folder in folders.Where(f => Directory.Exists(Path.Combine(dataFolder, f))))
        {
            Directory.Move(Path.Combine(dataFolder, folder), Path.Combine(target, folder));
            moved++;
        }
        if (moved > 0)
        {
            log?.Invoke($"Moved the queues and blobs of {dataFolder} into {target}.");
        }
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

    /// <summary>
    /// Installs the pinned Azurite (and what it loads, such as LokiJS) with <c>npm ci</c> once; concurrent callers (test runs,
    /// hosts) wait for each other. Returns the path of Azurite's main script.
    /// </summary>
    public static async Task<string> EnsureInstalledAsync(string root, Action<string>? log = null, CancellationToken ct = default)
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
    /// last seconds). Once its services report closed, a process that lingers is killed (nothing is lost then);
    /// one that has not closed them after <paramref name="grace"/> (default 10 s) is killed too.
    /// </summary>
    public Task StopAsync(TimeSpan? grace = null) =>
        Task.WhenAll(_tables.StopAsync(grace ?? TimeSpan.FromSeconds(10)), _queuesAndBlobs.StopAsync(grace ?? TimeSpan.FromSeconds(10)));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _tables.Dispose();
            _queuesAndBlobs.Dispose();
        }
    }

    /// <summary>One Azurite node process under the watchdog, and the ports its three services listen on.</summary>
    private sealed class Node(Process process, Task closed, IReadOnlyDictionary<string, int> ports) : IDisposable
    {
        public IReadOnlyDictionary<string, int> Ports => ports;

        public static async Task<Node> StartAsync(string root, string azuriteJs, string location, (int Blob, int Queue, int Table) ports, bool inMemory, CancellationToken ct)
        {
            Directory.CreateDirectory(location);
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
                         Path.Combine(root, "functions", "ClinicBackend.LocalHost", "azurite-watchdog.mjs"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), azuriteJs,
                         "--blobPort", Port(ports.Blob), "--queuePort", Port(ports.Queue), "--tablePort", Port(ports.Table),
                         "--skipApiVersionCheck", "--disableTelemetry", "--silent", "--loose",
                     })
            {
                start.ArgumentList.Add(arg);
            }
            foreach (var arg in inMemory ? ["--inMemoryPersistence"] : new[] { "--location", location })
            {
                start.ArgumentList.Add(arg);
            }
            var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
            var found = new Dictionary<string, int>();
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var closedServices = new HashSet<string>();
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var output = new StringBuilder();
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
                        found[match.Groups[1].Value] = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
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
                process.Dispose();
                throw;
            }
            return new Node(process, closed.Task, found);
        }

        private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

        public async Task StopAsync(TimeSpan grace)
        {
            if (process.HasExited)
            {
                return;
            }
            try
            {
                process.StandardInput.Close(); // the watchdog sends Azurite SIGTERM
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                // already gone
            }
            var exited = process.WaitForExitAsync();
            try
            {
                await Task.WhenAny(exited, closed).WaitAsync(grace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // still closing: killed below
            }
            Kill(process);
            await exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        public void Dispose() => process.Dispose();

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
}
