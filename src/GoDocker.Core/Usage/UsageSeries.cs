namespace GoDocker.Usage;

/// <summary>
/// The kept usage series of one attempt of a job, built from its samples: at most <see cref="Capacity"/> points, so a job
/// of thirty days keeps its whole history at a coarser resolution. Every point stands for the same number of samples (its
/// step, a power of two); the newest point takes samples until it holds a step's worth. When the series is full, adjacent
/// points merge in pairs (totals and gauges keep the later value, peaks the larger) and the step doubles.
/// Counters are carried over resets (a container restarted starts its cgroup counters at zero), so totals never go down
/// and rates between points are never negative. Not thread-safe: one sampler adds to a series at a time.
/// </summary>
public sealed class UsageSeries
{
    /// <summary>Points kept per attempt unless the site says otherwise: 5 s samples stay whole for 30 minutes.</summary>
    public const int DefaultCapacity = 360;

    private readonly List<UsagePoint> points;
    private UsageSample? lastSample;
    private int step;
    // Set when points were resumed over capacity (the site lowered it): the next write rewrites the series.
    private bool rewrite;

    public UsageSeries(long jobId, int attempt, int capacity, DateTimeOffset? startedAt)
        : this(jobId, attempt, capacity, startedAt, [])
    {
    }

    private UsageSeries(long jobId, int attempt, int capacity, DateTimeOffset? startedAt, IEnumerable<UsagePoint> kept)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        JobId = jobId;
        Attempt = attempt;
        Capacity = capacity;
        StartedAt = startedAt;
        points = [.. kept];
        step = 1;
        while (step < points.Select(p => p.Samples).DefaultIfEmpty(1).Max())
        {
            step *= 2;
        }
        while (points.Count > capacity)
        {
            Compact();
            rewrite = true;
        }
    }

    /// <summary>
    /// The series of an attempt whose points were kept by an earlier sampler (another leader, or this one before a
    /// restart): new samples continue it. The first new sample's counters are taken as continuing the kept totals; one below
    /// them (the container's counters were reset, or carried over before) adds nothing: the gap's use is lost at most.
    /// </summary>
    public static UsageSeries Resume(long jobId, int attempt, int capacity, DateTimeOffset? startedAt, IReadOnlyList<UsagePoint> kept) =>
        new(jobId, attempt, capacity, startedAt, kept);

    public long JobId { get; }

    public int Attempt { get; }

    public int Capacity { get; }

    /// <summary>When the attempt's container started: the first point's cpu rate counts from it.</summary>
    public DateTimeOffset? StartedAt { get; }

    public IReadOnlyList<UsagePoint> Points => points;

    /// <summary>The latest sample's gauges and the cores used since the sample before (since the start for the first); null before any.</summary>
    public LiveUsage? Live { get; private set; }

    /// <summary>
    /// Adds one sample; returns what the store must write to keep the series as it is now, or null when the sample adds
    /// nothing (not later than the last one).
    /// </summary>
    public UsageWrite? Add(UsageSample sample)
    {
        if (lastSample is { } last && sample.At <= last.At)
        {
            return null;
        }
        var kept = points.Count > 0 ? points[^1] : null;
        var cpuDelta = Delta(sample.CpuNanoseconds, lastSample?.CpuNanoseconds, (long)Math.Round((kept?.CpuSeconds ?? 0) * 1e9)) / 1e9;
        var point = new UsagePoint(
            sample.At,
            1,
            (kept?.CpuSeconds ?? 0) + cpuDelta,
            sample.RssBytes,
            sample.CacheBytes,
            sample.Pids,
            (kept?.BlockReadBytes ?? 0) + Delta(sample.BlockReadBytes, lastSample?.BlockReadBytes, kept?.BlockReadBytes ?? 0),
            (kept?.BlockWriteBytes ?? 0) + Delta(sample.BlockWriteBytes, lastSample?.BlockWriteBytes, kept?.BlockWriteBytes ?? 0),
            (kept?.NetworkReceivedBytes ?? 0) + Delta(sample.NetworkReceivedBytes, lastSample?.NetworkReceivedBytes, kept?.NetworkReceivedBytes ?? 0),
            (kept?.NetworkSentBytes ?? 0) + Delta(sample.NetworkSentBytes, lastSample?.NetworkSentBytes, kept?.NetworkSentBytes ?? 0));
        var from = lastSample?.At ?? (kept is null ? StartedAt : null);
        Live = new LiveUsage(sample.At, from is { } f && sample.At > f ? cpuDelta / (sample.At - f).TotalSeconds : null,
            sample.RssBytes, sample.CacheBytes, sample.Pids);
        lastSample = sample;

        int fromIndex;
        if (kept is not null && kept.Samples < step)
        {
            points[^1] = kept.MergedWith(point);
            fromIndex = points.Count - 1;
        }
        else if (points.Count < Capacity)
        {
            points.Add(point);
            fromIndex = points.Count - 1;
        }
        else
        {
            Compact();
            if (points[^1].Samples < step)
            {
                points[^1] = points[^1].MergedWith(point);
            }
            else
            {
                points.Add(point);
            }
            fromIndex = 0;
        }
        if (rewrite)
        {
            rewrite = false;
            fromIndex = 0;
        }
        return new UsageWrite(JobId, Attempt, fromIndex, points[fromIndex..]);
    }

    /// <summary>The last write was not kept (the store failed): the next one rewrites the whole series, so none is missing.</summary>
    public void WriteLost() => rewrite = true;

    /// <summary>What the series measured, or null before any sample.</summary>
    public MeasuredUsage? Measured() => Summarize(points);

    /// <summary>The measured usage a kept series stands for; null when it has no point.</summary>
    public static MeasuredUsage? Summarize(IReadOnlyList<UsagePoint> series)
    {
        if (series.Count == 0)
        {
            return null;
        }
        var last = series[^1];
        return new MeasuredUsage(
            last.CpuSeconds,
            series.Max(p => p.MaxRssBytes),
            series.Max(p => p.MaxPids),
            last.BlockReadBytes,
            last.BlockWriteBytes,
            last.NetworkReceivedBytes,
            last.NetworkSentBytes,
            series.Sum(p => p.Samples),
            last.At);
    }

    /// <summary>
    /// How much a counter grew: from the last sample when there is one (a value below it means the counter started
    /// again from zero, so all of it is new); else from the kept total, never below zero.
    /// </summary>
    private static long Delta(long value, long? lastValue, long keptTotal) => lastValue switch
    {
        { } previous when value >= previous => value - previous,
        not null => value,
        null => Math.Max(0, value - keptTotal),
    };

    private void Compact()
    {
        var merged = new List<UsagePoint>((points.Count + 1) / 2);
        for (var i = 0; i < points.Count; i += 2)
        {
            merged.Add(i + 1 < points.Count ? points[i].MergedWith(points[i + 1]) : points[i]);
        }
        points.Clear();
        points.AddRange(merged);
        step *= 2;
    }
}

/// <summary>What an attempt uses now: the latest sample's gauges, and the cores used since the sample before.</summary>
public sealed record LiveUsage(DateTimeOffset At, double? CpuCores, long RssBytes, long CacheBytes, long Pids);
