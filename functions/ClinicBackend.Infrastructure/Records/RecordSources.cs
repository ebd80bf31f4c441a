using System.Net;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace ClinicBackend.Infrastructure.Records;

/// <summary>Where a restore reads an export from: a local file, or a blob of the records container, with its manifest beside it.</summary>
internal abstract class RecordSource
{
    public abstract string Name { get; }

    public string ManifestName => RecordNames.ManifestOf(Name);

    /// <summary>The manifest's text, or null when there is none.</summary>
    public abstract Task<string?> ReadManifestAsync(CancellationToken ct);

    /// <summary>The export's bytes; a second opening reads the same bytes as the first or fails.</summary>
    public abstract Task<Stream> OpenAsync(CancellationToken ct);

    /// <summary>A path to an existing file, else a blob name in the records container (a leading <c>records/</c> is the container's own name).</summary>
    public static RecordSource For(string from, BlobContainerClient container) =>
        File.Exists(from) ? new FileSource(from) : new BlobSource(container, from.StartsWith(RecordsOptions.DefaultContainerName + "/", StringComparison.Ordinal)
            ? from[(RecordsOptions.DefaultContainerName.Length + 1)..] : from);

    private sealed class FileSource(string path) : RecordSource
    {
        public override string Name => path;

        public override async Task<string?> ReadManifestAsync(CancellationToken ct) =>
            File.Exists(ManifestName) ? await File.ReadAllTextAsync(ManifestName, ct) : null;

        public override Task<Stream> OpenAsync(CancellationToken ct) =>
            Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true));
    }

    private sealed class BlobSource(BlobContainerClient container, string name) : RecordSource
    {
        private ETag? _read;

        public override string Name => name;

        public override async Task<string?> ReadManifestAsync(CancellationToken ct)
        {
            try
            {
                return (await container.GetBlobClient(ManifestName).DownloadContentAsync(ct)).Value.Content.ToString();
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
            {
                return null;
            }
        }

        public override async Task<Stream> OpenAsync(CancellationToken ct)
        {
            try
            {
                var download = await container.GetBlobClient(name).DownloadStreamingAsync(new BlobDownloadOptions
                {
                    Conditions = _read is { } etag ? new BlobRequestConditions { IfMatch = etag } : null,
                }, ct);
                _read ??= download.Value.Details.ETag;
                return download.Value.Content;
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
            {
                throw new FileNotFoundException($"Neither a file nor a blob of the records container is named {name}.", name, e);
            }
        }
    }
}
