namespace GoDocker.Cli;

/// <summary>
/// One binary, several names, as busybox: run as `godocker-kill ARGS`, it is `godocker kill ARGS`. Only the commands
/// workflow managers call get a link (see <see cref="LinkedCommands"/>); godocker-server is the server's own binary.
/// </summary>
internal static class MultiCall
{
    /// <summary>The commands installed as godocker-NAME links next to the binary (godocker.sh creates them).</summary>
    public static IReadOnlyList<string> LinkedCommands { get; } = ["submit", "status", "kill", "wait"];

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
