using System.CommandLine;
using GoDocker.Cli.Output;
using GoDocker.Contracts;

namespace GoDocker.Cli.Commands;

/// <summary>`godocker array ID`: an array's tasks by state, then every task (ended ones too).</summary>
internal static class ArrayCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = JobIdArgument.Create("Array id (as submit --array printed it)");
        var output = OutputOption.Create("table", "json");
        var command = new Command("array", "Show a job array: its tasks by state, then each task") { id, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var result = await global.CreateClient(parse).GetArrayAsync(parse.GetValue(id), cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            if (parse.GetValue(output) == "json")
            {
                await JsonOutput.WriteAsync(result.Value, GoDockerJson.Default.ArrayView, cancellationToken);
            }
            else
            {
                await Console.Out.WriteAsync(ArrayReport.Render(result.Value).AsMemory(), cancellationToken);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
