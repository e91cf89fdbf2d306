using System.CommandLine;
using GoDocker.Cli.Output;
using GoDocker.Contracts;

namespace GoDocker.Cli.Commands;

/// <summary>`godocker show ID`: every field of one job with its sampled usage, then its timeline.</summary>
internal static class ShowCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = JobIdArgument.Create();
        var output = OutputOption.Create("text", "json");
        var command = new Command("show", "Show one job in full, with its timeline") { id, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = global.CreateClient(parse);
            var result = await client.GetJobAsync(parse.GetValue(id), cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            if (parse.GetValue(output) == "json")
            {
                await JsonOutput.WriteAsync(result.Value, GoDockerJson.Default.JobView, cancellationToken);
            }
            else
            {
                // The usage is an addition: a server without it (older) or a job never sampled prints the rest alone.
                JobUsageView? usage = null;
                if (result.Value.StartedAt is not null && await client.GetUsageAsync(result.Value.Id, DateTimeOffset.MaxValue, cancellationToken) is { IsOk: true } measured)
                {
                    usage = measured.Value;
                }
                await Console.Out.WriteAsync(JobDetails.Render(result.Value, usage: usage).AsMemory(), cancellationToken);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
