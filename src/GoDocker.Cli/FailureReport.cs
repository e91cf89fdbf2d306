using System.Text.Json;
using GoDocker.Cli.Api;

namespace GoDocker.Cli;

/// <summary>
/// What reaches the top of the process becomes one stderr line and an exit code; never a stack trace.
/// Refusals are not here: commands print those themselves (see Output.ProblemReport).
/// </summary>
internal static class FailureReport
{
    public static (int ExitCode, string? Line) Describe(Exception e) => e switch
    {
        OperationCanceledException => (ExitCodes.Interrupted, null),
        ServerUnreachableException => (ExitCodes.Unreachable, "godocker: " + e.Message),
        UsageException => (ExitCodes.Usage, "godocker: " + e.Message),
        JsonException => (ExitCodes.Refused, "godocker: the server's reply could not be read: " + e.Message),
        _ => (ExitCodes.Refused, "godocker: " + e.Message),
    };
}
