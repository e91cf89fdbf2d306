using System.Runtime.InteropServices;

namespace GoDocker.Cli.Server;

/// <summary>
/// `godocker server ...` becomes the `godocker-server` process (execv, same pid), so signals and the exit status
/// belong to the server and no client process lingers in between. Every argument is passed unchanged.
/// </summary>
internal static class ServerHandover
{
    public const string EnvironmentVariable = "GODOCKER_SERVER_BIN";
    public const string ExecutableName = "godocker-server";

    /// <summary>Shell convention for "command not found".</summary>
    public const int NotFound = 127;

    /// <summary>Shell convention for "found but cannot run".</summary>
    public const int CannotRun = 126;

    /// <summary>
    /// Where to look, in order: <c>$GODOCKER_SERVER_BIN</c> alone when set (an explicit choice is not second-guessed);
    /// else next to this executable, else <c>../server/</c> from it (the layout of the release tarball).
    /// </summary>
    internal static IReadOnlyList<string> Candidates(string? fromEnvironment, string baseDirectory)
    {
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return [fromEnvironment];
        }
        return
        [
            Path.Combine(baseDirectory, ExecutableName),
            Path.GetFullPath(Path.Combine(baseDirectory, "..", "server", ExecutableName)),
        ];
    }

    /// <summary>Does not return when the server starts; otherwise prints one line and gives the exit code.</summary>
    public static int Exec(IReadOnlyList<string> args)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        var candidates = Candidates(fromEnvironment, AppContext.BaseDirectory);
        var path = candidates.FirstOrDefault(File.Exists);
        if (path is null)
        {
            var where = string.IsNullOrEmpty(fromEnvironment)
                ? $"looked in {string.Join(" and ", candidates)}; set {EnvironmentVariable} to its path"
                : $"{EnvironmentVariable}={fromEnvironment} does not exist";
            Console.Error.WriteLine($"godocker: cannot find {ExecutableName} ({where})");
            return NotFound;
        }

        string?[] argv = [path, .. args, null];
        // .NET ignores SIGPIPE and an ignored signal stays ignored across exec; give the server (and anything it spawns) the default back.
        Posix.Signal(Posix.SigPipe, Posix.SigDefault);
        Posix.Execv(path, argv);
        var error = Marshal.GetLastPInvokeErrorMessage();
        Console.Error.WriteLine($"godocker: cannot start {path}: {error}");
        return CannotRun;
    }
}
