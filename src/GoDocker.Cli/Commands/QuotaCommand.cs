using System.CommandLine;
using GoDocker.Cli.Limits;
using GoDocker.Cli.Output;
using GoDocker.Contracts;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker quota show|set`, as sacctmgr's associations: the shares, priority and quotas set for a user or project.
/// `set` changes only the settings it names (see <see cref="LimitsChange"/>).
/// </summary>
internal static class QuotaCommand
{
    public static Command Create(GlobalOptions global) =>
        new("quota", "Show or set users' and projects' shares, priority and quotas") { CreateShow(global), CreateSet(global) };

    private static Command CreateShow(GlobalOptions global)
    {
        var account = new AccountTarget("Only this user's", "Only this project's");
        var output = OutputOption.Create("table", "json");
        var command = new Command("show", "Show the settings of every account, or of one (\"-\": not set, the site default applies)") { output };
        account.AddTo(command, required: false);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (kind, name) = account.Read(parse);
            var result = await global.CreateClient(parse).LimitsAsync(kind, name, cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            var limits = name is null ? result.Value : [.. result.Value.Where(l => l.Kind == kind && l.Name == name)];
            return await WriteAsync(limits, parse.GetValue(output) == "json", cancellationToken);
        });
        return command;
    }

    private static Command CreateSet(GlobalOptions global)
    {
        var account = new AccountTarget("The user to change", "The project to change");
        var shares = LimitArguments.Number("--shares", "Fair-share shares");
        var priority = LimitArguments.SignedCount("--priority", "Priority added to every job's (fair share)");
        var maxJobs = LimitArguments.Count("--max-jobs", "Jobs running at once");
        var maxCpus = LimitArguments.Number("--max-cpus", "Cpus of running jobs");
        var maxMemory = LimitArguments.Size("--max-memory", "Memory of running jobs: 64G");
        var maxGpus = LimitArguments.Count("--max-gpus", "Gpus of running jobs");
        var maxCpuHours = LimitArguments.Number("--max-cpu-hours", "Cpu-hours over the quota window");
        var maxPending = LimitArguments.Count("--max-pending", "Pending jobs (checked at submit)");
        var clear = new Option<bool>("--clear") { Description = "Start from nothing set: remove every setting not given with this command" };
        var output = OutputOption.Create("table", "json");
        var command = new Command("set", "Admin: change an account's settings (the others keep their values)")
        {
            shares, priority, maxJobs, maxCpus, maxMemory, maxGpus, maxCpuHours, maxPending, clear, output,
        };
        account.AddTo(command, required: true);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var change = new LimitsChange
            {
                Clear = parse.GetValue(clear),
                Shares = parse.GetValue(shares),
                Priority = parse.GetValue(priority),
                MaxRunningJobs = parse.GetValue(maxJobs),
                MaxCpus = parse.GetValue(maxCpus),
                MaxMemoryBytes = parse.GetValue(maxMemory),
                MaxGpus = parse.GetValue(maxGpus),
                MaxCpuHours = parse.GetValue(maxCpuHours),
                MaxPendingJobs = parse.GetValue(maxPending),
            };
            if (change.IsEmpty)
            {
                throw new UsageException("quota set: nothing to change; give settings (--max-jobs N, --shares X...) or --clear");
            }
            var (kind, name) = account.Read(parse);
            var client = global.CreateClient(parse);
            // PUT replaces every setting: read what is set now to keep what this command does not name (unless --clear drops it anyway).
            AccountLimitsView? current = null;
            if (!change.Clear)
            {
                var read = await client.LimitsAsync(kind, name, cancellationToken);
                if (!read.IsOk)
                {
                    return await ProblemReport.WriteAsync(read.Problem, cancellationToken);
                }
                current = read.Value.FirstOrDefault(l => l.Kind == kind && l.Name == name);
            }
            var result = await client.SetLimitsAsync(kind!, name!, change.ApplyTo(current), cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            if (parse.GetValue(output) == "json")
            {
                await JsonOutput.WriteAsync(result.Value, GoDockerJson.Default.AccountLimitsView, cancellationToken);
                return ExitCodes.Ok;
            }
            return await WriteAsync([result.Value], json: false, cancellationToken);
        });
        return command;
    }

    private static async Task<int> WriteAsync(IReadOnlyList<AccountLimitsView> limits, bool json, CancellationToken cancellationToken)
    {
        if (json)
        {
            await JsonOutput.WriteAsync(limits, GoDockerJson.Default.IReadOnlyListAccountLimitsView, cancellationToken);
        }
        else
        {
            await Console.Out.WriteAsync(LimitsTable.Build(limits).Render().AsMemory(), cancellationToken);
        }
        return ExitCodes.Ok;
    }
}
