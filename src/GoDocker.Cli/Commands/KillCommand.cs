using System.CommandLine;
using GoDocker.Cli.Output;
using GoDocker.Contracts;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker kill ID... | --array ID`: asks the server to stop each job, or every unfinished task of an array;
/// goes on past refusals and exits 1 if any.
/// </summary>
internal static class KillCommand
{
    public static Command Create(GlobalOptions global)
    {
        var ids = JobIdArgument.CreateMany();
        ids.Arity = ArgumentArity.ZeroOrMore;
        var array = JobIdArgument.ArrayOption("Kill every task of this array that has not ended");
        var command = new Command("kill", "Stop jobs, or a whole array") { ids, array };
        command.Validators.Add(result =>
        {
            if (result.GetResult(ids) is not { Tokens.Count: > 0 } && result.GetResult(array) is null)
            {
                result.AddError("kill: give job ids, or --array ID");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = global.CreateClient(parse);
            var exitCode = await JobControlCommand.ForEachAsync(parse.GetValue(ids) ?? [], id => client.KillAsync(id, cancellationToken), Line, cancellationToken);
            if (parse.GetValue(array) is { } arrayId)
            {
                var result = await client.KillArrayAsync(arrayId, cancellationToken);
                if (!result.IsOk)
                {
                    return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
                }
                await Console.Out.WriteLineAsync(ArrayReport.Summary(result.Value).AsMemory(), cancellationToken);
            }
            return exitCode;
        });
        return command;
    }

    private static string Line(JobView job) => job.StopRequested is null ? $"{job.Id} {job.State}" : $"{job.Id} {job.State}, stopping";
}
