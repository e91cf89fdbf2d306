using System.CommandLine.Parsing;

namespace GoDocker.Cli.Submit;

/// <summary>KEY=VALUE option values (--env, --label): split at the first '=', so the value may hold more.</summary>
internal static class KeyValueArgument
{
    public static bool TrySplit(string text, out KeyValuePair<string, string> pair)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        pair = equals > 0 ? new(text[..equals], text[(equals + 1)..]) : default;
        return equals > 0;
    }

    /// <summary>Parse-time check, so a bad pair is a usage error naming the option.</summary>
    public static void Validate(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (!TrySplit(token.Value, out _))
            {
                result.AddError($"{result.IdentifierToken?.Value ?? result.Option.Name}: '{token.Value}' is not KEY=VALUE");
            }
        }
    }

    public static IReadOnlyList<KeyValuePair<string, string>> ParseAll(IEnumerable<string>? values) =>
        values is null ? [] : values.Select(v => TrySplit(v, out var pair) ? pair : throw new UsageException($"'{v}' is not KEY=VALUE")).ToList();
}
