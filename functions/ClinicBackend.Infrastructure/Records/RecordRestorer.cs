using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Records;
using ClinicBackend.Domain.Common;

namespace ClinicBackend.Infrastructure.Records;

/// <summary>
/// <see cref="IRecordRestore"/> on the clinic table. First the whole file is read and checked against its manifest
/// (SHA-256, row count, every line a row of the clinic); then the target partition must be empty and the directory
/// rows free; only then is anything written: the partition's rows in entity-group transactions of up to 100 as the
/// file is read a second time, then the directory rows, so a clinic is found by the nightly runs and by inbound
/// texts only once its rows are back. Under a new id the documents' copies of the clinic id are rewritten and no
/// directory row is written: the copy takes neither the original's SMS number nor a place in the nightly runs.
/// </summary>
public sealed class RecordRestorer(TableClient table, BlobContainerClient container) : IRecordRestore
{
    /// <summary>Well under the 4 MiB of an entity-group transaction, counting the JSON of each row.</summary>
    private const long MaxTransactionBytes = 3 * 1024 * 1024;

    private static readonly string[] DirectoryPrefixes = [Keys.DirectoryClinicPrefix, Keys.SmsRoutePrefix, Keys.ServiceTrafficPrefix];

    public async Task<RestoreReport> RestoreAsync(RestoreRequest request, CancellationToken ct)
    {
        if (!Ids.IsClinicId(request.ClinicId))
        {
            throw Refused($"--clinic '{request.ClinicId}' is not a clinic id (3-40 of a-z, 0-9 and '-').");
        }
        if (request.ToClinicId is { } to && !Ids.IsClinicId(to))
        {
            throw Refused($"--to-clinic '{to}' is not a clinic id (3-40 of a-z, 0-9 and '-').");
        }
        var source = RecordSource.For(request.From, container);
        var manifest = ParseManifest(source, await source.ReadManifestAsync(ct));
        if (manifest.ClinicId != request.ClinicId)
        {
            throw Refused($"{source.Name} is an export of clinic {manifest.ClinicId}, not of {request.ClinicId}.");
        }
        var directory = await VerifyAsync(source, manifest, ct);

        var target = request.TargetClinicId;
        await table.CreateIfNotExistsAsync(ct);
        if (await HasRowsAsync(target, ct))
        {
            throw Refused($"Clinic {target} has rows, and a restore never writes over a clinic's rows. Restore into a new id with --to-clinic <id>, "
                + "or remove what is left of the clinic first.");
        }
        var (directoryWrites, alreadyThere) = request.IntoNewId ? ([], 0) : await PlanDirectoryAsync(directory, ct);

        var (rows, transactions) = await WritePartitionAsync(source, manifest, request, ct);
        foreach (var row in directoryWrites)
        {
            await table.AddEntityAsync(row, ct);
        }
        return new RestoreReport(manifest, target, rows, transactions, directoryWrites.Count, alreadyThere, request.IntoNewId ? directory.Count : 0);
    }

    private static RecordManifest ParseManifest(RecordSource source, string? text)
    {
        if (text is null)
        {
            throw Refused($"No manifest at {source.ManifestName}: give an export file ({{clinicId}}/{{yyyy-MM-dd}}{RecordNames.DataSuffix}, "
                + "a local path or a blob name in the records container) with its manifest beside it.");
        }
        RecordManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<RecordManifest>(text, DocumentJson.Options);
        }
        catch (JsonException e)
        {
            throw Refused($"The manifest {source.ManifestName} is not a manifest of an export ({e.Message}).");
        }
        if (manifest is null || manifest.SchemaVersion != RecordManifest.CurrentSchemaVersion)
        {
            throw Refused($"The manifest {source.ManifestName} has schema version {manifest?.SchemaVersion}; this restore reads version {RecordManifest.CurrentSchemaVersion}.");
        }
        return manifest;
    }

    /// <summary>Reads the whole file once: its hash, its rows and their partitions must be what the manifest says. Returns the directory rows.</summary>
    private static async Task<List<TableEntity>> VerifyAsync(RecordSource source, RecordManifest manifest, CancellationToken ct)
    {
        var directory = new List<TableEntity>();
        long rows = 0;
        string sha256;
        string? unreadable;
        try
        {
            await using var file = await source.OpenAsync(ct);
            (sha256, unreadable) = await ReadRowsAsync(file, row =>
            {
                rows++;
                if (row.PartitionKey == Keys.Directory)
                {
                    if (!DirectoryPrefixes.Any(p => row.RowKey.StartsWith(p, StringComparison.Ordinal)) || ClinicIdOf(row) != manifest.ClinicId)
                    {
                        throw new InvalidDataException($"directory row {row.RowKey} does not point at clinic {manifest.ClinicId}");
                    }
                    directory.Add(row);
                }
                else if (row.PartitionKey != manifest.ClinicId)
                {
                    throw new InvalidDataException($"line {rows} is a row of partition {row.PartitionKey}, not of clinic {manifest.ClinicId}");
                }
                return Task.CompletedTask;
            }, ct);
        }
        catch (FileNotFoundException e)
        {
            throw Refused(e.Message);
        }
        if (sha256 != manifest.Sha256)
        {
            throw Refused($"{source.Name} has SHA-256 {sha256}, its manifest says {manifest.Sha256}: the file is damaged or not the one the manifest describes"
                + (unreadable is null ? "." : $" (and it cannot be read: {unreadable})."));
        }
        if (unreadable is not null)
        {
            throw Refused($"{source.Name} matches its manifest's SHA-256 but cannot be read as an export: {unreadable}.");
        }
        if (rows != manifest.RowCount || directory.Count != manifest.DirectoryRowCount)
        {
            throw Refused($"{source.Name} holds {rows} rows ({directory.Count} of the directory), its manifest says {manifest.RowCount} ({manifest.DirectoryRowCount}).");
        }
        return directory;
    }

    /// <summary>
    /// Calls <paramref name="row"/> for each line of a gzipped export and returns the SHA-256 of all the file's bytes,
    /// with why it could not be read to the end (a damaged file, a line that is not a row), if it could not.
    /// </summary>
    private static async Task<(string Sha256, string? Unreadable)> ReadRowsAsync(Stream file, Func<TableEntity, Task> row, CancellationToken ct)
    {
        using var hashing = new HashingStream(file, forReading: true);
        string? unreadable = null;
        try
        {
            await using var gzip = new GZipStream(hashing, CompressionMode.Decompress, leaveOpen: true);
            using var lines = new StreamReader(gzip, System.Text.Encoding.UTF8);
            while (await lines.ReadLineAsync(ct) is { } line)
            {
                if (line.Length > 0)
                {
                    await row(RowLines.Read(line));
                }
            }
        }
        catch (InvalidDataException e)
        {
            unreadable = e.Message;
        }
        // The rest of the file (after a damaged block, or after the gzip stream) counts towards the hash too.
        await hashing.CopyToAsync(Stream.Null, ct);
        return (hashing.FinishHash(), unreadable);
    }

    private async Task<bool> HasRowsAsync(string partition, CancellationToken ct)
    {
        await foreach (var page in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), maxPerPage: 1, select: ["RowKey"], cancellationToken: ct).AsPages())
        {
            return page.Values.Count > 0 || page.ContinuationToken is not null;
        }
        return false;
    }

    /// <summary>The directory rows to insert; one there already with the same values is left; one that points elsewhere refuses the restore.</summary>
    private async Task<(List<TableEntity> Writes, long AlreadyThere)> PlanDirectoryAsync(IReadOnlyList<TableEntity> rows, CancellationToken ct)
    {
        var writes = new List<TableEntity>();
        long alreadyThere = 0;
        foreach (var row in rows)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: ct);
            if (!current.HasValue)
            {
                writes.Add(row);
            }
            else if (current.Value!.GetString("Data") == row.GetString("Data"))
            {
                alreadyThere++;
            }
            else
            {
                var what = row.RowKey.StartsWith(Keys.SmsRoutePrefix, StringComparison.Ordinal) ? "the route of the clinic's SMS number (smsFrom)"
                    : row.RowKey.StartsWith(Keys.ServiceTrafficPrefix, StringComparison.Ordinal) ? "a Messaging Service the clinic's texts came through"
                    : $"the directory row {row.RowKey}";
                throw Refused($"{char.ToUpperInvariant(what[0])}{what[1..]} now points at clinic {ClinicIdOf(current.Value) ?? "(unknown)"}: restoring would take it away. "
                    + "Restore into a new id with --to-clinic <id>, or give the number back first.");
            }
        }
        return (writes, alreadyThere);
    }

    private async Task<(long Rows, int Transactions)> WritePartitionAsync(RecordSource source, RecordManifest manifest, RestoreRequest request, CancellationToken ct)
    {
        var target = request.TargetClinicId;
        var batch = new List<TableTransactionAction>();
        long rows = 0, batchBytes = 0;
        var transactions = 0;
        async Task SubmitAsync()
        {
            if (batch.Count > 0)
            {
                await table.SubmitTransactionAsync(batch, ct);
                transactions++;
                rows += batch.Count;
                batch.Clear();
                batchBytes = 0;
            }
        }
        string sha256;
        string? unreadable;
        await using (var file = await source.OpenAsync(ct))
        {
            (sha256, unreadable) = await ReadRowsAsync(file, async row =>
            {
                if (row.PartitionKey != manifest.ClinicId)
                {
                    return;
                }
                var entity = request.IntoNewId ? Renamed(row, manifest.ClinicId, target) : row;
                var size = entity.Sum(p => p.Value is string s ? 2L * s.Length : 16) + 2L * entity.RowKey.Length;
                if (batch.Count == IDocumentStore.MaxChangesPerCommit || (batch.Count > 0 && batchBytes + size > MaxTransactionBytes))
                {
                    await SubmitAsync();
                }
                batch.Add(new TableTransactionAction(TableTransactionActionType.Add, entity));
                batchBytes += size;
            }, ct);
        }
        await SubmitAsync();
        if (sha256 != manifest.Sha256 || unreadable is not null)
        {
            throw new RestoreRefusedException($"{source.Name} changed while it was restored (SHA-256 {sha256}, checked {manifest.Sha256}): clinic {target} "
                + $"holds {rows} of its rows; restore the checked file into a new id.");
        }
        return (rows, transactions);
    }

    /// <summary>The row under the new clinic id, with every string value equal to the old id (clinicId fields, the clinic's own id) changed to the new one.</summary>
    private static TableEntity Renamed(TableEntity row, string from, string to)
    {
        var renamed = new TableEntity(to, row.RowKey);
        foreach (var (name, value) in row)
        {
            if (name is "PartitionKey" or "RowKey" or "odata.etag" or "Timestamp")
            {
                continue;
            }
            renamed[name] = value switch
            {
                string s when s == from => to,
                string s when name == "Data" && JsonNode.Parse(s) is { } document => Rename(document, from, to).ToJsonString(),
                _ => value,
            };
        }
        return renamed;
    }

    private static JsonNode Rename(JsonNode node, string from, string to)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    if (child is JsonValue v && v.TryGetValue<string>(out var s) && s == from)
                    {
                        obj[key] = to;
                    }
                    else if (child is not null)
                    {
                        Rename(child, from, to);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.TryGetValue<string>(out var s) && s == from)
                    {
                        array[i] = to;
                    }
                    else if (array[i] is { } child)
                    {
                        Rename(child, from, to);
                    }
                }
                break;
        }
        return node;
    }

    private static string? ClinicIdOf(TableEntity row)
    {
        try
        {
            return JsonNode.Parse(row.GetString("Data") ?? "null")?["clinicId"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static RestoreRefusedException Refused(string reason) => new($"{reason} Nothing was written.");
}
