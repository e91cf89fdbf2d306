using GoDocker.Usage;

namespace GoDocker.Storage;

/// <summary>
/// Which accounting records to read (<see cref="IJobStore.ListAccountingAsync"/>): every filter given must match; the
/// time range is on the end time, <see cref="Since"/> included, <see cref="Until"/> excluded. Records come by job id, then
/// in the order they were kept (a job's requeued attempts before its last).
/// </summary>
public sealed record AccountingQuery
{
    public string? Owner { get; init; }
    public string? Project { get; init; }
    public IReadOnlyList<AccountedState>? States { get; init; }
    public IReadOnlyList<long>? JobIds { get; init; }
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public int Offset { get; init; }
    public int Limit { get; init; } = 100;
    /// <summary>Only records of jobs this caller may see; null = all (admins).</summary>
    public JobVisibility? VisibleTo { get; init; }
}

/// <summary>A page of accounting records and how many match in all.</summary>
public sealed record AccountingPage(IReadOnlyList<AccountingRecord> Items, long Total);
