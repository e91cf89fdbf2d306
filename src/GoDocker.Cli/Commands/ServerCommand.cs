using System.CommandLine;
using System.CommandLine.Parsing;
using GoDocker.Cli.Server;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker server [args...]`: hands over to godocker-server. Program runs the handover before parsing when
/// "server" comes first, so even --help reaches the server; this command lists it in help and covers
/// `godocker --url X server ...`.
/// </summary>
internal static class ServerCommand
{
    public const string Name = "server";

    public static Command Create()
    {
        var rest = new Argument<string[]>("ARGS") { Description = "Passed to godocker-server unchanged", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command(Name, "Run the GoDocker server (hands over to godocker-server)") { rest };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            var tokens = parse.Tokens.ToList();
            var at = tokens.FindIndex(t => t.Type == TokenType.Command && t.Value == Name);
            return ServerHandover.Exec(tokens.Skip(at + 1).Select(t => t.Value).ToList());
        });
        return command;
    }
}
