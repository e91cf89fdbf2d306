namespace GoDocker.Usage;

/// <summary>
/// One point of an attempt's kept series: one sample, or several adjacent ones merged (<see cref="Samples"/>).
/// Totals are the attempt's since its container started, carried over counter resets, so they never go down; peaks are
/// the largest value any merged sample saw; <see cref="CacheBytes"/> is a gauge (the latest merged sample's).
/// </summary>
/// <param name="At">When the latest merged sample was taken.</param>
/// <param name="Samples">How many samples the point stands for.</param>
public sealed record UsagePoint(
    DateTimeOffset At,
    int Samples,
    double CpuSeconds,
    long MaxRssBytes,
    long CacheBytes,
    long MaxPids,
    long BlockReadBytes,
    long BlockWriteBytes,
    long NetworkReceivedBytes,
    long NetworkSentBytes)
{
    /// <summary>This point followed by <paramref name="later"/>, as one: totals and gauges from the later, peaks the larger.</summary>
    public UsagePoint MergedWith(UsagePoint later) => later with
    {
        Samples = Samples + later.Samples,
        MaxRssBytes = Math.Max(MaxRssBytes, later.MaxRssBytes),
        MaxPids = Math.Max(MaxPids, later.MaxPids),
    };

    /// <summary>
    /// Cores used on average from <paramref name="earlier"/> (null: from <paramref name="since"/>, the attempt's start)
    /// to this point; null when no time passed. Never negative: totals never go down.
    /// </summary>
    public double? CpuCoresSince(UsagePoint? earlier, DateTimeOffset? since)
    {
        var from = earlier?.At ?? since;
        if (from is not { } start || At <= start)
        {
            return null;
        }
        return (CpuSeconds - (earlier?.CpuSeconds ?? 0)) / (At - start).TotalSeconds;
    }
}

/// <summary>A kept point and the attempt it belongs to, as a job's series is read back from the store.</summary>
public sealed record AttemptUsagePoint(int Attempt, int Index, UsagePoint Point);

/// <summary>
/// A change to an attempt's kept series, for the store: its points from <see cref="FromIndex"/> on are replaced by
/// <see cref="Points"/> (an append or an update of the last point is one point; a compaction rewrites from 0).
/// </summary>
public sealed record UsageWrite(long JobId, int Attempt, int FromIndex, IReadOnlyList<UsagePoint> Points);
