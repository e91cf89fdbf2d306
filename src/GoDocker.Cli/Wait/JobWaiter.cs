using GoDocker.Cli.Api;
using GoDocker.Cli.Output;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Wait;

/// <summary>
/// Waits for one job to end and turns its end into this process's exit status (see <see cref="WaitOutcome"/>):
/// `godocker wait` and `godocker submit --wait` share it, so a script sees the same codes from both: the job's, or
/// <see cref="ExitCodes.TimedOut"/>, <see cref="ExitCodes.OwnFailure"/>, <see cref="ExitCodes.Interrupted"/>.
/// </summary>
internal static class JobWaiter
{
    /// <summary>Polls with <see cref="PollBackoff"/>; the limit bounds the whole wait, requests included.</summary>
    public static async Task<int> WaitAsync(GoDockerClient client, long id, TimeSpan? limit, TimeProvider clock, CancellationToken cancellationToken)
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
                        await ProblemReport.WriteAsync(result.Problem, cancellationToken);
                        return ExitCodes.OwnFailure;
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
