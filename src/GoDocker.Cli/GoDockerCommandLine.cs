using System.CommandLine;
using System.CommandLine.Invocation;
using GoDocker.Cli.Api;
using GoDocker.Cli.Commands;

namespace GoDocker.Cli;

/// <summary>The `godocker` command tree, and running one command line through it to an exit code.</summary>
internal static class GoDockerCommandLine
{
    /// <summary>Response files are off: an argv after -- (or a value like @home) must reach the job verbatim.</summary>
    public static ParserConfiguration Parsing { get; } = new() { ResponseFileTokenReplacer = null };

    public const string Name = "godocker";

    /// <summary>Every command, in the order help lists them, each by the name it is built with (a test checks they agree).</summary>
    internal static readonly (string Name, Func<GlobalOptions, Command> Create)[] Commands =
    [
        ("submit", global => new SubmitCommand(global).Command),
        ("jobs", JobsCommand.Create),
        ("show", ShowCommand.Create),
        ("top", TopCommand.Create),
        ("logs", LogsCommand.Create),
        ("kill", KillCommand.Create),
        ("run", RunCommand.Create),
        ("attach", AttachCommand.Create),
        ("exec", ExecCommand.Create),
        ("ssh-proxy", SshProxyCommand.Create),
        ("hold", global => JobControlCommand.Create(global, JobControl.Hold)),
        ("release", global => JobControlCommand.Create(global, JobControl.Release)),
        ("suspend", global => JobControlCommand.Create(global, JobControl.Suspend)),
        ("resume", global => JobControlCommand.Create(global, JobControl.Resume)),
        ("requeue", global => JobControlCommand.Create(global, JobControl.Requeue)),
        ("status", StatusCommand.Create),
        ("wait", WaitCommand.Create),
        ("array", ArrayCommand.Create),
        ("priority", PriorityCommand.Create),
        ("files", FilesCommand.Create),
        ("usage", UsageCommand.Create),
        ("purge", PurgeCommand.Create),
        ("history", HistoryCommand.Create),
        ("webhooks", WebhooksCommand.Create),
        ("quota", QuotaCommand.Create),
        ("health", HealthCommand.Create),
        ("nodes", NodesCommand.List),
        ("node", NodesCommand.Manage),
        ("login", LoginCommand.Create),
        ("logout", LoginCommand.CreateLogout),
        ("whoami", LoginCommand.CreateWhoAmI),
        ("images", AccountCommands.Images),
        ("user", AccountCommands.Users),
        ("project", AccountCommands.Projects),
        (ServerCommand.Name, _ => ServerCommand.Create()),
    ];

    /// <summary>The whole tree: for help, version, and command lines that name no command.</summary>
    public static Command Build() => Build(args: null);

    /// <summary>
    /// The tree for <paramref name="args"/>: when they name a command, that command alone under the root. Every option
    /// and command built costs a fresh process time (`godocker submit` runs once per job), and a parse never looks
    /// into commands other than the one named. Anything else (help, --version, a typo) gets the whole tree.
    /// </summary>
    public static Command Build(IReadOnlyList<string>? args)
    {
        var global = new GlobalOptions();
        // A Command, not RootCommand: see StandardOptions for why help and version are ours.
        var root = new Command(Name, "GoDocker: batch jobs in Docker containers.")
        {
            global.Url,
            StandardOptions.Help(),
            StandardOptions.Version(),
        };
        var named = args is null ? null : NamedCommand(args);
        foreach (var (name, create) in Commands)
        {
            if (named is null || name == named)
            {
                root.Subcommands.Add(create(global));
            }
        }
        return root;
    }

    /// <summary>
    /// The command the line names, when its first word (after the root's --url) is one of <see cref="Commands"/>;
    /// null when it starts with another option (help, --version) or names no command.
    /// </summary>
    internal static string? NamedCommand(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--url")
            {
                i++;
                continue;
            }
            if (arg.StartsWith("--url=", StringComparison.Ordinal) || arg.StartsWith("--url:", StringComparison.Ordinal))
            {
                continue;
            }
            if (arg.StartsWith('-'))
            {
                return null;
            }
            return Array.Exists(Commands, c => c.Name == arg) ? arg : null;
        }
        return null;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        ParseResult? parse = null;
        try
        {
            parse = Build(args).Parse(args, Parsing);
            if (parse.Action is ParseErrorAction)
            {
                var usage = await UsageErrors.WriteAsync(parse);
                return ExitCodes.PassesJobCode(parse) ? ExitCodes.OwnFailure : usage;
            }
            var invocation = new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                // Ctrl-C cancels the command's token; what it then does (run cancelling the job it queued) is a request to
                // the server, which a loaded one may answer after System.CommandLine's default 2 s, when it would end the
                // process and leave the job queued for nobody.
                ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
            };
            return await parse.InvokeAsync(invocation, CancellationToken.None);
        }
        catch (Exception e)
        {
            var (exitCode, line) = FailureReport.Describe(e);
            if (line is not null)
            {
                await Console.Error.WriteLineAsync(line);
            }
            var passesJobCode = parse is not null ? ExitCodes.PassesJobCode(parse) : NamedCommand(args) is "wait" or "run" or "attach" or "exec";
            return exitCode is not ExitCodes.Interrupted && passesJobCode ? ExitCodes.OwnFailure : exitCode;
        }
    }
}
