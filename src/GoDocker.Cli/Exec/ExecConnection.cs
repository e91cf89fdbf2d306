using System.Net.WebSockets;
using GoDocker.Contracts;
using GoDocker.Execution;

namespace GoDocker.Cli.Exec;

/// <summary>
/// The client's side of an exec session (<see cref="ExecProtocol"/>): the remote stdout and stderr to ours, our stdin
/// (when attached) to the remote's, window sizes as resizes; until the server's status and close. One sender at a
/// time: stdin, resizes (from SIGWINCH) and the end of input share the socket through a lock.
/// </summary>
internal sealed class ExecConnection(WebSocket socket) : IDisposable
{
    private readonly SemaphoreSlim sending = new(1, 1);

    private DetachKeys? detachKeys;

    /// <summary>Whether the session ended because the user typed the detach keys (the job runs on).</summary>
    public bool Detached { get; private set; }

    /// <summary>
    /// The server's last word; null when the connection ended without one. With <paramref name="detach"/>, typing its
    /// keys closes the session from this side (<see cref="Detached"/>).
    /// </summary>
    public async Task<ExecStatus?> RunAsync(bool attachStdin, CancellationToken cancellationToken, DetachKeys? detach = null)
    {
        detachKeys = detach;
        // Reads of the connection and of stdin block in the kernel: each gets a thread of its own.
        var output = Task.Factory.StartNew(() => ReceiveAsync(cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        if (attachStdin)
        {
            // Not awaited: a read of a terminal does not return when the session ends; the process exits past it.
            _ = Task.Factory.StartNew(() => PumpStdinAsync(cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()
                .ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        }
        return await output;
    }

    /// <summary>Sends the terminal's new size; a failure (the session is ending) is no matter.</summary>
    public async Task ResizeAsync(TerminalSize size)
    {
        try
        {
            await SendAsync(ExecProtocol.ResizeFrame(size), CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or IOException)
        {
        }
    }

    private async Task<ExecStatus?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[ExecProtocol.MaxMessageBytes];
        ExecStatus? status = null;
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    if (count == buffer.Length)
                    {
                        throw new WebSocketException(WebSocketError.InvalidMessageType, $"the server sent a message over {ExecProtocol.MaxMessageBytes} bytes");
                    }
                    received = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken);
                    count += received.Count;
                }
                while (!received.EndOfMessage);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await SendCloseAsync();
                    return status;
                }
                if (count == 0)
                {
                    continue;
                }
                switch (buffer[0])
                {
                    case ExecProtocol.Stdout:
                        Terminal.Write(Terminal.StdoutFd, buffer.AsSpan(1, count - 1));
                        break;
                    case ExecProtocol.Stderr:
                        Terminal.Write(Terminal.StderrFd, buffer.AsSpan(1, count - 1));
                        break;
                    case ExecProtocol.Status:
                        status = ExecProtocol.ParseStatus(buffer.AsSpan(1, count - 1));
                        break;
                }
            }
        }
        catch (WebSocketException) when (status is not null)
        {
            // The server said how it ended and went: that is the end.
            return status;
        }
    }

    private async Task PumpStdinAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var buffer = new byte[16 * 1024];
        buffer[0] = ExecProtocol.Stdin;
        var kept = new List<byte>(buffer.Length + 8);
        while (!cancellationToken.IsCancellationRequested)
        {
            var read = Terminal.Read(Terminal.StdinFd, buffer.AsSpan(1));
            if (read == 0)
            {
                await SendAsync(ExecProtocol.CloseStdinFrame(), cancellationToken);
                return;
            }
            if (detachKeys is null)
            {
                await SendAsync(buffer.AsMemory(0, read + 1), cancellationToken);
                continue;
            }
            kept.Clear();
            kept.Add(ExecProtocol.Stdin);
            var detach = detachKeys.Filter(buffer.AsSpan(1, read), kept);
            if (kept.Count > 1)
            {
                await SendAsync(kept.ToArray(), cancellationToken);
            }
            if (detach)
            {
                await DetachAsync();
                return;
            }
        }
    }

    /// <summary>Closes the session from this side; the server answers with its status and the job runs on.</summary>
    private async Task DetachAsync()
    {
        Detached = true;
        await sending.WaitAsync();
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "detached", CancellationToken.None);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            // Gone already: detached either way.
        }
        finally
        {
            sending.Release();
        }
    }

    private async Task SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        await sending.WaitAsync(cancellationToken);
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
            }
        }
        finally
        {
            sending.Release();
        }
    }

    private async Task SendCloseAsync()
    {
        await sending.WaitAsync();
        try
        {
            if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            // The server closes right after: it may be gone before our answer.
        }
        finally
        {
            sending.Release();
        }
    }

    public void Dispose()
    {
        socket.Dispose();
        sending.Dispose();
    }
}
