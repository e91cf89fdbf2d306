using System.CommandLine.Parsing;
using GoDocker.Jobs;
using GoDocker.Scheduling;

namespace GoDocker.Cli.Submit;

/// <summary>
/// --constraint, --array and --dependency, checked at parse time with the very parsers the server validates with,
/// so a typo is a usage error naming the option before anything is sent.
/// </summary>
internal static class SchedulingArguments
{
    /// <summary>Slurm joins features with '&amp;' in one --constraint; here each piece is one LABEL==VALUE or LABEL!=VALUE.</summary>
    public static IReadOnlyList<string> SplitConstraints(IEnumerable<string>? values) =>
        values is null
            ? []
            : values.SelectMany(v => v.Split('&', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    public static void ValidateConstraints(OptionResult result)
    {
        foreach (var piece in SplitConstraints(result.Tokens.Select(t => t.Value)))
        {
            if (!Constraint.TryParse(piece, out _, out var error))
            {
                result.AddError($"--constraint: {error}");
            }
        }
    }

    public static void ValidateArray(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (!ArraySpec.TryParse(token.Value, out _, out var error))
            {
                var what = error!.StartsWith('\'') ? error : $"'{token.Value}': {error}";
                result.AddError($"--array: {what} (e.g. 1-100, 1-100:2%10, 1,3,5-7)");
            }
        }
    }

    public static void ValidateDependency(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (!Dependency.TryParseList(token.Value, out _, out var error))
            {
                result.AddError($"--dependency: {error}");
            }
        }
    }
}
