using GoDocker.Usage;

namespace GoDocker.Storage;

/// <summary>
/// The kept usage series of jobs' attempts (<see cref="UsageSeries"/>), so a restart or a new leader loses only the gap.
/// Written by the leader's sampler, read by any server. Points are numbered per (job, attempt) from 0.
/// </summary>
public interface IUsageStore
{
    /// <summary>
    /// Applies every write in one transaction: each replaces its attempt's points from its index on (what was there
    /// from that index is removed, the given points take their places). Nothing else is touched.
    /// </summary>
    ValueTask WriteUsageAsync(IReadOnlyList<UsageWrite> writes, CancellationToken cancellationToken);

    /// <summary>
    /// A job's kept points by attempt then index: every attempt's, or only <paramref name="attempt"/>'s; only those taken
    /// after <paramref name="since"/> when given (an incremental read: a point still taking samples comes again).
    /// </summary>
    ValueTask<IReadOnlyList<AttemptUsagePoint>> ReadUsageAsync(long jobId, int? attempt, DateTimeOffset? since, CancellationToken cancellationToken);
}
