using GoDocker.Cli;
using GoDocker.Cli.Commands;
using GoDocker.Cli.Server;

// Called as godocker-kill, godocker-status, ... (links to this binary): the command is in the program's name, for
// tools that run one program without a shell (Snakemake's --cluster-cancel looks for a program named "godocker kill").
args = MultiCall.Args(MultiCall.ProgramName(), args);

// `godocker server ...` is the server's command line, not ours: hand it over untouched (even --help) before any parsing.
if (args.Length > 0 && args[0] == ServerCommand.Name)
{
    return ServerHandover.Exec(args[1..]);
}
return await GoDockerCommandLine.RunAsync(args);
