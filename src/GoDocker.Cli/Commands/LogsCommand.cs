using System.CommandLine;
using GoDocker.Cli.Output;

namespace GoDocker.Cli.Commands;

/// <summary>`godocker logs ID [--stderr] [-f]`: the job's output, written as it arrives.</summary>
internal static class LogsCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = JobIdArgument.Create();
        var stderr = new Option<bool>("--stderr") { Description = "The job's stderr instead of its stdout" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep writing as the job writes, until it ends (Ctrl-C stops)" };
        var command = new Command("logs", "Print a job's stdout (or stderr)") { id, stderr, follow };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = global.CreateClient(parse);
            var result = await client.OpenOutputAsync(parse.GetValue(id), parse.GetValue(stderr), parse.GetValue(follow), cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            using var body = result.Value;
            await using var stdout = Console.OpenStandardOutput();
            try
            {
                await body.CopyToAsync(stdout, cancellationToken);
            }
            catch (IOException e) when (StandardStreams.IsBrokenPipe(e))
            {
                // The reader went away (`godocker logs 7 | head`): stop quietly, as a pipeline expects.
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
