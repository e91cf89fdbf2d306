namespace GoDocker.Cli;

/// <summary>What the process exit status tells a calling script.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The API refused the request (problem details printed).</summary>
    public const int Refused = 1;

    /// <summary>A waited-for job ended unsuccessfully without an exit code of its own (killed, lost, refused at launch).</summary>
    public const int JobFailed = 1;

    /// <summary>The command line (or a script's #GODOCKER lines) could not be understood.</summary>
    public const int Usage = 2;

    /// <summary>No answer from the server: not running, wrong address, or it went away mid-request.</summary>
    public const int Unreachable = 3;

    /// <summary>`godocker wait --timeout` ran out, as timeout(1) reports it.</summary>
    public const int TimedOut = 124;

    /// <summary>
    /// The CLI's own failure (refused, usage, unreachable: the stderr line says which) in a command that otherwise exits
    /// with a job's exit code — wait, submit --wait, run, attach, exec — so a job's exit 1, 2 or 3 is never read as one
    /// of the CLI's; as docker run and timeout(1) use 125.
    /// </summary>
    public const int OwnFailure = 125;

    /// <summary>Stopped by Ctrl-C (128 + SIGINT).</summary>
    public const int Interrupted = 130;

    /// <summary>
    /// Whether the command line runs a command that exits with a job's exit code (see <see cref="OwnFailure"/>): its
    /// failures before or beside the job's end are <see cref="OwnFailure"/>, not 1, 2 or 3.
    /// </summary>
    public static bool PassesJobCode(System.CommandLine.ParseResult parse) => parse.CommandResult.Command.Name switch
    {
        "wait" or "run" or "attach" or "exec" => true,
        "submit" => parse.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>().Any(o => o.Option.Name == "--wait" && !o.Implicit),
        _ => false,
    };
}
