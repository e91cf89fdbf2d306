using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using Prometheus;

namespace GoDocker.Server.Monitoring;

/// <summary>
/// This server's Prometheus instruments, in a registry of their own (no library defaults beyond the process's figures),
/// served at GET /metrics (<see cref="MetricsApi"/>). The counters and histograms are this process's: each server counts
/// what it did, so `sum` them over servers. The gauges read at scrape time from the store (<see cref="ClusterGauges"/>) are
/// store-wide: every server on one database reports the same figures, so `max by (...)` them. docs/monitoring.md lists them.
/// </summary>
public sealed class ServerMetrics
{
    public const string Prefix = "godocker_";

    private readonly Counter submissions;
    private readonly Counter launches;
    private readonly Counter ends;
    private readonly Histogram cycleDuration;
    private readonly Histogram launchLatency;
    private readonly Histogram requestDuration;
    private readonly Histogram storeDuration;
    private readonly Gauge pending;

    public ServerMetrics(string version)
    {
        Registry = Metrics.NewCustomRegistry();
        // process_cpu_seconds_total, process_resident_memory_bytes, dotnet_collection_count_total, … (cheap, no listeners).
        DotNetStats.Register(Registry);
        Factory = Metrics.WithCustomRegistry(Registry);
        Factory.CreateGauge(Prefix + "build_info", "Always 1: the server's version as a label.", ["version"]).WithLabels(version).Set(1);
        submissions = Factory.CreateCounter(Prefix + "jobs_submitted_total", "Jobs stored by submissions to this server (each array task counts), by project.", ["project"]);
        launches = Factory.CreateCounter(Prefix + "job_launches_total", "Containers this server started for jobs (the job is Running), by node.", ["node"]);
        ends = Factory.CreateCounter(Prefix + "job_ends_total",
            "Attempts this server's executor loop ended, by cause (EndCause) and the state the job went to (pending: requeued).", ["cause", "state"]);
        cycleDuration = Factory.CreateHistogram(Prefix + "scheduling_cycle_duration_seconds",
            "One scheduling cycle of the leader: read, order, admit, place, apply the plan.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        launchLatency = Factory.CreateHistogram(Prefix + "job_launch_latency_seconds",
            "From a job's placement (Scheduled) to its container running.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 2, 14) });
        requestDuration = Factory.CreateHistogram(Prefix + "http_request_duration_seconds",
            "API requests by method, route template (never the raw path) and status code.",
            new HistogramConfiguration { LabelNames = ["method", "route", "code"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });
        storeDuration = Factory.CreateHistogram(Prefix + "store_operation_duration_seconds",
            "Job store operations (IJobStore methods) by operation, faults included.",
            new HistogramConfiguration { LabelNames = ["operation"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        pending = Factory.CreateGauge(Prefix + "pending_jobs",
            "Pending jobs by the kind of their reason, as the leader's last cycle left them (only the leader reports it).", ["kind"]);
    }

    /// <summary>Everything /metrics serves.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>For the instruments kept elsewhere (<see cref="ClusterGauges"/>).</summary>
    internal IMetricFactory Factory { get; }

    /// <summary>One submission stored <paramref name="jobs"/> jobs (an array's tasks) in <paramref name="project"/>.</summary>
    public void Submitted(string project, int jobs) => submissions.WithLabels(project).Inc(jobs);

    /// <summary>A container runs: counted per node, and its wait since placement observed.</summary>
    public void Launched(Job running)
    {
        launches.WithLabels(running.Node ?? "").Inc();
        if (running.ScheduledAt is { } scheduled && running.StartedAt is { } started)
        {
            launchLatency.Observe(Math.Max(0, (started - scheduled).TotalSeconds));
        }
    }

    public void Ended(EndCause cause, JobState state) => ends.WithLabels(Label(cause), Label(state)).Inc();

    public void CycleTook(TimeSpan duration) => cycleDuration.Observe(duration.TotalSeconds);

    public void Request(string method, string route, int statusCode, TimeSpan duration) =>
        requestDuration.WithLabels(method, route, StatusCodes(statusCode)).Observe(duration.TotalSeconds);

    public void StoreOperation(string operation, TimeSpan duration) => storeDuration.WithLabels(operation).Observe(duration.TotalSeconds);

    /// <summary>The leader's count of pending jobs per kind after a cycle; every kind is set (0 when none), so a kind that empties reads 0.</summary>
    public void PendingKinds(IReadOnlyDictionary<PendingKind, int> counts)
    {
        foreach (var kind in Enum.GetValues<PendingKind>())
        {
            pending.WithLabels(kind.Label()).Set(counts.GetValueOrDefault(kind));
        }
    }

    /// <summary>This server no longer leads: it reports no pending kinds (another server's cycle does).</summary>
    public void NoPendingKinds()
    {
        foreach (var kind in Enum.GetValues<PendingKind>())
        {
            pending.WithLabels(kind.Label()).Remove();
        }
    }

    /// <summary>Snake case of an enum member's name, as label values are written (OutOfMemory → out_of_memory).</summary>
    public static string Label<T>(T value) where T : struct, Enum
    {
        var name = value.ToString();
        var label = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                label.Append('_');
            }
            label.Append(char.ToLowerInvariant(name[i]));
        }
        return label.ToString();
    }

    // Status codes are few, but a cached string avoids formatting one per request.
    private static readonly string[] Codes = [.. Enumerable.Range(0, 600).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static string StatusCodes(int code) => code is >= 0 and < 600 ? Codes[code] : "other";
}
