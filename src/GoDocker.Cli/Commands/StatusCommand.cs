using System.CommandLine;
using System.Text.Json;
using GoDocker.Cli.Output;
using GoDocker.Cli.Scripting;
using GoDocker.Contracts;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker status ID...`: one word per job and line (running, success, failed; see <see cref="StatusWord"/>), for
/// workflow managers' status scripts. A job the server will not show (unknown, or not the caller's) gets no word: its
/// refusal goes to stderr and the exit status is non-zero, after the other jobs' lines. Printing "failed" for it
/// would make Snakemake give up on a job that may be running fine behind a wrong token or a restarting server; a
/// failing status script is retried instead.
/// </summary>
internal static class StatusCommand
{
    public static Command Create(GlobalOptions global)
    {
        var ids = JobIdArgument.CreateMany();
        var output = OutputOption.Create("word", "json");
        var command = new Command("status", "Print running, success or failed for each job (for workflow managers' status scripts)") { ids, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = global.CreateClient(parse);
            var json = parse.GetValue(output) == "json";
            var exitCode = ExitCodes.Ok;
            var seen = new List<JobView>();
            foreach (var id in parse.GetValue(ids) ?? [])
            {
                var result = await client.GetJobAsync(id, cancellationToken);
                if (!result.IsOk)
                {
                    exitCode = await ProblemReport.WriteAsync(ProblemReport.ForJob(result.Problem, id), cancellationToken);
                    continue;
                }
                if (json)
                {
                    seen.Add(result.Value);
                }
                else
                {
                    await Console.Out.WriteLineAsync(StatusWord.Of(result.Value).AsMemory(), cancellationToken);
                }
            }
            if (json)
            {
                await Console.Out.WriteAsync(Json(seen).AsMemory(), cancellationToken);
            }
            return exitCode;
        });
        return command;
    }

    /// <summary>[{"id":12,"state":"Failed","status":"failed","exitCode":137,"endCause":"OutOfMemory"}, ...] plus a newline.</summary>
    internal static string Json(IEnumerable<JobView> jobs)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var job in jobs)
            {
                writer.WriteStartObject();
                writer.WriteNumber("id", job.Id);
                writer.WriteString("state", job.State.ToString());
                writer.WriteString("status", StatusWord.Of(job));
                if (job.ExitCode is { } code)
                {
                    writer.WriteNumber("exitCode", code);
                }
                else
                {
                    writer.WriteNull("exitCode");
                }
                if (job.EndCause is { } cause)
                {
                    writer.WriteString("endCause", cause.ToString());
                }
                else
                {
                    writer.WriteNull("endCause");
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
