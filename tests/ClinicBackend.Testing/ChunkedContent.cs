using System.Net;

namespace ClinicBackend.Testing;

/// <summary>A body sent with Transfer-Encoding: chunked (no Content-Length), written in pieces of a given size.</summary>
public sealed class ChunkedContent : HttpContent
{
    private readonly byte[] _bytes;
    private readonly int _chunkSize;

    public ChunkedContent(byte[] bytes, string? contentType, int chunkSize = 4096)
    {
        _bytes = bytes;
        _chunkSize = chunkSize;
        if (contentType is not null)
        {
            Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (var offset = 0; offset < _bytes.Length; offset += _chunkSize)
        {
            await stream.WriteAsync(_bytes.AsMemory(offset, Math.Min(_chunkSize, _bytes.Length - offset)));
            await stream.FlushAsync();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
