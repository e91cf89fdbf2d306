using System.CommandLine.Parsing;

namespace GoDocker.Cli.Submit;

/// <summary>
/// Slurm's --export: NONE (the default), or VAR[,VAR=VALUE...] — each named variable of the submitting environment,
/// or the value given, set in the job's environment. ALL is refused: the job runs in an image, not on this host, and
/// the host's PATH, HOME, LD_LIBRARY_PATH, PYTHONPATH, TMPDIR... would point it at directories that are not there or
/// are another system's. Name what the job needs instead.
/// </summary>
internal static class ExportArgument
{
    public const string None = "NONE";
    public const string All = "ALL";

    public const string AllRefused =
        "--export ALL is refused: the job runs in its image, where this host's PATH, HOME and library paths are wrong; "
        + "name the variables it needs (--export VAR,VAR=VALUE) or give them with -e KEY=VALUE";

    public static void Validate(OptionResult result)
    {
        var option = result.IdentifierToken?.Value ?? result.Option.Name;
        foreach (var token in result.Tokens)
        {
            foreach (var item in token.Value.Split(','))
            {
                var name = item.Split('=', 2)[0];
                if (name == All)
                {
                    result.AddError($"{option}: {AllRefused}");
                    return;
                }
                if (name == None && item == name)
                {
                    continue;
                }
                if (!IsName(name))
                {
                    result.AddError($"{option}: '{item}' is not VAR or VAR=VALUE (or NONE)");
                    return;
                }
            }
        }
    }

    /// <summary>
    /// The pairs to set, in order. A named variable that is not set here is left out, as sbatch does: a workflow
    /// exporting an optional variable must not fail for its absence.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Resolve(IEnumerable<string>? values, Func<string, string?> environment)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var item in (values ?? []).SelectMany(v => v.Split(',')))
        {
            if (item == None)
            {
                continue;
            }
            if (KeyValueArgument.TrySplit(item, out var pair))
            {
                pairs.Add(pair);
            }
            else if (environment(item) is { } value)
            {
                pairs.Add(new(item, value));
            }
        }
        return pairs;
    }

    private static bool IsName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
