using System.Globalization;

namespace GoDocker.Cli.Api.Http;

/// <summary>
/// A response body, read-only and async-only, ending where its <see cref="BodyFraming"/> says: after Content-Length bytes,
/// after the last chunk (chunked transfer coding, decoded here), or when the server closes.
/// A body cut short throws <see cref="MalformedReplyException"/>, so a truncated file is never taken for a whole one.
/// </summary>
internal sealed class ResponseBodyStream(BufferedReader reader, BodyFraming framing, IDisposable? connection = null) : Stream
{
    private long remaining = framing.Mode == BodyFraming.Kind.Length ? framing.ContentLength : 0;
    private bool finished = framing.Mode == BodyFraming.Kind.Length && framing.ContentLength == 0;

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (finished || destination.IsEmpty)
        {
            return 0;
        }
        switch (framing.Mode)
        {
            case BodyFraming.Kind.UntilClose:
            {
                var read = await reader.ReadAsync(destination, cancellationToken);
                finished = read == 0;
                return read;
            }
            case BodyFraming.Kind.Length:
                return await ReadCountedAsync(destination, cancellationToken);
            default:
                if (remaining == 0 && !await StartChunkAsync(cancellationToken))
                {
                    return 0;
                }
                var count = await ReadCountedAsync(destination, cancellationToken);
                if (remaining == 0 && await reader.ReadLineAsync(cancellationToken) is not "")
                {
                    throw new MalformedReplyException("a chunk is not followed by CRLF");
                }
                return count;
        }
    }

    private async ValueTask<int> ReadCountedAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var wanted = (int)Math.Min(destination.Length, remaining);
        var read = await reader.ReadAsync(destination[..wanted], cancellationToken);
        if (read == 0)
        {
            throw new MalformedReplyException($"the connection closed with {remaining} bytes of the body still to come");
        }
        remaining -= read;
        if (remaining == 0 && framing.Mode == BodyFraming.Kind.Length)
        {
            finished = true;
        }
        return read;
    }

    /// <summary>Reads a chunk-size line; false (and the trailer section consumed) at the last chunk.</summary>
    private async ValueTask<bool> StartChunkAsync(CancellationToken cancellationToken)
    {
        var line = await reader.ReadLineAsync(cancellationToken)
            ?? throw new MalformedReplyException("the connection closed before the last chunk");
        var size = line.Split(';')[0].Trim();
        if (!long.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out remaining) || remaining < 0)
        {
            throw new MalformedReplyException($"bad chunk size '{(line.Length > 40 ? line[..40] : line)}'");
        }
        if (remaining > 0)
        {
            return true;
        }
        while (await reader.ReadLineAsync(cancellationToken) is { Length: > 0 })
        {
            // Trailer fields: nothing here needs them.
        }
        finished = true;
        return false;
    }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        await ReadAsync(buffer.AsMemory(offset, count), cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("response bodies are read asynchronously");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            connection?.Dispose();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
