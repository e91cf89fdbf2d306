using System.CommandLine;
using GoDocker.Cli.Output;
using GoDocker.Cli.Scripting;
using GoDocker.Contracts;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker kill ID... | --array ID | -u USER -n NAME --tag TAG`: asks the server to stop each job, every unfinished
/// task of an array, or every unfinished job matching all the filters given (as scancel -u/-n); one line per job
/// stopped; goes on past refusals and exits 1 if any.
/// </summary>
internal static class KillCommand
{
    public static Command Create(GlobalOptions global)
    {
        var ids = JobIdArgument.CreateMany();
        ids.Arity = ArgumentArity.ZeroOrMore;
        var array = JobIdArgument.ArrayOption("Kill every task of this array that has not ended");
        var user = new Option<string>("--user", "-u") { Description = "Kill the unfinished jobs of this user (all filters must hold)", HelpName = "LOGIN" };
        var name = new Option<string>("--name", "-n") { Description = "Kill the unfinished jobs with exactly this name, as scancel -n", HelpName = "NAME" };
        var tag = new Option<string>("--tag") { Description = "Kill the unfinished jobs with this tag", HelpName = "TAG" };
        var command = new Command("kill", "Stop jobs: by id, a whole array, or every unfinished job matching -u/-n/--tag") { ids, array, user, name, tag };
        command.Validators.Add(result =>
        {
            if (result.GetResult(ids) is not { Tokens.Count: > 0 } && result.GetResult(array) is null
                && result.GetResult(user) is null && result.GetResult(name) is null && result.GetResult(tag) is null)
            {
                result.AddError("kill: give job ids, --array ID, or a filter (-u LOGIN, -n NAME, --tag TAG)");
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
            var filter = new KillFilter { User = parse.GetValue(user), Name = parse.GetValue(name), Tag = parse.GetValue(tag) };
            if (!filter.IsEmpty)
            {
                var found = await filter.FindAsync(client, cancellationToken);
                if (!found.IsOk)
                {
                    return await ProblemReport.WriteAsync(found.Problem, cancellationToken);
                }
                // No match is not an error, as for scancel: the workflow manager may cancel jobs that already ended.
                var filtered = await JobControlCommand.ForEachAsync(found.Value.Select(j => j.Id), id => client.KillAsync(id, cancellationToken), Line, cancellationToken);
                exitCode = exitCode == ExitCodes.Ok ? filtered : exitCode;
            }
            return exitCode;
        });
        return command;
    }

    private static string Line(JobView job) => job.StopRequested is null ? $"{job.Id} {job.State}" : $"{job.Id} {job.State}, stopping";
}
