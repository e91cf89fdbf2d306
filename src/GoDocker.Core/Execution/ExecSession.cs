namespace GoDocker.Execution;

/// <summary>A terminal's size in character cells.</summary>
public sealed record TerminalSize(int Cols, int Rows)
{
    /// <summary>The widest a terminal may say it is (a larger value is a client's mistake, not a screen).</summary>
    public const int Max = 10_000;

    public bool IsValid => Cols is > 0 and <= Max && Rows is > 0 and <= Max;
}

/// <summary>
/// A command to run in a job's running container (docker exec): as <see cref="User"/> (the job's own uid:gid, never the
/// image's default), in the container's namespaces and cgroup, with a pseudo-terminal when <see cref="Tty"/>.
/// </summary>
public sealed record ExecRequest(string ContainerId, IReadOnlyList<string> Command, string User, bool Tty, bool Stdin)
{
    /// <summary>The terminal's size at the start (with <see cref="Tty"/>).</summary>
    public TerminalSize? Size { get; init; }

    /// <summary>
    /// The user a job's container runs as, which its commands run as too: its owner's uid:gid (the container's
    /// supplementary groups apply), root only for a job granted root; empty (the container's user) for none.
    /// </summary>
    public static string UserFor(GoDocker.Jobs.ResolvedJobSpec spec) =>
        spec.Root ? "0:0" : spec.RunAs is { } user ? $"{user.Uid}:{user.Gid}" : "";
}

/// <summary>
/// A client joining an interactive job's own terminal (docker attach): its input becomes the job's, its output the
/// client's. With <see cref="Replay"/> the terminal's output so far comes first (the engine keeps the last megabyte),
/// so a client that attaches as the job starts misses nothing of its first prompt.
/// </summary>
public sealed record AttachRequest(string ContainerId)
{
    /// <summary>The client's terminal size, set on the job's terminal at attach (its program gets SIGWINCH).</summary>
    public TerminalSize? Size { get; init; }

    public bool Replay { get; init; }
}

/// <summary>Which of the command's outputs a read came from. With a TTY everything is <see cref="Stdout"/>.</summary>
public enum ExecStream
{
    Stdout = 1,
    Stderr = 2,
}

/// <summary>One read of a command's output: <see cref="Count"/> bytes of <see cref="Stream"/>; 0 when the output has ended.</summary>
public readonly record struct ExecOutput(ExecStream Stream, int Count)
{
    public bool Ended => Count == 0;
}

/// <summary>
/// A command running in a container, started by <see cref="IExecutor.ExecAsync"/>. Contract: one reader and one writer
/// may use it at once; <see cref="ReadAsync"/> answers an ended output once the command (or the container) ended, and
/// <see cref="ExitCodeAsync"/> then tells the command's exit code. Disposing it drops the connection to the engine
/// (with a TTY the command gets SIGHUP; without one it loses its stdin and output).
/// </summary>
public interface IExecSession : IAsyncDisposable
{
    ValueTask<ExecOutput> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    ValueTask WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken);

    /// <summary>End of input: the command reads end of file on its stdin.</summary>
    void CloseInput();

    /// <summary>Sets the TTY's size (the command gets SIGWINCH). No effect without a TTY.</summary>
    ValueTask ResizeAsync(TerminalSize size, CancellationToken cancellationToken);

    /// <summary>The command's exit code, once its output ended; null when the engine cannot say (the container is gone).</summary>
    ValueTask<int?> ExitCodeAsync(CancellationToken cancellationToken);
}

/// <summary>What <see cref="IExecutor.ExecAsync"/> did.</summary>
public abstract record ExecOutcome
{
    private ExecOutcome()
    {
    }

    public sealed record Started(IExecSession Session) : ExecOutcome;

    /// <summary>This executor cannot run commands in its containers from here (e.g. they run on engines it does not reach).</summary>
    public sealed record NotSupported(string Reason) : ExecOutcome;

    /// <summary>The container is not running (gone, stopped, or paused): the engine refused.</summary>
    public sealed record NotRunning(string Reason) : ExecOutcome;
}
