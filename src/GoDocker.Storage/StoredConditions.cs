using GoDocker.Jobs;
using GoDocker.Scheduling;

namespace GoDocker.Storage;

/// <summary>
/// A job's constraints and dependencies as both stores keep them in a column of their own (for the scheduler's
/// snapshot, without the spec's JSON): the text written at submit, and reading it back. A condition read back wrong is
/// never dropped (the job would run where or when it must not): the job carries the error, and the cycle rejects it.
/// </summary>
internal static class StoredConditions
{
    /// <summary>"disk==ssd;zone!=b", or null when there is none.</summary>
    public static string? Constraints(ResolvedJobSpec spec) => spec.Constraints.Count == 0 ? null : string.Join(';', spec.Constraints);

    /// <summary>"afterok:12,afterany:13", or null when there is none.</summary>
    public static string? Dependencies(ResolvedJobSpec spec) => spec.Dependencies.Count == 0 ? null : string.Join(',', spec.Dependencies);

    public static (IReadOnlyList<Constraint> Constraints, string? Error) ParseConstraints(string text)
    {
        var constraints = new List<Constraint>();
        foreach (var piece in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Constraint.TryParse(piece, out var parsed, out var error))
            {
                return ([], $"its stored constraints '{text}' cannot be read back: {error}");
            }
            constraints.Add(parsed);
        }
        return (constraints, null);
    }

    public static (IReadOnlyList<Dependency> Dependencies, string? Error) ParseDependencies(string text) =>
        Dependency.TryParseList(text, out var parsed, out var error)
            ? (parsed, null)
            : ([], $"its stored dependencies '{text}' cannot be read back: {error}");
}
