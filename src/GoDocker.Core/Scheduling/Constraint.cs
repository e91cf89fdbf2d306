using System.Text.RegularExpressions;

namespace GoDocker.Scheduling;

/// <summary>A condition on node labels: "disk==ssd" (the label has this value) or "gpu!=k80" (it has not, or is absent).</summary>
public sealed partial record Constraint(string Label, string Value, bool Equal)
{
    public bool IsMetBy(NodeInfo node) =>
        node.Labels.TryGetValue(Label, out var value) ? string.Equals(value, Value, StringComparison.Ordinal) == Equal : !Equal;

    public override string ToString() => $"{Label}{(Equal ? "==" : "!=")}{Value}";

    // What a node label may be called (NodesConfiguration checks the same at start). \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,62}\z")]
    private static partial Regex LabelPattern();

    /// <summary>
    /// Parses one constraint. A value may not hold ';' or ',' (the store keeps a job's constraints joined with ';', the
    /// cycle names a set of them joined with ','), nor control characters: one text is one constraint, read back the same.
    /// </summary>
    public static bool TryParse(string text, out Constraint constraint, out string? error)
    {
        constraint = null!;
        error = null;
        foreach (var (op, equal) in new[] { ("==", true), ("!=", false) })
        {
            var at = text.IndexOf(op, StringComparison.Ordinal);
            if (at > 0 && at + op.Length < text.Length)
            {
                var label = text[..at].Trim();
                var value = text[(at + op.Length)..].Trim();
                if (label.Length > 0 && value.Length > 0)
                {
                    if (!LabelPattern().IsMatch(label))
                    {
                        error = $"'{text}': the label '{label}' is not 1 to 63 of letters, digits, '.', '_', '-', '/'";
                        return false;
                    }
                    if (value.Length > 256 || value.Any(c => c is ';' or ',' || char.IsControl(c)))
                    {
                        error = $"'{text}': the value is up to 256 characters, without ';', ',' or control characters (give one constraint per item)";
                        return false;
                    }
                    constraint = new Constraint(label, value, equal);
                    return true;
                }
            }
        }
        error = $"'{text}' is not LABEL==VALUE or LABEL!=VALUE";
        return false;
    }
}
