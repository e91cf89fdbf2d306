namespace GoDocker.Contracts;

/// <summary>
/// POST /api/v1/admin/purge: clear old ended jobs. One of olderThan (a duration: 30d, 12h, 90m) or endedBefore (a time) is
/// required; user and states narrow it. dryRun lists what would go and changes nothing.
/// </summary>
public sealed record PurgeRequest
{
    public string? OlderThan { get; init; }
    public DateTimeOffset? EndedBefore { get; init; }
    public string? User { get; init; }
    public IReadOnlyList<string>? States { get; init; }
    public bool DryRun { get; init; }
}

/// <summary>What a purge removed (or, in a dry run, would remove): the jobs, how many, and what their directories held.</summary>
public sealed record PurgeView(bool DryRun, int Count, long Bytes, IReadOnlyList<PurgedJobView> Jobs)
{
    /// <summary>More jobs match than one purge takes: run it again.</summary>
    public bool More { get; init; }
}

/// <summary>One job a purge removed or would remove; Directory is what it had (present, archived, removed) and Bytes what that held.</summary>
public sealed record PurgedJobView(long Id, string Owner, string State, DateTimeOffset? EndedAt, string Directory, long Bytes);
