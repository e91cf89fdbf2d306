using System.Net;
using System.Net.WebSockets;
using System.Text;
using GoDocker.Contracts;
using GoDocker.Execution;

namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>A client of GET /api/v1/jobs/{id}/exec as any WebSocket client speaks it (not the CLI): frames in, frames out.</summary>
public sealed class ExecSocket : IDisposable
{
    private readonly ClientWebSocket socket;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();

    private ExecSocket(ClientWebSocket socket) => this.socket = socket;

    public string Stdout
    {
        get
        {
            lock (stdout)
            {
                return stdout.ToString();
            }
        }
    }

    public string Stderr => stderr.ToString();

    public ExecStatus? Status { get; private set; }

    /// <summary>The exec's URL for <paramref name="command"/> (each word a <c>command=</c>), with the other parameters appended as given.</summary>
    public static Uri Url(Uri server, long jobId, IEnumerable<string> command, string extra = "")
    {
        var query = string.Join('&', command.Select(w => "command=" + Uri.EscapeDataString(w)));
        var ws = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = $"/api/v1/jobs/{jobId}/exec", Query = query + extra };
        return ws.Uri;
    }

    /// <summary>Connects; the refusal's HTTP status when the server does not upgrade.</summary>
    public static async Task<(ExecSocket? Socket, HttpStatusCode Status)> ConnectAsync(
        Uri url, IReadOnlyDictionary<string, string> headers, string subProtocol = ExecProtocol.SubProtocol)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.AddSubProtocol(subProtocol);
        foreach (var (name, value) in headers)
        {
            socket.Options.SetRequestHeader(name, value);
        }
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await socket.ConnectAsync(url, deadline.Token);
        }
        catch (WebSocketException)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            return (null, status);
        }
        return (new ExecSocket(socket), socket.HttpStatusCode);
    }

    public static Dictionary<string, string> Bearer(string? token) =>
        token is null ? [] : new Dictionary<string, string> { ["Authorization"] = "Bearer " + token };

    public Task SendStdinAsync(string text) => SendAsync(ExecProtocol.Frame(ExecProtocol.Stdin, Encoding.UTF8.GetBytes(text)));

    public Task CloseStdinAsync() => SendAsync(ExecProtocol.CloseStdinFrame());

    public Task ResizeAsync(int cols, int rows) => SendAsync(ExecProtocol.ResizeFrame(new TerminalSize(cols, rows)));

    private async Task SendAsync(byte[] frame)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, deadline.Token);
    }

    /// <summary>Reads until the server's status message and close (or <paramref name="timeout"/>); collects stdout and stderr.</summary>
    public async Task<ExecStatus> ReadToEndAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await ReadUntilAsync(() => false, deadline.Token);
        return Status ?? throw new InvalidOperationException($"the socket closed without a status; stdout: {Stdout}");
    }

    /// <summary>Reads until stdout contains <paramref name="text"/>.</summary>
    public async Task WaitForStdoutAsync(string text, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await ReadUntilAsync(() => Stdout.Contains(text, StringComparison.Ordinal), deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"'{text}' not seen; stdout so far: {Stdout}");
        }
        if (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the session ended before '{text}'; stdout: {Stdout}; status: {Status}");
        }
    }

    private async Task ReadUntilAsync(Func<bool> done, CancellationToken cancellationToken)
    {
        var buffer = new byte[ExecProtocol.MaxMessageBytes];
        while (!done() && socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            var count = 0;
            ValueWebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken);
                count += received.Count;
            }
            while (!received.EndOfMessage);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                }
                return;
            }
            switch (buffer[0])
            {
                case ExecProtocol.Stdout:
                    lock (stdout)
                    {
                        stdout.Append(Encoding.UTF8.GetString(buffer, 1, count - 1));
                    }
                    break;
                case ExecProtocol.Stderr:
                    stderr.Append(Encoding.UTF8.GetString(buffer, 1, count - 1));
                    break;
                case ExecProtocol.Status:
                    Status = ExecProtocol.ParseStatus(buffer.AsSpan(1, count - 1));
                    break;
            }
        }
    }

    public void Dispose() => socket.Dispose();
}
