using System.CommandLine;
using GoDocker.Cli.Api;
using GoDocker.Cli.Output;
using GoDocker.Contracts;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker hold|release|suspend|resume|requeue ID...`, as scontrol's: the action on each job in turn, one line per
/// job; goes on past refusals and exits 1 if any.
/// </summary>
internal static class JobControlCommand
{
    public static Command Create(GlobalOptions global, JobControl control)
    {
        var ids = JobIdArgument.CreateMany();
        var command = new Command(control.Name(), Description(control)) { ids };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = global.CreateClient(parse);
            return await ForEachAsync(parse.GetValue(ids) ?? [], id => client.ControlAsync(id, control, cancellationToken), Line, cancellationToken);
        });
        return command;
    }

    private static string Description(JobControl control) => control switch
    {
        JobControl.Hold => "Hold pending jobs: they wait until released",
        JobControl.Release => "Release held jobs",
        JobControl.Suspend => "Suspend running jobs (frozen, keeping their resources)",
        JobControl.Resume => "Resume suspended jobs",
        _ => "Stop running jobs and queue them again (their next attempt)",
    };

    /// <summary>Runs <paramref name="act"/> for each id in order, printing a line per answer and each refusal; 1 if any was refused.</summary>
    internal static async Task<int> ForEachAsync(
        IEnumerable<long> ids, Func<long, Task<ApiResult<JobView>>> act, Func<JobView, string> line, CancellationToken cancellationToken)
    {
        var exitCode = ExitCodes.Ok;
        foreach (var id in ids)
        {
            var result = await act(id);
            if (!result.IsOk)
            {
                exitCode = await ProblemReport.WriteAsync(ProblemReport.ForJob(result.Problem, id), cancellationToken);
                continue;
            }
            await Console.Out.WriteLineAsync(line(result.Value).AsMemory(), cancellationToken);
        }
        return exitCode;
    }

    /// <summary>"12 Pending, held by user"; "12 Running, stopping: requeued by alice".</summary>
    internal static string Line(JobView job)
    {
        var text = $"{job.Id} {job.State}";
        if (job.HeldBy is { } heldBy)
        {
            text += $", held by {heldBy}";
        }
        if (job.StopRequested is { } stop)
        {
            text += $", stopping: {stop}";
        }
        return text;
    }
}
