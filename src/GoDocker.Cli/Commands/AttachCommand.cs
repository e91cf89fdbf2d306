using System.CommandLine;
using GoDocker.Cli.Exec;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker attach ID [--detach-keys KEYS] [--logs]`, as `docker attach` and Slurm's `sattach`: joins a running
/// interactive job's terminal (one that `godocker run -it` started, from this or another machine), through the server.
/// </summary>
internal static class AttachCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = JobIdArgument.Create("The running interactive job to attach to");
        var detachKeys = DetachKeysOption();
        var logs = new Option<bool>("--logs") { Description = "Show the terminal's recent output first (the engine keeps its last megabyte)" };
        var attach = new Command("attach", "Attach to a running interactive job's terminal") { id, detachKeys, logs };
        attach.SetAction(async (parse, cancellationToken) =>
        {
            var keys = DetachKeys.Parse(parse.GetValue(detachKeys)!);
            return await JobTerminal.AttachAsync(global.CreateClient(parse), parse.GetValue(id), keys, parse.GetValue(logs), cancellationToken);
        });
        return attach;
    }

    public static Option<string> DetachKeysOption() => new("--detach-keys")
    {
        Description = $"The keys that detach and leave the job running (default {DetachKeys.Default})",
        HelpName = "KEYS",
        DefaultValueFactory = _ => DetachKeys.Default,
    };
}
