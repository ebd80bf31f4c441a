using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Records;
using NodaTime;

namespace ClinicBackend.Infrastructure.Records;

/// <summary>
/// <see cref="IRecordArchive"/> on a blob container: a clinic's partition is read page by page and written as it is
/// read, each row a JSON line, through gzip into the blob's upload stream, the SHA-256 taken on the way; so a large
/// partition is never held in memory. The manifest is written last, and only where none is: it marks the file
/// complete. A file without a manifest (a run that died) is written again; with blob versioning on, the earlier
/// upload stays as a previous version.
/// </summary>
public sealed class BlobRecordArchive(TableClient table, BlobContainerClient container, TimeProvider time, bool createContainer) : IRecordArchive
{
    private static readonly byte[] Newline = "\n"u8.ToArray();
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private volatile bool _created = !createContainer;

    public async Task<RecordManifest?> FindAsync(string clinicId, LocalDate day, CancellationToken ct)
    {
        await EnsureContainerAsync(ct);
        return await ReadManifestAsync(container.GetBlobClient(RecordNames.ManifestOf(RecordNames.Data(clinicId, day))), ct);
    }

    public async Task<RecordManifest> ExportAsync(RecordScope scope, LocalDate day, CancellationToken ct)
    {
        await EnsureContainerAsync(ct);
        var name = RecordNames.Data(scope.ClinicId, day);
        var manifestBlob = container.GetBlobClient(RecordNames.ManifestOf(name));
        if (await ReadManifestAsync(manifestBlob, ct) is { } existing)
        {
            return existing;
        }
        var startedAt = Instant.FromDateTimeOffset(time.GetUtcNow());
        var (rows, directoryRows, sha256, bytes) = await WriteRowsAsync(scope, container.GetBlockBlobClient(name), ct);
        var manifest = new RecordManifest
        {
            SchemaVersion = RecordManifest.CurrentSchemaVersion,
            ClinicId = scope.ClinicId,
            File = name,
            RowCount = rows,
            DirectoryRowCount = directoryRows,
            Sha256 = sha256,
            Bytes = bytes,
            StartedAt = startedAt,
            FinishedAt = Instant.FromDateTimeOffset(time.GetUtcNow()),
        };
        try
        {
            await manifestBlob.UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(manifest, DocumentJson.Options)), new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, ct);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            // Another run finished the day's export first: its manifest stands.
            return await ReadManifestAsync(manifestBlob, ct) ?? throw new InvalidOperationException($"The manifest of {name} exists and cannot be read.", e);
        }
        return manifest;
    }

    private async Task<(long Rows, long DirectoryRows, string Sha256, long Bytes)> WriteRowsAsync(RecordScope scope, BlockBlobClient blob, CancellationToken ct)
    {
        long rows = 0, directoryRows = 0;
        var upload = await blob.OpenWriteAsync(overwrite: true, new BlockBlobOpenWriteOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/gzip" },
        }, ct);
        await using (upload)
        {
            using var hashing = new HashingStream(upload, forReading: false);
            await using (var gzip = new GZipStream(hashing, CompressionLevel.Optimal, leaveOpen: true))
            {
                await using var json = new Utf8JsonWriter(gzip);
                async Task WriteAsync(TableEntity entity)
                {
                    RowLines.Write(json, entity);
                    await json.FlushAsync(ct);
                    json.Reset();
                    await gzip.WriteAsync(Newline, ct);
                    rows++;
                }
                var partition = TableClient.CreateQueryFilter($"PartitionKey eq {scope.ClinicId}");
                await foreach (var entity in table.QueryAsync<TableEntity>(partition, maxPerPage: 1000, cancellationToken: ct))
                {
                    await WriteAsync(entity);
                }
                foreach (var key in scope.DirectoryKeys)
                {
                    var row = await table.GetEntityIfExistsAsync<TableEntity>(Keys.Directory, key, cancellationToken: ct);
                    if (row.HasValue)
                    {
                        await WriteAsync(row.Value!);
                        directoryRows++;
                    }
                }
            }
            await hashing.FlushAsync(ct);
            return (rows, directoryRows, hashing.FinishHash(), hashing.Length64);
        }
    }

    internal static async Task<RecordManifest?> ReadManifestAsync(BlobClient blob, CancellationToken ct)
    {
        try
        {
            var content = (await blob.DownloadContentAsync(ct)).Value.Content;
            return JsonSerializer.Deserialize<RecordManifest>(content.ToMemory().Span, DocumentJson.Options);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task EnsureContainerAsync(CancellationToken ct)
    {
        if (_created)
        {
            return;
        }
        await _createLock.WaitAsync(ct);
        try
        {
            if (!_created)
            {
                await container.CreateIfNotExistsAsync(cancellationToken: ct);
                _created = true;
            }
        }
        finally
        {
            _createLock.Release();
        }
    }
}
