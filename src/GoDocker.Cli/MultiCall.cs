namespace GoDocker.Cli;

/// <summary>
/// One binary, several names, as busybox: run as `godocker-kill ARGS`, it is `godocker kill ARGS`. Only the commands
/// workflow managers call get a link (see <see cref="LinkedCommands"/>); godocker-server is the server's own binary.
/// </summary>
internal static class MultiCall
{
    /// <summary>The commands installed as godocker-NAME links next to the binary (godocker.sh creates them).</summary>
    public static IReadOnlyList<string> LinkedCommands { get; } = ["submit", "status", "kill", "wait"];

    /// <summary>
    /// The name the program was started by (argv[0]). The NativeAOT binary gets it as the first command-line arg; a JIT
    /// build started through its apphost gets the entry dll's path there instead, so argv[0] is read from /proc.
    /// </summary>
    public static string? ProgramName()
    {
        var first = Environment.GetCommandLineArgs().FirstOrDefault();
        if (first is null || !first.EndsWith(".dll", StringComparison.Ordinal) || !OperatingSystem.IsLinux())
        {
            return first;
        }
        try
        {
            var cmdline = File.ReadAllText("/proc/self/cmdline");
            var end = cmdline.IndexOf('\0', StringComparison.Ordinal);
            return end < 0 ? cmdline : cmdline[..end];
        }
        catch (IOException)
        {
            return first;
        }
    }

    /// <summary>The command line as `godocker` would take it, given the name the program was started by.</summary>
    public static string[] Args(string? programPath, string[] args)
    {
        if (programPath is null)
        {
            return args;
        }
        var program = Path.GetFileName(programPath);
        const string prefix = GoDockerCommandLine.Name + "-";
        if (program.StartsWith(prefix, StringComparison.Ordinal) && LinkedCommands.Contains(program[prefix.Length..]))
        {
            return [program[prefix.Length..], .. args];
        }
        return args;
    }
}
