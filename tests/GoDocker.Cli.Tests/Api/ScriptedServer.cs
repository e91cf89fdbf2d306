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
            requests.Add(await OneShotServer.ReadRequestAsync(stream));
            await stream.WriteAsync(Encoding.UTF8.GetBytes(reply));
            client.Client.Shutdown(SocketShutdown.Send);
        }
        return requests;
    }

    /// <summary>The body of a recorded request (after the blank line).</summary>
    public static string Body(string request) => request[(request.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];

    public void Dispose() => listener.Stop();
}
