using System.CommandLine;
using System.CommandLine.Parsing;
using GoDocker.Cli.Api;
using GoDocker.Cli.Output;
using GoDocker.Contracts;
using GoDocker.Jobs;
using JobSort = GoDocker.Storage.JobSort;

namespace GoDocker.Cli.Commands;

/// <summary>`godocker jobs`: the queue, like squeue. Without --all or --state only jobs that have not ended.</summary>
internal static class JobsCommand
{
    public static Command Create(GlobalOptions global)
    {
        var states = new Option<string[]>("--state", "-S")
        {
            Description = "Only jobs in this state (repeatable, or comma-separated)",
            HelpName = "STATE",
        };
        states.Validators.Add(ValidateStates);
        var owner = new Option<string>("--owner", "-u") { Description = "Only this owner's jobs", HelpName = "USER" };
        var project = new Option<string>("--project", "-p") { Description = "Only this project's jobs", HelpName = "PROJECT" };
        var tag = new Option<string>("--tag", "-t") { Description = "Only jobs with this tag", HelpName = "TAG" };
        var all = new Option<bool>("--all", "-a") { Description = "Include ended jobs" };
        var pending = new Option<bool>("--pending") { Description = "Only pending jobs, with when each is expected to start (= --state Pending)" };
        var array = JobIdArgument.ArrayOption("Only the tasks of this array");
        var limit = new Option<int?>("--limit", "-n") { Description = "At most this many jobs", HelpName = "N" };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is <= 0)
            {
                r.AddError("--limit must be at least 1");
            }
        });
        var name = new Option<string>("--name") { Description = "Only jobs whose name contains this text (ignoring case)", HelpName = "TEXT" };
        var sort = new Option<string>("--sort")
        {
            Description = $"Order by {string.Join(", ", JobSort.KeyNames)}; a leading - for descending (--sort=-submitted). Default: id",
            HelpName = "KEY",
        };
        sort.Validators.Add(r =>
        {
            if (!JobSort.TryParse(r.GetValueOrDefault<string>(), out _))
            {
                r.AddError($"--sort: '{r.GetValueOrDefault<string>()}' is not one of {string.Join(", ", JobSort.KeyNames)} (with a leading - for descending)");
            }
        });
        var output = OutputOption.Create("table", "json");

        var command = new Command("jobs", "List jobs") { states, owner, project, tag, name, all, pending, array, sort, limit, output };
        command.Validators.Add(result =>
        {
            if (result.GetValue(pending) && result.GetResult(states) is not null)
            {
                result.AddError("--pending is --state Pending: give one or the other");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<JobState> requested = parse.GetValue(pending) ? [JobState.Pending] : ParseStates(parse.GetValue(states));
            var query = new JobQuery
            {
                States = StatesToShow(requested, parse.GetValue(all)),
                Owner = parse.GetValue(owner),
                Project = parse.GetValue(project),
                Tag = parse.GetValue(tag),
                ArrayId = parse.GetValue(array),
                NameContains = string.IsNullOrEmpty(parse.GetValue(name)) ? null : parse.GetValue(name),
                Sort = parse.GetValue(sort) is { } sortText && JobSort.TryParse(sortText, out var order) ? order : null,
                Limit = parse.GetValue(limit),
            };
            var client = global.CreateClient(parse);
            var result = await client.ListJobsAsync(query, cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            var list = result.Value;
            if (parse.GetValue(output) == "json")
            {
                await JsonOutput.WriteAsync(list, GoDockerJson.Default.JobList, cancellationToken);
                return ExitCodes.Ok;
            }
            var table = ShowsPendingOnly(query.States) ? JobTable.BuildPending(list.Items) : JobTable.Build(list.Items);
            await Console.Out.WriteAsync(table.Render().AsMemory(), cancellationToken);
            if (list.Total > list.Offset + list.Items.Count)
            {
                await Console.Error.WriteLineAsync($"({list.Items.Count} of {list.Total} shown; see --limit)".AsMemory(), cancellationToken);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The states asked for; by default every state a job has not ended in; --all means no filter.</summary>
    internal static IReadOnlyList<JobState> StatesToShow(IReadOnlyList<JobState> requested, bool all) =>
        requested.Count > 0 ? requested
        : all ? []
        : Enum.GetValues<JobState>().Where(s => !s.IsTerminal()).ToList();

    /// <summary>Only pending jobs were asked for: the listing shows expected starts instead of states and nodes.</summary>
    internal static bool ShowsPendingOnly(IReadOnlyList<JobState> states) => states is [JobState.Pending];

    internal static IReadOnlyList<JobState> ParseStates(IEnumerable<string>? values) =>
        (values ?? [])
            .SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(v => Enum.TryParse<JobState>(v, ignoreCase: true, out var state) && !int.TryParse(v, out _)
                ? state
                : throw new UsageException($"'{v}' is not a job state"))
            .Distinct()
            .ToList();

    private static void ValidateStates(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            foreach (var value in token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Enum.TryParse<JobState>(value, ignoreCase: true, out _) || int.TryParse(value, out _))
                {
                    result.AddError($"--state: '{value}' is not a job state ({string.Join(", ", Enum.GetNames<JobState>())})");
                }
            }
        }
    }
}
