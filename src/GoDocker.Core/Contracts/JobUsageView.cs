using GoDocker.Usage;

namespace GoDocker.Contracts;

/// <summary>
/// GET /jobs/{id}/usage: what a job's attempt was measured to use (<see cref="Summary"/>), what it uses now while it runs
/// (<see cref="Live"/>), and the kept series (<see cref="Points"/>: every attempt's, or the one asked for; those after
/// <c>since</c> when given). Sampled: absent when the job never ran, sampling is off, or its node cannot be sampled.
/// </summary>
public sealed record JobUsageView(
    long JobId,
    string State,
    int Attempt,
    long MemoryLimitBytes,
    UsageSummaryView? Summary,
    LiveUsageView? Live,
    IReadOnlyList<UsagePointView> Points);

/// <summary>An attempt's measured totals and peaks; <see cref="AverageCpu"/> is cpu seconds over the time sampled since its start.</summary>
public sealed record UsageSummaryView(
    int Attempt,
    double CpuSeconds,
    double? AverageCpu,
    long MaxRssBytes,
    long MaxPids,
    long BlockReadBytes,
    long BlockWriteBytes,
    long NetworkReceivedBytes,
    long NetworkSentBytes,
    int Samples,
    DateTimeOffset LastSampleAt)
{
    public static UsageSummaryView From(int attempt, MeasuredUsage measured, DateTimeOffset? startedAt) => new(
        attempt, measured.CpuSeconds,
        startedAt is { } start && measured.LastSampleAt > start ? measured.CpuSeconds / (measured.LastSampleAt - start).TotalSeconds : null,
        measured.MaxRssBytes, measured.MaxPids, measured.BlockReadBytes, measured.BlockWriteBytes,
        measured.NetworkReceivedBytes, measured.NetworkSentBytes, measured.Samples, measured.LastSampleAt);
}

/// <summary>A running attempt now: cores used since the sample before, memory and processes at the latest sample.</summary>
public sealed record LiveUsageView(DateTimeOffset At, double? CpuCores, long RssBytes, long CacheBytes, long Pids);

/// <summary>One kept point: totals at <see cref="At"/>, the cores used since the point before, the peaks within it.</summary>
public sealed record UsagePointView(
    int Attempt,
    DateTimeOffset At,
    int Samples,
    double CpuSeconds,
    double? CpuCores,
    long MaxRssBytes,
    long CacheBytes,
    long MaxPids,
    long BlockReadBytes,
    long BlockWriteBytes,
    long NetworkReceivedBytes,
    long NetworkSentBytes);
