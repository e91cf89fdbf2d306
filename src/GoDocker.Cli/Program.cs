using GoDocker.Cli;
using GoDocker.Cli.Commands;
using GoDocker.Cli.Server;

// `godocker server ...` is the server's command line, not ours: hand it over untouched (even --help) before any parsing.
if (args.Length > 0 && args[0] == ServerCommand.Name)
{
    return ServerHandover.Exec(args[1..]);
}
return await GoDockerCommandLine.RunAsync(args);
