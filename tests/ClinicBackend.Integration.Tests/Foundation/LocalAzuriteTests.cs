using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Queues;
using ClinicBackend.LocalHost;

namespace ClinicBackend.Integration.Tests.Foundation;

/// <summary>The Azurite the local host, the tests and the benchmarks start: tables apart from queues and blobs, data kept across a restart.</summary>
public sealed class LocalAzuriteTests
{
    [Fact]
    public async Task Tables_queues_and_blobs_keep_their_data_across_a_stop_and_a_start_on_the_same_folder_and_ports()
    {
        using var folder = new TempFolder();
        var again = await RestartAsync(folder.Path, arrange: null);
        await using (again)
        {
            Assert.Equal("kept", (await Clients(again).Table.GetEntityAsync<TableEntity>("p", "r")).Value.GetString("Value"));
            await AssertQueueAndBlobKeptAsync(again);
        }
    }

    [Fact]
    public async Task A_folder_from_when_one_process_served_all_three_keeps_its_queue_messages_and_blobs()
    {
        using var folder = new TempFolder();
        // The layout before: the queues' and blobs' files beside the tables' database.
        var again = await RestartAsync(folder.Path, arrange: () =>
        {
            var own = Path.Combine(folder.Path, AzuriteProcess.QueuesAndBlobsFolder);
            foreach (var entry in Directory.EnumerateFileSystemEntries(own))
            {
                var beside = Path.Combine(folder.Path, Path.GetFileName(entry));
                if (File.Exists(beside))
                {
                    File.Delete(beside);
                }
                else if (Directory.Exists(beside))
                {
                    Directory.Delete(beside, recursive: true);
                }
                Directory.Move(entry, beside);
            }
            Directory.Delete(own);
        });
        await using (again)
        {
            await AssertQueueAndBlobKeptAsync(again);
        }
    }

    [Fact]
    public async Task The_tables_are_served_by_a_process_of_their_own()
    {
        using var folder = new TempFolder();
        await using var azurite = await AzuriteProcess.StartAsync(folder.Path, defaultPorts: false);
        Assert.Equal(2, NodeProcessesServing(folder.Path).Count);
    }

    /// <summary>Starts Azurite in <paramref name="folder"/>, writes a row, a message and a blob, stops it, runs <paramref name="arrange"/>, and starts it again on the same ports.</summary>
    private static async Task<AzuriteProcess> RestartAsync(string folder, Action? arrange)
    {
        var first = await AzuriteProcess.StartAsync(folder, defaultPorts: false);
        var (blobPort, queuePort, tablePort) = (first.BlobPort, first.QueuePort, first.TablePort);
        await using (first)
        {
            var (table, queue, blob) = Clients(first);
            await table.CreateIfNotExistsAsync();
            await table.AddEntityAsync(new TableEntity("p", "r") { ["Value"] = "kept" });
            await queue.CreateIfNotExistsAsync();
            await queue.SendMessageAsync("kept");
            await blob.GetParentBlobContainerClient().CreateIfNotExistsAsync();
            await blob.UploadAsync(BinaryData.FromString("kept"));
        }
        arrange?.Invoke();
        return await AzuriteProcess.StartAsync(folder, blobPort, queuePort, tablePort);
    }

    private static async Task AssertQueueAndBlobKeptAsync(AzuriteProcess azurite)
    {
        var (_, queue, blob) = Clients(azurite);
        Assert.Equal("kept", (await queue.ReceiveMessageAsync()).Value.MessageText);
        Assert.Equal("kept", (await blob.DownloadContentAsync()).Value.Content.ToString());
    }

    /// <summary>A new folder under the temp path, deleted afterwards.</summary>
    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "clinic-azurite-layout-" + Guid.NewGuid().ToString("N"));

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    private static (TableClient Table, QueueClient Queue, BlobClient Blob) Clients(AzuriteProcess azurite) =>
        (new TableClient(azurite.ConnectionString, "layout"),
         new QueueClient(azurite.ConnectionString, "layout"),
         new BlobContainerClient(azurite.ConnectionString, "layout").GetBlobClient("kept.txt"));

    /// <summary>The Azurite node processes (not their watchdogs) started for <paramref name="folder"/>.</summary>
    private static List<int> NodeProcessesServing(string folder) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => (Pid: int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0, CommandLine: ReadCommandLine(d)))
            .Where(p => p.Pid > 0 && p.CommandLine.Contains("azurite.js", StringComparison.Ordinal)
                && !p.CommandLine.Contains("azurite-watchdog.mjs", StringComparison.Ordinal)
                && p.CommandLine.Contains(folder, StringComparison.Ordinal))
            .Select(p => p.Pid)
            .ToList();

    private static string ReadCommandLine(string procFolder)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procFolder, "cmdline")).Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
