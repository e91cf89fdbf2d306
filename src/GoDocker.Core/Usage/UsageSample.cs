namespace GoDocker.Usage;

/// <summary>
/// One reading of a container's usage from its engine, as the engine counts it: counters are totals since the
/// container's cgroup was made (a restart of the container starts them again from zero), gauges are the value now.
/// </summary>
/// <param name="At">When the engine read it.</param>
/// <param name="CpuNanoseconds">Counter: cpu time of every process of the container (user + system).</param>
/// <param name="RssBytes">Gauge: anonymous memory (cgroup v1 total_rss, v2 anon), without the page cache.</param>
/// <param name="CacheBytes">Gauge: page cache (v1 total_cache, v2 file).</param>
/// <param name="BlockReadBytes">Counter: read from block devices.</param>
/// <param name="BlockWriteBytes">Counter: written to block devices.</param>
/// <param name="NetworkReceivedBytes">Counter: received on every interface.</param>
/// <param name="NetworkSentBytes">Counter: sent on every interface.</param>
/// <param name="Pids">Gauge: processes and threads now.</param>
public sealed record UsageSample(
    DateTimeOffset At,
    long CpuNanoseconds,
    long RssBytes,
    long CacheBytes,
    long BlockReadBytes,
    long BlockWriteBytes,
    long NetworkReceivedBytes,
    long NetworkSentBytes,
    long Pids);
