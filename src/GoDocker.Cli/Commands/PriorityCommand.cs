using System.CommandLine;
using System.Globalization;
using GoDocker.Cli.Output;
using GoDocker.Contracts;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker priority ID`: a pending job's priority and its factors, as sprio shows them; with --set N an
/// administrator's adjustment is added to it (scontrol update job=ID nice/priority).
/// </summary>
internal static class PriorityCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = JobIdArgument.Create();
        var set = new Option<int?>("--set")
        {
            Description = "Admin: set the job's priority adjustment to N (added to its priority; negative lowers it; 0 removes it)",
            HelpName = "N",
        };
        var output = OutputOption.Create("table", "json");
        var command = new Command("priority", "Show a pending job's priority, its factors and its place in the queue") { id, set, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = global.CreateClient(parse);
            var json = parse.GetValue(output) == "json";
            if (parse.GetValue(set) is { } adjustment)
            {
                var changed = await client.SetPriorityAsync(parse.GetValue(id), adjustment, cancellationToken);
                if (!changed.IsOk)
                {
                    return await ProblemReport.WriteAsync(changed.Problem, cancellationToken);
                }
                if (json)
                {
                    await JsonOutput.WriteAsync(changed.Value, GoDockerJson.Default.JobView, cancellationToken);
                }
                else
                {
                    var line = $"{changed.Value.Id} priority adjustment {changed.Value.PriorityAdjustment.ToString("+0;-0;0", CultureInfo.InvariantCulture)}";
                    await Console.Out.WriteLineAsync(line.AsMemory(), cancellationToken);
                }
                return ExitCodes.Ok;
            }
            var result = await client.GetPriorityAsync(parse.GetValue(id), cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            if (json)
            {
                await JsonOutput.WriteAsync(result.Value, GoDockerJson.Default.PriorityView, cancellationToken);
            }
            else
            {
                await Console.Out.WriteAsync(PriorityReport.Render(result.Value).AsMemory(), cancellationToken);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
