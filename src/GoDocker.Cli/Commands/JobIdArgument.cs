using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace GoDocker.Cli.Commands;

/// <summary>The ID argument most commands take: a positive job number.</summary>
internal static class JobIdArgument
{
    public static Argument<long> Create() => new("ID") { Description = "Job id", CustomParser = r => Parse(r, r.Tokens[0].Value) };

    public static Argument<long[]> CreateMany() => new("ID")
    {
        Description = "Job ids",
        Arity = ArgumentArity.OneOrMore,
        CustomParser = r => r.Tokens.Select(t => Parse(r, t.Value)).ToArray(),
    };

    private static long Parse(ArgumentResult result, string text)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
        {
            return id;
        }
        result.AddError($"'{text}' is not a job id");
        return 0;
    }
}
