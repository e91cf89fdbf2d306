using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace GoDocker.Cli.Commands;

/// <summary>The ID argument most commands take: a positive job (or array) number.</summary>
internal static class JobIdArgument
{
    public static Argument<long> Create(string description = "Job id") =>
        new("ID") { Description = description, CustomParser = r => Parse(r, r.Tokens[0].Value) };

    public static Argument<long[]> CreateMany() => new("ID")
    {
        Description = "Job ids",
        Arity = ArgumentArity.OneOrMore,
        CustomParser = r => r.Tokens.Select(t => Parse(r, t.Value)).ToArray(),
    };

    /// <summary>An option naming an array by its id (the id `submit --array` printed).</summary>
    public static Option<long?> ArrayOption(string description) => new("--array")
    {
        Description = description,
        HelpName = "ID",
        CustomParser = r => Parse(r, r.Tokens[^1].Value),
    };

    private static long Parse(ArgumentResult result, string text)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
        {
            return id;
        }
        result.AddError($"'{text}' is not {(result.Parent is OptionResult ? "an array" : "a job")} id");
        return 0;
    }
}
