using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GoDocker.Cli.Tests.Api;

/// <summary>
/// A loopback TCP listener that answers one connection with canned bytes and records the request it got:
/// the smallest real peer for the hand-written HTTP client.
/// </summary>
internal sealed class OneShotServer : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Task<string> served;

    public OneShotServer(params string[] replyParts)
    {
        listener.Start();
        served = ServeAsync(replyParts);
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");

    /// <summary>The request as received: head and body.</summary>
    public Task<string> Request => served;

    private async Task<string> ServeAsync(string[] replyParts)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var received = await ReadRequestAsync(stream);
        foreach (var part in replyParts)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(part));
            await stream.FlushAsync();
            await Task.Delay(5);
        }
        client.Client.Shutdown(SocketShutdown.Send);
        return received;
    }

    /// <summary>One HTTP request as sent (head and Content-Length body), or what came before the peer closed.</summary>
    internal static async Task<string> ReadRequestAsync(NetworkStream stream)
    {
        var received = new StringBuilder();
        var buffer = new byte[8192];
        while (!IsComplete(received.ToString()))
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }
            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        return received.ToString();
    }

    private static bool IsComplete(string request)
    {
        var end = request.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }
        var lengthLine = request[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = lengthLine is null ? 0 : int.Parse(lengthLine.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetByteCount(request[(end + 4)..]) >= length;
    }

    public void Dispose() => listener.Stop();
}
