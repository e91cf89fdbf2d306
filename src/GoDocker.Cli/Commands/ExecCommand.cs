using System.CommandLine;
using GoDocker.Cli.Exec;
using GoDocker.Cli.Output;
using GoDocker.Contracts;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker exec ID [-i] [-t] -- COMMAND [ARG...]`, as `docker exec`: runs a command in a running job of yours,
/// through the server (a WebSocket to GET /api/v1/jobs/{id}/exec), as the job's user. -i attaches stdin; -t gives it a
/// terminal: with -i on a terminal, ours goes raw (keys, Ctrl-C included, reach the remote terminal; restored on
/// every way out) and its size follows ours (SIGWINCH). Exits with the command's exit code.
/// </summary>
internal static class ExecCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = JobIdArgument.Create("The running job to run the command in");
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Attach standard input" };
        var tty = new Option<bool>("--tty", "-t") { Description = "Give the command a terminal" };
        var command = new Argument<string[]>("COMMAND") { Description = "The command and its arguments (after --)", Arity = ArgumentArity.OneOrMore };
        var exec = new Command("exec", "Run a command in a running job") { id, interactive, tty, command };
        exec.SetAction(async (parse, cancellationToken) =>
        {
            var attach = parse.GetValue(interactive);
            var terminal = parse.GetValue(tty);
            var raw = attach && terminal;
            if (raw && !Terminal.IsTerminal(Terminal.StdinFd))
            {
                throw new UsageException("exec: -it needs standard input to be a terminal (drop -t to pipe input)");
            }
            var client = global.CreateClient(parse);
            var size = terminal ? Terminal.Size(Terminal.StdinFd) ?? Terminal.Size(Terminal.StdoutFd) : null;
            var opened = await client.OpenExecAsync(parse.GetValue(id), parse.GetValue(command)!, terminal, attach, size, cancellationToken);
            if (!opened.IsOk)
            {
                await ProblemReport.WriteAsync(opened.Problem, cancellationToken);
                return ExitCodes.OwnFailure;
            }
            var (status, _) = await TerminalSession.RunAsync(opened.Value, attach, raw, terminal, detach: null, cancellationToken);
            if (status is { Reason: ExecStatus.Exited, ExitCode: { } code })
            {
                return code;
            }
            await Console.Error.WriteLineAsync($"godocker: exec: {status?.Message ?? "the connection to the server ended without the command's exit code"}".AsMemory(), cancellationToken);
            return ExitCodes.OwnFailure;
        });
        return exec;
    }
}
