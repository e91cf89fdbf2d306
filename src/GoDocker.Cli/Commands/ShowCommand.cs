using System.CommandLine;
using GoDocker.Cli.Output;
using GoDocker.Contracts;

namespace GoDocker.Cli.Commands;

/// <summary>`godocker show ID`: every field of one job, then its timeline.</summary>
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
                await Console.Out.WriteAsync(JobDetails.Render(result.Value).AsMemory(), cancellationToken);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
