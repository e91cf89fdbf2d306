using System.Text;

namespace GoDocker.Cli.Api.Http;

/// <summary>
/// Reads lines (the head, chunk sizes) and raw bytes (bodies) from one stream through one buffer,
/// so bytes read ahead while looking for a line end are not lost to the body.
/// </summary>
internal sealed class BufferedReader(Stream inner, int capacity = 16 * 1024)
{
    private readonly byte[] buffer = new byte[capacity];
    private int start;
    private int end;

    /// <summary>The next line without its CRLF (or bare LF), as Latin-1; null at a clean end of stream.</summary>
    /// <exception cref="MalformedReplyException">when a line is longer than the buffer or the stream ends inside one.</exception>
    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            if (newline >= 0)
            {
                var length = newline - start;
                if (length > 0 && buffer[newline - 1] == '\r')
                {
                    length--;
                }
                var line = Encoding.Latin1.GetString(buffer, start, length);
                start = newline + 1;
                return line;
            }
            if (start == 0 && end == buffer.Length)
            {
                throw new MalformedReplyException($"a header or chunk line is longer than {buffer.Length} bytes");
            }
            if (await FillAsync(cancellationToken) == 0)
            {
                return start == end ? null : throw new MalformedReplyException("the connection closed in the middle of a line");
            }
        }
    }

    /// <summary>Up to <paramref name="destination"/>.Length bytes: buffered ones first, else one read of the stream. 0 at end of stream.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (start == end)
        {
            // Large reads go straight to the caller's memory; small ones refill the buffer.
            if (destination.Length >= buffer.Length)
            {
                return await inner.ReadAsync(destination, cancellationToken);
            }
            if (await FillAsync(cancellationToken) == 0)
            {
                return 0;
            }
        }
        var count = Math.Min(destination.Length, end - start);
        buffer.AsMemory(start, count).CopyTo(destination);
        start += count;
        return count;
    }

    private async ValueTask<int> FillAsync(CancellationToken cancellationToken)
    {
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        var read = await inner.ReadAsync(buffer.AsMemory(end), cancellationToken);
        end += read;
        return read;
    }
}
