namespace GoDocker.Scheduling;

/// <summary>A condition on node labels: "disk==ssd" (the label has this value) or "gpu!=k80" (it has not, or is absent).</summary>
public sealed record Constraint(string Label, string Value, bool Equal)
{
    public bool IsMetBy(NodeInfo node) =>
        node.Labels.TryGetValue(Label, out var value) ? string.Equals(value, Value, StringComparison.Ordinal) == Equal : !Equal;

    public override string ToString() => $"{Label}{(Equal ? "==" : "!=")}{Value}";

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
                    constraint = new Constraint(label, value, equal);
                    return true;
                }
            }
        }
        error = $"'{text}' is not LABEL==VALUE or LABEL!=VALUE";
        return false;
    }
}
