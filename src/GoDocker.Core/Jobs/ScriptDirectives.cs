namespace GoDocker.Jobs;

/// <summary>
/// Reads the options a batch script carries in its leading comment block, as #SBATCH does for Slurm:
/// <c>#GODOCKER --cpus 2 --mem 4G</c>. Directives stop at the first line that is not a comment or blank.
/// Returns the arguments in order; command-line flags given by the user are applied after them and win.
/// </summary>
public static class ScriptDirectives
{
    public const string Prefix = "#GODOCKER";

    public static IReadOnlyList<string> Read(string script)
    {
        var args = new List<string>();
        using var reader = new StringReader(script);
        var first = true;
        while (reader.ReadLine() is { } line)
        {
            var trimmed = line.Trim();
            if (first && trimmed.StartsWith("#!", StringComparison.Ordinal))
            {
                first = false;
                continue;
            }
            first = false;
            if (trimmed.Length == 0)
            {
                continue;
            }
            if (!trimmed.StartsWith('#'))
            {
                break;
            }
            if (trimmed.StartsWith(Prefix, StringComparison.Ordinal) && (trimmed.Length == Prefix.Length || char.IsWhiteSpace(trimmed[Prefix.Length])))
            {
                args.AddRange(Split(trimmed[Prefix.Length..]));
            }
        }
        return args;
    }

    /// <summary>Splits on whitespace, honouring single and double quotes; a trailing '#' comment ends the line.</summary>
    public static IEnumerable<string> Split(string text)
    {
        var current = new System.Text.StringBuilder();
        var inToken = false;
        char quote = '\0';
        foreach (var c in text)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    current.Append(c);
                }
                continue;
            }
            if (c is '"' or '\'')
            {
                quote = c;
                inToken = true;
                continue;
            }
            if (c == '#' && !inToken)
            {
                break;
            }
            if (char.IsWhiteSpace(c))
            {
                if (inToken)
                {
                    yield return current.ToString();
                    current.Clear();
                    inToken = false;
                }
                continue;
            }
            current.Append(c);
            inToken = true;
        }
        if (inToken)
        {
            yield return current.ToString();
        }
    }
}
