using System.Net.WebSockets;
using GoDocker.Contracts;
using GoDocker.Execution;
using GoDocker.Server.Configuration;

namespace GoDocker.Server.Api;

/// <summary>
/// Relays one exec session between the caller's WebSocket (<see cref="ExecProtocol"/>) and the command on the engine,
/// until the first of: the command's output ends (it exited, or the job's container did), the client closes, no input
/// or output for <see cref="ExecOptions.IdleTimeout"/>, <see cref="ExecOptions.MaxSession"/> reached, the server
/// stops. Then the client gets one status message saying which, and the socket is closed.
/// </summary>
internal sealed class ExecRelay(WebSocket socket, IExecSession session, bool stdin, ExecOptions limits, TimeProvider time, ILogger logger) : IDisposable
{
    /// <summary>How long a closing session waits for the client's close and for its last message to leave.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim sending = new(1, 1);
    private long lastActivityTicks;
    private bool closed;

    public async Task<ExecStatus> RunAsync(CancellationToken stopping)
    {
        var started = time.GetUtcNow();
        Touch();
        using var pumps = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var output = PumpOutputAsync(pumps.Token);
        var input = PumpInputAsync(pumps.Token);
        var watch = WatchAsync(started, pumps.Token);
        ExecStatus status;
        try
        {
            var first = await Task.WhenAny(output, input, watch);
            status = await EndOfAsync(first, output, input, watch, stopping);
            using var grace = new CancellationTokenSource(CloseGrace);
            await SendLastAsync(status, grace.Token);
            // The command's connection is dropped (with a TTY it gets SIGHUP); the client answers the close.
            await session.DisposeAsync();
            await Task.WhenAny(input, Task.Delay(CloseGrace, time, CancellationToken.None));
        }
        finally
        {
            await pumps.CancelAsync();
            await session.DisposeAsync();
            await Task.WhenAll(output, input, watch).ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        }
        return status;
    }

    private async Task<ExecStatus> EndOfAsync(Task first, Task output, Task input, Task<ExecStatus> watch, CancellationToken stopping)
    {
        if (first == output && output.IsCompletedSuccessfully)
        {
            using var deadline = new CancellationTokenSource(CloseGrace);
            var code = await session.ExitCodeAsync(deadline.Token);
            return new ExecStatus(ExecStatus.Exited, code, code is { } c ? $"exit code {c}" : "the command ended; its exit code is unknown (the job's container ended)");
        }
        if (first == watch && watch.IsCompletedSuccessfully)
        {
            return watch.Result;
        }
        if (stopping.IsCancellationRequested)
        {
            return new ExecStatus(ExecStatus.ServerStopping, null, "the server is stopping");
        }
        if (first == input && input.IsCompletedSuccessfully)
        {
            return new ExecStatus(ExecStatus.ClientClosed, null, "the client closed the session");
        }
        var fault = first.Exception?.GetBaseException();
        logger.LogWarning(fault, "an exec session ended on a fault");
        return new ExecStatus(ExecStatus.Error, null, first == input ? "the connection to the client failed" : "the connection to the job's engine failed");
    }

    private async Task PumpOutputAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var buffer = new byte[32 * 1024 + 1];
        while (true)
        {
            var read = await session.ReadAsync(buffer.AsMemory(1), cancellationToken);
            if (read.Ended)
            {
                return;
            }
            Touch();
            buffer[0] = read.Stream == ExecStream.Stderr ? ExecProtocol.Stderr : ExecProtocol.Stdout;
            await SendAsync(buffer.AsMemory(0, read.Count + 1), last: false, cancellationToken);
        }
    }

    private async Task PumpInputAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var buffer = new byte[ExecProtocol.MaxMessageBytes];
        var inputOpen = stdin;
        while (true)
        {
            var count = 0;
            ValueWebSocketReceiveResult received;
            do
            {
                if (count == buffer.Length)
                {
                    throw new WebSocketException(WebSocketError.InvalidMessageType, $"a message longer than {ExecProtocol.MaxMessageBytes} bytes");
                }
                received = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken);
                count += received.Count;
            }
            while (!received.EndOfMessage);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
            if (count == 0 || received.MessageType != WebSocketMessageType.Binary)
            {
                continue;
            }
            Touch();
            switch (buffer[0])
            {
                case ExecProtocol.Stdin when inputOpen && count > 1:
                    await session.WriteAsync(buffer.AsMemory(1, count - 1), cancellationToken);
                    break;
                case ExecProtocol.Resize when ExecProtocol.TryParseResize(buffer.AsSpan(1, count - 1), out var size):
                    await session.ResizeAsync(size, cancellationToken);
                    break;
                case ExecProtocol.Close when count > 1 && buffer[1] == ExecProtocol.Stdin && inputOpen:
                    inputOpen = false;
                    session.CloseInput();
                    break;
                default:
                    // Other channels, and input the command does not take: ignored, as Kubernetes does.
                    break;
            }
        }
    }

    private async Task<ExecStatus> WatchAsync(DateTimeOffset started, CancellationToken cancellationToken)
    {
        var end = started + limits.MaxSession;
        while (true)
        {
            var now = time.GetUtcNow();
            var idleEnd = new DateTimeOffset(Interlocked.Read(ref lastActivityTicks), TimeSpan.Zero) + limits.IdleTimeout;
            if (now >= end)
            {
                return new ExecStatus(ExecStatus.MaxSession, null, $"the session reached its maximum length ({limits.MaxSession})");
            }
            if (now >= idleEnd)
            {
                return new ExecStatus(ExecStatus.IdleTimeout, null, $"no input or output for {limits.IdleTimeout}");
            }
            await Task.Delay((idleEnd < end ? idleEnd : end) - now, time, cancellationToken);
        }
    }

    public void Dispose() => sending.Dispose();

    private void Touch() => Interlocked.Exchange(ref lastActivityTicks, time.GetUtcNow().UtcTicks);

    private async Task SendAsync(ReadOnlyMemory<byte> message, bool last, CancellationToken cancellationToken)
    {
        await sending.WaitAsync(cancellationToken);
        try
        {
            if (closed)
            {
                return;
            }
            closed = last;
            await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
        }
        finally
        {
            sending.Release();
        }
    }

    /// <summary>The status, then the close: nothing is sent after them. A client already gone is not a fault.</summary>
    private async Task SendLastAsync(ExecStatus status, CancellationToken cancellationToken)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await SendAsync(ExecProtocol.StatusFrame(status), last: true, cancellationToken);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, status.Reason, cancellationToken);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            logger.LogDebug(e, "the client of an exec session left before its status");
        }
    }
}
