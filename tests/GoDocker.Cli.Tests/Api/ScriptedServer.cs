using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GoDocker.Cli.Tests.Api;

/// <summary>
/// A loopback listener that answers one connection per reply, in order, and records each request: for commands
/// that make several requests (quota set reads, then writes). The client opens one connection per request.
/// </summary>
internal sealed class ScriptedServer : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Task<IReadOnlyList<string>> served;

    public ScriptedServer(params string[] replies)
    {
        listener.Start();
        served = ServeAsync(replies);
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");

    /// <summary>The requests as received, once every reply has been sent.</summary>
    public Task<IReadOnlyList<string>> Requests => served;

    /// <summary>A 200 (or other status) answer with a JSON body.</summary>
    public static string Json(string body, int status = 200, string reason = "OK") =>
        $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    private async Task<IReadOnlyList<string>> ServeAsync(string[] replies)
    {
        var requests = new List<string>();
        foreach (var reply in replies)
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
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
            requests.Add(received.ToString());
            await stream.WriteAsync(Encoding.UTF8.GetBytes(reply));
            client.Client.Shutdown(SocketShutdown.Send);
        }
        return requests;
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

    /// <summary>The body of a recorded request (after the blank line).</summary>
    public static string Body(string request) => request[(request.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];

    public void Dispose() => listener.Stop();
}
