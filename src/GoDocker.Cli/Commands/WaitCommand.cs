using System.CommandLine;
using GoDocker.Cli.Api;
using GoDocker.Cli.Output;
using GoDocker.Cli.Wait;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Commands;

/// <summary>`godocker wait ID [--timeout SECONDS]`: polls until the job ends, then exits as the job did (see <see cref="WaitOutcome"/>).</summary>
internal static class WaitCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = JobIdArgument.Create();
        var timeout = new Option<double?>("--timeout") { Description = "Give up after this many seconds (exit 124)", HelpName = "SECONDS" };
        timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is <= 0)
            {
                r.AddError("--timeout must be more than 0 seconds");
            }
        });
        var command = new Command("wait", "Wait for a job to end; exit with its exit code") { id, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = global.CreateClient(parse);
            var limit = parse.GetValue(timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            return await WaitAsync(client, parse.GetValue(id), limit, TimeProvider.System, cancellationToken);
        });
        return command;
    }

    /// <summary>Polls with <see cref="PollBackoff"/>; the limit bounds the whole wait, requests included.</summary>
    private static async Task<int> WaitAsync(GoDockerClient client, long id, TimeSpan? limit, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (limit is { } max)
        {
            deadline.CancelAfter(max);
        }
        var backoff = new PollBackoff();
        JobView? last = null;
        var toldLost = false;
        try
        {
            while (true)
            {
                try
                {
                    var result = await client.GetJobAsync(id, deadline.Token);
                    if (!result.IsOk)
                    {
                        return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
                    }
                    last = result.Value;
                    toldLost = false;
                }
                catch (ServerUnreachableException e) when (last is not null)
                {
                    // The job was seen, so the server exists: ride out a restart rather than abandon a long wait.
                    if (!toldLost)
                    {
                        await Console.Error.WriteLineAsync($"godocker: {e.Message}; still waiting".AsMemory(), cancellationToken);
                        toldLost = true;
                    }
                }

                if (last.State.IsTerminal())
                {
                    if (WaitOutcome.Describe(last) is { } line)
                    {
                        await Console.Error.WriteLineAsync(line.AsMemory(), cancellationToken);
                    }
                    return WaitOutcome.ExitCodeFor(last);
                }
                await Task.Delay(backoff.Next(), clock, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && limit is { } waited)
        {
            var state = last is null ? "not seen" : $"still {last.State}";
            await Console.Error.WriteLineAsync($"godocker: job {id} is {state} after {waited.TotalSeconds:0.###} s".AsMemory(), cancellationToken);
            return ExitCodes.TimedOut;
        }
    }
}
