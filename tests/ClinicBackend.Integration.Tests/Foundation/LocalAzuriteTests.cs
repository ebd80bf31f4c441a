using System.Diagnostics;
using System.Globalization;
using Azure;
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
    public async Task The_tables_are_served_by_a_process_of_their_own_that_finds_rows_by_their_RowKey_index()
    {
        using var folder = new TempFolder();
        await using var azurite = await AzuriteProcess.StartAsync(folder.Path, defaultPorts: false);
        var processes = NodeProcessesServing(folder.Path);
        Assert.Equal(2, processes.Count);
        Assert.All(processes, commandLine => Assert.Matches(@"--require \S*/azurite-point-reads\.cjs ", commandLine));
    }

    [Fact]
    public async Task A_row_is_found_through_its_RowKey_index_not_by_comparing_every_row_of_its_partition()
    {
        // Two partitions of 1,001 rows, both with a row "clinic"; each row counts the reads of its RowKey.
        const string check = """
            const Loki = require(require.resolve('lokijs', { paths: [process.cwd()] }));
            const rows = new Loki('check.db').addCollection('t', { indices: ['PartitionKey', 'RowKey'] });
            for (const p of ['a', 'b']) {
              for (let i = 0; i < 1000; i++) rows.insert({ PartitionKey: p, RowKey: 'row' + i, value: p + i });
              rows.insert({ PartitionKey: p, RowKey: 'clinic', value: p + '-clinic' });
            }
            // Keys that are equal as numbers: "1", "01" and "1.0"; partitions "7" and "07".
            for (const [p, k] of [['b', '1'], ['b', '01'], ['b', '1.0'], ['7', 'x'], ['07', 'x']]) rows.insert({ PartitionKey: p, RowKey: k, value: p + ':' + k });
            const exact = [['b', '1'], ['b', '01'], ['b', '1.0'], ['07', 'x'], ['7', 'x']].map(([p, k]) => rows.findOne({ PartitionKey: p, RowKey: k }).value).join(',');
            let reads = 0;
            for (const doc of rows.data) {
              const rowKey = doc.RowKey;
              Object.defineProperty(doc, 'RowKey', { get() { reads++; return rowKey; }, enumerable: true });
            }
            const found = rows.findOne({ PartitionKey: 'b', RowKey: 'row700' });
            const shared = rows.findOne({ PartitionKey: 'b', RowKey: 'clinic' });
            const missing = rows.findOne({ PartitionKey: 'a', RowKey: 'none' });
            console.log([found.value, shared.value, missing, exact, reads].join(' '));
            """;
        var root = RepositoryRoot.Find();
        await AzuriteProcess.EnsureInstalledAsync(root); // a fresh clone has no node_modules before the first Azurite
        var node = new ProcessStartInfo("node") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--require", Path.Combine(root, "functions", "ClinicBackend.LocalHost", "azurite-point-reads.cjs"), "-e", check })
        {
            node.ArgumentList.Add(arg);
        }
        using var process = Process.Start(node)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, errors);
        var words = output.Trim().Split(' ');
        Assert.Equal(["b700", "b-clinic", "", "b:1,b:01,b:1.0,07:x,7:x"], words[..4]);
        // Binary searches of 2,007 keys read about a hundred keys; comparing every row of the partitions reads about 3,000.
        Assert.InRange(int.Parse(words[4], CultureInfo.InvariantCulture), 1, 3 * 64);
    }

    [Fact]
    public async Task Rows_with_one_RowKey_in_three_partitions_are_read_replaced_merged_refused_rolled_back_and_deleted_apart()
    {
        using var folder = new TempFolder();
        await using var azurite = await AzuriteProcess.StartAsync(folder.Path, defaultPorts: false);
        var table = Clients(azurite).Table;
        await table.CreateIfNotExistsAsync();
        foreach (var partition in new[] { "a", "b", "c" })
        {
            await table.AddEntityAsync(new TableEntity(partition, "admins") { ["Value"] = "other" });
            await table.AddEntityAsync(new TableEntity(partition, "clinic") { ["Value"] = partition });
        }

        var b = (await table.GetEntityAsync<TableEntity>("b", "clinic")).Value;
        Assert.Equal("b", b.GetString("Value"));
        b["Value"] = "b2";
        await table.UpdateEntityAsync(b, b.ETag, TableUpdateMode.Replace);
        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpdateEntityAsync(b, b.ETag, TableUpdateMode.Replace));
        Assert.Equal(412, stale.Status);
        var taken = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("c", "clinic")));
        Assert.Equal(409, taken.Status);
        await table.UpdateEntityAsync(new TableEntity("c", "clinic") { ["Merged"] = "yes" }, ETag.All, TableUpdateMode.Merge);
        // A transaction that fails on its second action (the row exists) leaves the first undone.
        await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("c", "clinic") { ["Value"] = "rolled back" }),
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("c", "admins")),
        ]));
        await table.DeleteEntityAsync("a", "clinic");

        var left = await table.QueryAsync<TableEntity>(e => e.RowKey == "clinic").ToListAsync();
        Assert.Equal(["b:b2:", "c:c:yes"], left.Select(e => $"{e.PartitionKey}:{e.GetString("Value")}:{e.GetString("Merged")}").Order());
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("a", "clinic")).HasValue);
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

    /// <summary>The command lines of the Azurite node processes (not their watchdogs) started for <paramref name="folder"/>.</summary>
    private static List<string> NodeProcessesServing(string folder) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => (Pid: int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0, CommandLine: ReadCommandLine(d)))
            .Where(p => p.Pid > 0 && p.CommandLine.Contains("azurite.js", StringComparison.Ordinal)
                && !p.CommandLine.Contains("azurite-watchdog.mjs", StringComparison.Ordinal)
                && p.CommandLine.Contains(folder, StringComparison.Ordinal))
            .Select(p => p.CommandLine)
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
