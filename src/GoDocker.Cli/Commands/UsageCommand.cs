using System.CommandLine;
using GoDocker.Cli.Limits;
using GoDocker.Cli.Output;
using GoDocker.Contracts;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker usage [--user U | --project P]`, as sshare: fair-share usage (decayed), the quota window's cpu-hours,
/// what runs and waits now, and the quota in force. Everyone sees their own and their projects'; admins everyone's.
/// </summary>
internal static class UsageCommand
{
    public static Command Create(GlobalOptions global)
    {
        var account = new AccountTarget("Only this user", "Only this project");
        var output = OutputOption.Create("table", "json");
        var command = new Command("usage", "Show fair-share usage, running totals and quotas of users and projects") { output };
        account.AddTo(command, required: false);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (kind, name) = account.Read(parse);
            var result = await global.CreateClient(parse).UsageAsync(
                kind == AccountTarget.User ? name : null, kind == AccountTarget.Project ? name : null, cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            if (parse.GetValue(output) == "json")
            {
                await JsonOutput.WriteAsync(result.Value, GoDockerJson.Default.IReadOnlyListAccountUsageView, cancellationToken);
                return ExitCodes.Ok;
            }
            await Console.Out.WriteAsync(UsageTable.Build(result.Value).Render().AsMemory(), cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }
}
