using System.CommandLine;
using System.CommandLine.Invocation;
using GoDocker.Cli.Commands;

namespace GoDocker.Cli;

/// <summary>The `godocker` command tree, and running one command line through it to an exit code.</summary>
internal static class GoDockerCommandLine
{
    /// <summary>Response files are off: an argv after -- (or a value like @home) must reach the job verbatim.</summary>
    public static ParserConfiguration Parsing { get; } = new() { ResponseFileTokenReplacer = null };

    public const string Name = "godocker";

    public static Command Build()
    {
        var global = new GlobalOptions();
        // A Command, not RootCommand: see StandardOptions for why help and version are ours.
        return new Command(Name, "GoDocker: batch jobs in Docker containers.")
        {
            global.Url,
            StandardOptions.Help(),
            StandardOptions.Version(),
            new SubmitCommand(global).Command,
            JobsCommand.Create(global),
            ShowCommand.Create(global),
            LogsCommand.Create(global),
            KillCommand.Create(global),
            WaitCommand.Create(global),
            FilesCommand.Create(global),
            HealthCommand.Create(global),
            NodesCommand.List(global),
            NodesCommand.Manage(global),
            LoginCommand.Create(global),
            LoginCommand.CreateLogout(global),
            LoginCommand.CreateWhoAmI(global),
            AccountCommands.Images(global),
            AccountCommands.Users(global),
            AccountCommands.Projects(global),
            ServerCommand.Create(),
        };
    }

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            var parse = Build().Parse(args, Parsing);
            if (parse.Action is ParseErrorAction)
            {
                return await UsageErrors.WriteAsync(parse);
            }
            var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
            return await parse.InvokeAsync(invocation, CancellationToken.None);
        }
        catch (Exception e)
        {
            var (exitCode, line) = FailureReport.Describe(e);
            if (line is not null)
            {
                await Console.Error.WriteLineAsync(line);
            }
            return exitCode;
        }
    }
}
