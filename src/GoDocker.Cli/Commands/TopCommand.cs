using System.CommandLine;
using GoDocker.Cli.Api;
using GoDocker.Cli.Output;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker top [ID...]`: what running jobs use now, refreshed every two seconds as docker stats and Slurm's sstat show it
/// (cpu as percent of one core, RSS against the job's memory limit, network and block IO so far, processes). Without ids:
/// the caller's running jobs. --no-stream prints once.
/// </summary>
internal static class TopCommand
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);

    public static Command Create(GlobalOptions global)
    {
        var ids = JobIdArgument.CreateMany();
        ids.Arity = ArgumentArity.ZeroOrMore;
        ids.Description = "Job ids (default: your running jobs)";
        var noStream = new Option<bool>("--no-stream") { Description = "Print once instead of refreshing" };
        var command = new Command("top", "Show what running jobs use now (cpu, memory, IO, processes), refreshing") { ids, noStream };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = global.CreateClient(parse);
            var given = parse.GetValue(ids) ?? [];
            var once = parse.GetValue(noStream);
            while (true)
            {
                var rows = new List<(long, string, JobUsageView?)>();
                IReadOnlyList<JobView> jobs;
                if (given.Length > 0)
                {
                    var found = new List<JobView>();
                    foreach (var id in given)
                    {
                        var job = await client.GetJobAsync(id, cancellationToken);
                        if (!job.IsOk)
                        {
                            return await ProblemReport.WriteAsync(job.Problem, cancellationToken);
                        }
                        found.Add(job.Value);
                    }
                    jobs = found;
                }
                else
                {
                    var me = await client.WhoAmIAsync(cancellationToken);
                    var list = await client.ListJobsAsync(new JobQuery
                    {
                        States = [JobState.Running, JobState.Suspended],
                        Owner = me.IsOk ? me.Value.Login : null,
                    }, cancellationToken);
                    if (!list.IsOk)
                    {
                        return await ProblemReport.WriteAsync(list.Problem, cancellationToken);
                    }
                    jobs = list.Value.Items;
                }
                foreach (var job in jobs)
                {
                    // Only the summary and what it uses now: no points (none is later than the end of time).
                    var usage = await client.GetUsageAsync(job.Id, DateTimeOffset.MaxValue, cancellationToken);
                    rows.Add((job.Id, job.Name, usage.IsOk ? usage.Value : null));
                }
                var text = UsageFigures.Top(rows).Render();
                if (once)
                {
                    await Console.Out.WriteAsync(text.AsMemory(), cancellationToken);
                    return ExitCodes.Ok;
                }
                // Home and clear, then the table: the screen shows one table at a time, as docker stats does.
                await Console.Out.WriteAsync(("\u001b[H\u001b[2J" + text).AsMemory(), cancellationToken);
                try
                {
                    await Task.Delay(Refresh, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return ExitCodes.Ok;
                }
            }
        });
        return command;
    }
}
