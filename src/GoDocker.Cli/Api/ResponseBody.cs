namespace GoDocker.Cli.Api;

/// <summary>A response whose body is read as it arrives (logs, files). Disposing it closes the connection.</summary>
internal sealed class ResponseBody(HttpRequestMessage request, HttpResponseMessage response, Stream stream, Uri server) : IDisposable
{
    /// <summary>
    /// Copies the body to <paramref name="destination"/>, flushing after every chunk so a follower sees lines as they come.
    /// A dropped connection throws <see cref="ServerUnreachableException"/>; write errors on the destination propagate as they are.
    /// </summary>
    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, cancellationToken);
            }
            catch (IOException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ServerUnreachableException(server, "the connection dropped mid-stream", e);
            }
            if (read == 0)
            {
                return;
            }
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            await destination.FlushAsync(cancellationToken);
        }
    }

    public void Dispose()
    {
        stream.Dispose();
        response.Dispose();
        request.Dispose();
    }
}
