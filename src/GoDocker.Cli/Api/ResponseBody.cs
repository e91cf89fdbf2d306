using GoDocker.Cli.Api.Http;

namespace GoDocker.Cli.Api;

/// <summary>A successful response whose body is read as it arrives (logs, files). Disposing it closes the connection.</summary>
internal sealed class ResponseBody(HttpResponse response, Uri server) : IDisposable
{
    /// <summary>
    /// Copies the body to <paramref name="destination"/>, flushing after every read so a follower sees lines as they come.
    /// A dropped or cut-short connection throws <see cref="ServerUnreachableException"/>; write errors on the destination propagate as they are.
    /// </summary>
    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await response.Body.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (GoDockerClient.TransportFailure(e) is { } reason)
            {
                throw new ServerUnreachableException(server, reason, e);
            }
            if (read == 0)
            {
                return;
            }
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            await destination.FlushAsync(cancellationToken);
        }
    }

    /// <summary>A response header's value (names case-insensitive); null when absent.</summary>
    public string? Header(string name) => response.Head.Headers.TryGetValue(name, out var value) ? value : null;

    public void Dispose() => response.Dispose();
}
