namespace GoDocker.Cli.Output;

/// <summary>Facts about stdout the commands act on.</summary>
internal static class StandardStreams
{
    private const int BrokenPipeErrno = 32;

    /// <summary>A write failed because the reading end of the pipe closed (EPIPE; .NET ignores SIGPIPE, so it shows as an IOException).</summary>
    public static bool IsBrokenPipe(IOException e) => e.HResult == BrokenPipeErrno || e.InnerException is IOException { HResult: BrokenPipeErrno };
}
