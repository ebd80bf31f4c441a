using System.Security.Cryptography;

namespace ClinicBackend.Infrastructure.Records;

/// <summary>
/// Passes bytes through to or from an inner stream, one direction only, and keeps their SHA-256 and count: the hash of
/// an export is taken while it streams, never over a copy held in memory.
/// </summary>
internal sealed class HashingStream(Stream inner, bool forReading) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long Length64 { get; private set; }

    /// <summary>The lower-case hex SHA-256 of every byte that passed; read it once, after the last byte.</summary>
    public string FinishHash() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public override bool CanRead => forReading;
    public override bool CanWrite => !forReading;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Length64; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Passed(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Passed(buffer.Span[..read]);
        return read;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Passed(buffer);
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Passed(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Passed(ReadOnlySpan<byte> bytes)
    {
        _hash.AppendData(bytes);
        Length64 += bytes.Length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
