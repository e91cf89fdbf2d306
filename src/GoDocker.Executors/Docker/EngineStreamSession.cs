using Docker.DotNet;
using GoDocker.Execution;

namespace GoDocker.Executors.Docker;

/// <summary>
/// What an exec and an attach share: the engine's hijacked connection (MultiplexedStream) as an
/// <see cref="IExecSession"/>'s reads and writes, and dropping it. The output arrives framed per stream without a TTY,
/// raw (all stdout) with one.
/// </summary>
internal abstract class EngineStreamSession(MultiplexedStream stream) : IExecSession
{
    private byte[] readBuffer = [];
    private byte[] writeBuffer = [];
    private int disposed;

    public async ValueTask<ExecOutput> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        // MultiplexedStream reads into arrays only.
        if (readBuffer.Length < buffer.Length)
        {
            readBuffer = new byte[buffer.Length];
        }
        var result = await stream.ReadOutputAsync(readBuffer, 0, buffer.Length, cancellationToken);
        if (result.EOF || result.Count == 0)
        {
            return new ExecOutput(ExecStream.Stdout, 0);
        }
        readBuffer.AsSpan(0, result.Count).CopyTo(buffer.Span);
        return new ExecOutput(result.Target == MultiplexedStream.TargetStream.StandardError ? ExecStream.Stderr : ExecStream.Stdout, result.Count);
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken)
    {
        if (writeBuffer.Length < input.Length)
        {
            writeBuffer = new byte[input.Length];
        }
        input.Span.CopyTo(writeBuffer);
        await stream.WriteAsync(writeBuffer, 0, input.Length, cancellationToken);
    }

    /// <summary>Half-closes the connection: the engine's side reads end of input.</summary>
    protected void CloseWrite() => stream.CloseWrite();

    public abstract void CloseInput();

    public abstract ValueTask ResizeAsync(TerminalSize size, CancellationToken cancellationToken);

    public abstract ValueTask<int?> ExitCodeAsync(CancellationToken cancellationToken);

    public ValueTask DisposeAsync()
    {
        // Disposed by whichever of the relay's ends finishes first; again is nothing.
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            stream.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
