using System.CommandLine;
using GoDocker.Cli.Output;

namespace GoDocker.Cli.Commands;

/// <summary>`godocker kill ID...`: asks the server to stop each job; goes on past refusals and exits 1 if any.</summary>
internal static class KillCommand
{
    public static Command Create(GlobalOptions global)
    {
        var ids = JobIdArgument.CreateMany();
        var command = new Command("kill", "Stop jobs") { ids };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = global.CreateClient(parse);
            var exitCode = ExitCodes.Ok;
            foreach (var id in parse.GetValue(ids) ?? [])
            {
                var result = await client.KillAsync(id, cancellationToken);
                if (!result.IsOk)
                {
                    exitCode = await ProblemReport.WriteAsync(result.Problem, cancellationToken);
                    continue;
                }
                var job = result.Value;
                var line = job.StopRequested is null ? $"{job.Id} {job.State}" : $"{job.Id} {job.State}, stopping";
                await Console.Out.WriteLineAsync(line.AsMemory(), cancellationToken);
            }
            return exitCode;
        });
        return command;
    }
}
