using System.CommandLine;
using GoDocker.Cli.Output;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker logs ID [--stderr] [-f]`: the job's output, written as it arrives. For a job given --stdout (--stderr), one
/// line on stderr says where its output went, then the job directory's file follows as usual (exit 0, as for any job).
/// </summary>
internal static class LogsCommand
{
    /// <summary>The server's header naming the file a job sent this stream to (--stdout/--stderr).</summary>
    private const string OutputPathHeader = "GoDocker-Output-Path";

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
            if (body.Header(OutputPathHeader) is { } elsewhere)
            {
                // As sbatch -o: the output is in the file the job named, which only the job opens. The job directory's
                // file still follows: empty, or the shell's word on why that file could not be opened.
                var stream = parse.GetValue(stderr) ? "stderr" : "stdout";
                await Console.Error.WriteLineAsync(
                    $"godocker: job {parse.GetValue(id)}'s {stream} goes to {Uri.UnescapeDataString(elsewhere)} (--{stream}), not the job directory".AsMemory(), cancellationToken);
            }
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
