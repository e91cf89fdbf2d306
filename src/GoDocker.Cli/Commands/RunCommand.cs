using System.CommandLine;
using GoDocker.Cli.Api;
using GoDocker.Cli.Exec;
using GoDocker.Cli.Output;
using GoDocker.Cli.Submit;
using GoDocker.Cli.Wait;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker run -it [job options] [-- COMMAND [ARG...]]`, as Slurm's `srun --pty` and `docker run -it`: submits an
/// interactive job (the image's own command, its shell, when none is given), waits for it showing why it is pending as
/// that changes, then attaches this terminal to the job's (<see cref="JobTerminal"/>) and exits with the job's exit
/// code. It is queued, limited and accounted as any job. Ctrl-C while it waits cancels it, as srun's does.
/// </summary>
internal static class RunCommand
{
    public static Command Create(GlobalOptions global)
    {
        var job = new JobOptionSet(JobOptionSet.ShortNames.Run);
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Keep standard input attached (always: docker's -i, accepted)" };
        var tty = new Option<bool>("--tty", "-t") { Description = "Give the job a terminal (always: docker's -t, accepted)" };
        var detachKeys = AttachCommand.DetachKeysOption();
        var command = new Argument<string[]>("COMMAND") { Description = "The command and its arguments, after -- (default: the image's own, its shell)", Arity = ArgumentArity.ZeroOrMore };
        var run = new Command("run", "Run an interactive job: wait for it to start, then attach this terminal to it") { interactive, tty, detachKeys };
        job.AddTo(run);
        run.Add(command);
        run.SetAction(async (parse, cancellationToken) =>
        {
            var argv = parse.GetValue(command) ?? [];
            if (argv.FirstOrDefault(a => a.Length > 1 && a[0] == '-') is { } unknown && !parse.Tokens.Any(t => t.Type == System.CommandLine.Parsing.TokenType.DoubleDash))
            {
                throw new UsageException($"run: unknown option '{unknown}' (see godocker run --help; put the command after --)");
            }
            var keys = DetachKeys.Parse(parse.GetValue(detachKeys)!);
            var spec = job.Read(parse).ToSpec(script: null, argv.Length == 0 ? null : argv) with { Interactive = true };
            var client = global.CreateClient(parse);
            var submitted = await client.SubmitForIdAsync(spec, cancellationToken);
            if (!submitted.IsOk)
            {
                await ProblemReport.WriteAsync(submitted.Problem, cancellationToken);
                return ExitCodes.OwnFailure;
            }
            var id = submitted.Value;
            ApiResult<JobView> waited;
            try
            {
                waited = await WaitForStartAsync(client, id, TimeProvider.System, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Nobody will ever sit at this terminal: the job goes, as srun's does when interrupted while queued.
                var killed = await client.KillAsync(id, CancellationToken.None);
                await Console.Error.WriteLineAsync(killed.IsOk
                    ? $"godocker: job {id} cancelled while it waited"
                    : $"godocker: job {id} could not be cancelled: {killed.Problem.Detail ?? killed.Problem.Title}");
                return ExitCodes.Interrupted;
            }
            if (!waited.IsOk)
            {
                await ProblemReport.WriteAsync(waited.Problem, cancellationToken);
                return ExitCodes.OwnFailure;
            }
            var started = waited.Value;
            if (started.State.IsTerminal())
            {
                if (WaitOutcome.Describe(started) is { } line)
                {
                    await Console.Error.WriteLineAsync(line.AsMemory(), cancellationToken);
                }
                return WaitOutcome.ExitCodeFor(started);
            }
            await Console.Error.WriteLineAsync($"godocker: job {id} running on {started.Node}; detach with {keys.Text}".AsMemory(), cancellationToken);
            // The output so far first: the job's first prompt was printed before this client could attach.
            return await JobTerminal.AttachAsync(client, id, keys, replay: true, cancellationToken);
        });
        return run;
    }

    /// <summary>Polls until the job runs or ends, telling on stderr each new reason it waits for.</summary>
    private static async Task<ApiResult<JobView>> WaitForStartAsync(GoDockerClient client, long id, TimeProvider clock, CancellationToken cancellationToken)
    {
        var backoff = new PollBackoff();
        string? told = null;
        while (true)
        {
            var result = await client.GetJobAsync(id, cancellationToken);
            if (!result.IsOk)
            {
                return result;
            }
            var job = result.Value;
            if (job.State is JobState.Running || job.State.IsTerminal())
            {
                return result;
            }
            var now = job.State == JobState.Pending ? $"queued: {job.Reason ?? "waiting"}" : $"{job.State.ToString().ToLowerInvariant()}";
            if (now != told)
            {
                await Console.Error.WriteLineAsync($"godocker: job {id} {now}".AsMemory(), cancellationToken);
                told = now;
            }
            await Task.Delay(backoff.Next(), clock, cancellationToken);
        }
    }
}
