using System.Globalization;

namespace GoDocker.Jobs;

/// <summary>When a job may start relative to another, as Slurm's --dependency types.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<DependencyKind>))]
public enum DependencyKind
{
    /// <summary>After the other job succeeded (exit 0).</summary>
    AfterOk,
    /// <summary>After the other job ended, however.</summary>
    AfterAny,
    /// <summary>After the other job ended without success (failed, killed, rejected).</summary>
    AfterNotOk,
}

/// <summary>One condition on another job; a job's conditions must all hold (Slurm's ',').</summary>
public sealed record Dependency(DependencyKind Kind, long JobId)
{
    /// <summary>The most conditions one job may have: each is evaluated on every cycle while the job waits.</summary>
    public const int MaxConditions = 1000;

    public override string ToString() => $"{Name(Kind)}:{JobId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Whether the condition holds, can still come to hold, or never will, given the other job's state (null: no such job).</summary>
    public DependencyStatus Evaluate(JobState? other) => other switch
    {
        null => DependencyStatus.Never,
        // Archived follows an end whose outcome is no longer kept: it ended (afterany), but ok or not is unknown.
        JobState.Archived => Kind == DependencyKind.AfterAny ? DependencyStatus.Met : DependencyStatus.Never,
        { } state when !state.IsTerminal() => DependencyStatus.Waiting,
        JobState.Succeeded => Kind is DependencyKind.AfterOk or DependencyKind.AfterAny ? DependencyStatus.Met : DependencyStatus.Never,
        _ => Kind is DependencyKind.AfterNotOk or DependencyKind.AfterAny ? DependencyStatus.Met : DependencyStatus.Never,
    };

    /// <summary>Parses "afterok:12:13,afterany:20" (every condition must hold).</summary>
    public static bool TryParseList(string text, out IReadOnlyList<Dependency> dependencies, out string? error)
    {
        var list = new List<Dependency>();
        dependencies = list;
        error = null;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split(':', StringSplitOptions.TrimEntries);
            if (pieces.Length < 2 || ParseKind(pieces[0]) is not { } kind)
            {
                error = $"'{part}' is not TYPE:JOBID[:JOBID...] with TYPE afterok, afterany or afternotok";
                return false;
            }
            foreach (var id in pieces[1..])
            {
                if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var jobId) || jobId <= 0)
                {
                    error = $"'{id}' in '{part}' is not a job id";
                    return false;
                }
                list.Add(new Dependency(kind, jobId));
                if (list.Count > MaxConditions)
                {
                    error = $"more than {MaxConditions} job ids";
                    return false;
                }
            }
        }
        return true;
    }

    public static string Name(DependencyKind kind) => kind switch
    {
        DependencyKind.AfterOk => "afterok",
        DependencyKind.AfterAny => "afterany",
        _ => "afternotok",
    };

    private static DependencyKind? ParseKind(string text) => text.ToLowerInvariant() switch
    {
        "afterok" => DependencyKind.AfterOk,
        "afterany" => DependencyKind.AfterAny,
        "afternotok" => DependencyKind.AfterNotOk,
        _ => null,
    };
}

public enum DependencyStatus
{
    Met,
    Waiting,
    Never,
}
