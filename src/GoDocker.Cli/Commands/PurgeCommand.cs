using System.CommandLine;
using System.Globalization;
using System.Text;
using GoDocker.Cli.Output;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker purge --older-than 90d [--user U] [--state S]… [--dry-run]` (administrators): removes old ended jobs' directories
/// and records; their accounting records stay. --dry-run lists what would go and changes nothing.
/// </summary>
internal static class PurgeCommand
{
    public static Command Create(GlobalOptions global)
    {
        var olderThan = new Option<string>("--older-than") { Description = "Jobs that ended longer ago than this (30d, 12h, 90m, D-HH:MM:SS)", Required = true };
        var user = new Option<string?>("--user") { Description = "Only this user's jobs" };
        var states = new Option<string[]>("--state") { Description = "Only jobs that ended in this state (Succeeded, Failed, Killed, Rejected, Archived); repeatable", AllowMultipleArgumentsPerToken = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be removed; change nothing" };
        var output = OutputOption.Create("text", "json");
        var command = new Command("purge", "Remove old ended jobs (directories and records; accounting stays): administrators")
        {
            olderThan, user, states, dryRun, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new PurgeRequest
            {
                OlderThan = parse.GetValue(olderThan),
                User = parse.GetValue(user),
                States = parse.GetValue(states) is { Length: > 0 } given ? given : null,
                DryRun = parse.GetValue(dryRun),
            };
            var result = await global.CreateClient(parse).PurgeAsync(request, cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            if (parse.GetValue(output) == "json")
            {
                await JsonOutput.WriteAsync(result.Value, GoDockerJson.Default.PurgeView, cancellationToken);
                return ExitCodes.Ok;
            }
            await Console.Out.WriteAsync(Render(result.Value).AsMemory(), cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static string Render(PurgeView purge)
    {
        var table = new Table(new Column("JOB", Align.Right), new Column("USER"), new Column("STATE"), new Column("ENDED"), new Column("DIRECTORY"), new Column("SIZE", Align.Right));
        foreach (var job in purge.Jobs)
        {
            table.Add(job.Id.ToString(CultureInfo.InvariantCulture), job.Owner, job.State,
                job.EndedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? Display.None, job.Directory, ByteSize.Format(job.Bytes));
        }
        var text = new StringBuilder();
        if (purge.Count > 0)
        {
            text.Append(table.Render());
        }
        text.Append(CultureInfo.InvariantCulture, $"{(purge.DryRun ? "would remove" : "removed")} {purge.Count} job{(purge.Count == 1 ? "" : "s")}, {ByteSize.Format(purge.Bytes)} of job directories{(purge.DryRun ? " (dry run: nothing changed)" : "")}\n");
        if (purge.More)
        {
            text.Append("more jobs match: run it again\n");
        }
        return text.ToString();
    }
}
