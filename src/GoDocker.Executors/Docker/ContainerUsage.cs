using Docker.DotNet.Models;
using GoDocker.Usage;

namespace GoDocker.Executors.Docker;

/// <summary>
/// A container's usage as its engine's stats API reports it (<c>GET /containers/{id}/stats?stream=false&amp;one-shot=true</c>),
/// read from cgroup v1 field names and from v2's where they differ.
/// </summary>
internal static class ContainerUsage
{
    /// <summary>The sample, or null when the engine has nothing to report (the container is not running: no read time, no process).</summary>
    public static UsageSample? From(ContainerStatsResponse stats)
    {
        if (stats.Read.Year <= 1 || stats.PidsStats?.Current is null or 0)
        {
            return null;
        }
        var memory = stats.MemoryStats?.Stats ?? new Dictionary<string, ulong>();
        // cgroup v1: total_* counts the container's whole hierarchy; v2's anon and file already do.
        var rss = Field(memory, "total_rss") ?? Field(memory, "anon") ?? Field(memory, "rss") ?? 0;
        var cache = Field(memory, "total_cache") ?? Field(memory, "file") ?? Field(memory, "cache") ?? 0;
        long read = 0, written = 0;
        foreach (var entry in stats.BlkioStats?.IoServiceBytesRecursive ?? [])
        {
            // v1 says Read/Write, v2 read/write; v1 also lists Total, which would count both twice.
            if (string.Equals(entry.Op, "read", StringComparison.OrdinalIgnoreCase))
            {
                read += (long)entry.Value;
            }
            else if (string.Equals(entry.Op, "write", StringComparison.OrdinalIgnoreCase))
            {
                written += (long)entry.Value;
            }
        }
        long received = 0, sent = 0;
        foreach (var network in stats.Networks?.Values ?? [])
        {
            received += (long)network.RxBytes;
            sent += (long)network.TxBytes;
        }
        return new UsageSample(
            new DateTimeOffset(DateTime.SpecifyKind(stats.Read, DateTimeKind.Utc)),
            (long)(stats.CPUStats?.CPUUsage?.TotalUsage ?? 0),
            rss,
            cache,
            read,
            written,
            received,
            sent,
            (long)stats.PidsStats.Current);
    }

    private static long? Field(IDictionary<string, ulong> fields, string name) => fields.TryGetValue(name, out var value) ? (long)value : null;
}
