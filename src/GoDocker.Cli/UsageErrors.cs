using System.CommandLine;
using System.CommandLine.Parsing;

namespace GoDocker.Cli;

/// <summary>Parse errors as short stderr lines and a pointer to --help, instead of the whole help text.</summary>
internal static class UsageErrors
{
    public static async Task<int> WriteAsync(ParseResult parse)
    {
        foreach (var error in parse.Errors)
        {
            await Console.Error.WriteLineAsync($"godocker: {error.Message}");
        }
        await Console.Error.WriteLineAsync($"Try '{CommandPath(parse.CommandResult)} --help'.");
        return ExitCodes.Usage;
    }

    /// <summary>"godocker files get" for the command the parse got to.</summary>
    internal static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? result = command; result is not null; result = result.Parent)
        {
            if (result is CommandResult { Command: var c })
            {
                names.Add(c is RootCommand ? "godocker" : c.Name);
            }
        }
        names.Reverse();
        return string.Join(' ', names);
    }
}
