using GoDocker.Cli.Api;
using GoDocker.Cli.Output;
using GoDocker.Contracts;

namespace GoDocker.Cli.Exec;

/// <summary>
/// Joins a running interactive job's terminal from this one (`godocker attach`, and `godocker run -it` once its job
/// starts) until the job ends (exit with its code), the user types the detach keys (exit 0, the job runs on), or the
/// server ends the attachment (its idle or maximum time: exit 125, the job runs on).
/// </summary>
internal static class JobTerminal
{
    public static async Task<int> AttachAsync(GoDockerClient client, long id, DetachKeys detach, bool replay, CancellationToken cancellationToken)
    {
        var onTerminal = Terminal.IsTerminal(Terminal.StdinFd);
        var size = Terminal.Size(Terminal.StdinFd) ?? Terminal.Size(Terminal.StdoutFd);
        var opened = await client.OpenAttachAsync(id, size, replay, cancellationToken);
        if (!opened.IsOk)
        {
            await ProblemReport.WriteAsync(opened.Problem, cancellationToken);
            return ExitCodes.OwnFailure;
        }
        var (status, detached) = await TerminalSession.RunAsync(opened.Value, stdin: true, raw: onTerminal, followSize: onTerminal, detach, cancellationToken);
        if (detached)
        {
            await Console.Error.WriteLineAsync($"\r\ngodocker: detached from job {id}, which runs on; `godocker attach {id}` comes back".AsMemory(), cancellationToken);
            return ExitCodes.Ok;
        }
        switch (status)
        {
            case { Reason: ExecStatus.Exited, ExitCode: { } code }:
                return code;
            case null:
                await Console.Error.WriteLineAsync($"\r\ngodocker: the connection to the server ended; job {id} may run on (`godocker attach {id}`)".AsMemory(), cancellationToken);
                return ExitCodes.OwnFailure;
            case { Reason: ExecStatus.Exited }:
                await Console.Error.WriteLineAsync($"\r\ngodocker: job {id} ended; its exit code is in `godocker show {id}`".AsMemory(), cancellationToken);
                return ExitCodes.OwnFailure;
            default:
                await Console.Error.WriteLineAsync($"\r\ngodocker: {status.Message}; job {id} runs on: `godocker attach {id}` comes back".AsMemory(), cancellationToken);
                return ExitCodes.OwnFailure;
        }
    }
}
