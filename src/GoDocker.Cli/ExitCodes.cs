namespace GoDocker.Cli;

/// <summary>What the process exit status tells a calling script.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The API refused the request (problem details printed), or a waited-for job ended badly without a code of its own.</summary>
    public const int Refused = 1;

    /// <summary>The command line (or a script's #GODOCKER lines) could not be understood.</summary>
    public const int Usage = 2;

    /// <summary>No answer from the server: not running, wrong address, or it went away mid-request.</summary>
    public const int Unreachable = 3;

    /// <summary>`godocker wait --timeout` ran out, as timeout(1) reports it.</summary>
    public const int TimedOut = 124;

    /// <summary>Stopped by Ctrl-C (128 + SIGINT).</summary>
    public const int Interrupted = 130;
}
