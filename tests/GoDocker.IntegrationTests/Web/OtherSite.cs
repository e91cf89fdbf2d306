using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GoDocker.IntegrationTests.Web;

/// <summary>
/// A tiny web site on another loopback port: another origin, as a page an attacker gets the operator to open would be.
/// It serves one HTML page on every GET (favicon: 204) and closes each connection after one answer.
/// </summary>
public sealed class OtherSite : IAsyncDisposable
{
    private readonly TcpListener listener = new(Chromium.ListenAddress, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly byte[] page;
    private readonly Task serving;

    public OtherSite(string html)
    {
        page = Encoding.UTF8.GetBytes(html);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        serving = ServeAsync(stop.Token);
    }

    public int Port { get; }

    /// <summary>The address the last connection came from: where the browser's packets leave from.</summary>
    public IPAddress? LastPeer { get; private set; }

    /// <summary>The page at http://<paramref name="host"/>:port/: "localhost" is another site than 127.0.0.1, "127.0.0.1" the same site on another port.</summary>
    public Uri Url(string host) => new($"http://{host}:{Port}/");

    private async Task ServeAsync(CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellation);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            LastPeer = (client.Client.RemoteEndPoint as IPEndPoint)?.Address;
            _ = AnswerAsync(client, cancellation);
        }
    }

    private async Task AnswerAsync(TcpClient client, CancellationToken cancellation)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadHeadAsync(stream, cancellation);
                var favicon = request.StartsWith("GET /favicon.ico ", StringComparison.Ordinal);
                var head = favicon
                    ? "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
                    : $"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {page.Length}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellation);
                if (!favicon)
                {
                    await stream.WriteAsync(page, cancellation);
                }
            }
            catch (IOException)
            {
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>The request line and headers (the page's requests are GETs without a body).</summary>
    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellation)
    {
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (head.Length < 64 * 1024 && !head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, cancellation);
            if (read == 0)
            {
                break;
            }
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return head.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await serving;
        }
        catch (SocketException)
        {
        }
        stop.Dispose();
    }
}
