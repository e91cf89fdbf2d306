namespace GoDocker.Storage;

/// <summary>What a job list can be ordered by: a closed set, so a store maps each to a fixed column and never orders by caller text.</summary>
public enum JobSortKey
{
    Id,
    Name,
    State,
    Owner,
    Project,
    Submitted,
    Started,
    Ended,
}

/// <summary>
/// The order of a job list: <see cref="Key"/> ascending or descending, then the job id in the same direction, so that
/// equal keys keep one order and pages never overlap or skip. Text keys (name, state, owner, project) compare by code
/// point; jobs without a start or end time come last in either direction when sorted by it.
/// Written as on the wire: <c>submitted</c>, <c>-submitted</c> (descending).
/// </summary>
public readonly record struct JobSort(JobSortKey Key, bool Descending)
{
    /// <summary>Oldest job first: the order of the list before it could be sorted, which scripts may rely on.</summary>
    public static JobSort Default => new(JobSortKey.Id, Descending: false);

    /// <summary>The keys as the wire spells them, for messages and help.</summary>
    public static IReadOnlyList<string> KeyNames { get; } = [.. Enum.GetValues<JobSortKey>().Select(Name)];

    /// <summary>Reads <c>key</c> or <c>-key</c>; null or empty is <see cref="Default"/>. Keys are lower case, as documented.</summary>
    public static bool TryParse(string? text, out JobSort sort)
    {
        sort = Default;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        var descending = text.StartsWith('-');
        var name = descending ? text[1..] : text;
        foreach (var key in Enum.GetValues<JobSortKey>())
        {
            if (string.Equals(Name(key), name, StringComparison.Ordinal))
            {
                sort = new JobSort(key, descending);
                return true;
            }
        }
        return false;
    }

    public override string ToString() => (Descending ? "-" : "") + Name(Key);

    private static string Name(JobSortKey key) => key.ToString().ToLowerInvariant();
}
