namespace GoDocker.Usage;

/// <summary>
/// What one attempt of a job was measured to use, from its container's samples on the engine (as Slurm's
/// jobacct_gather: sampled, so a peak between two samples or the last seconds before the end may be missed).
/// Counters are totals since the container started; peaks are the largest value any sample saw.
/// </summary>
/// <param name="CpuSeconds">Cpu time used by every process of the container (user + system).</param>
/// <param name="MaxRssBytes">Largest resident set (anonymous memory, no page cache) a sample saw.</param>
/// <param name="MaxPids">Most processes and threads at once a sample saw.</param>
/// <param name="BlockReadBytes">Read from block devices.</param>
/// <param name="BlockWriteBytes">Written to block devices.</param>
/// <param name="NetworkReceivedBytes">Received on every network interface of the container.</param>
/// <param name="NetworkSentBytes">Sent on every network interface of the container.</param>
/// <param name="Samples">How many samples these figures come from.</param>
/// <param name="LastSampleAt">When the last of them was taken.</param>
public sealed record MeasuredUsage(
    double CpuSeconds,
    long MaxRssBytes,
    long MaxPids,
    long BlockReadBytes,
    long BlockWriteBytes,
    long NetworkReceivedBytes,
    long NetworkSentBytes,
    int Samples,
    DateTimeOffset LastSampleAt);

/// <summary>
/// The measured usage of a job's attempt, for whoever ends it (the executor's watch, a stop, a lost node): what the
/// sampler has so far, or null when nothing was measured (never sampled, or sampling is off).
/// </summary>
public interface IAttemptUsage
{
    ValueTask<MeasuredUsage?> MeasuredAsync(long jobId, int attempt, CancellationToken cancellationToken);
}
