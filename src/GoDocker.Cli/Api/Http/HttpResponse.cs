namespace GoDocker.Cli.Api.Http;

/// <summary>A response whose head has arrived; the body is read from <see cref="Body"/>. Disposing closes the connection.</summary>
internal sealed class HttpResponse(HttpResponseHead head, Stream body) : IDisposable
{
    public HttpResponseHead Head { get; } = head;

    public Stream Body { get; } = body;

    /// <summary>The whole body, refusing more than <paramref name="maxBytes"/> (a JSON reply is never that large; a wrong server might be).</summary>
    public async Task<byte[]> ReadBodyAsync(int maxBytes, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (content.Length + read > maxBytes)
            {
                throw new MalformedReplyException($"the reply is larger than {maxBytes / (1024 * 1024)} MiB");
            }
            content.Write(buffer, 0, read);
        }
        return content.ToArray();
    }

    public void Dispose() => Body.Dispose();
}
