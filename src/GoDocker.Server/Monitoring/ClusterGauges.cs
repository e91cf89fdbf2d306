using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Server.Services;
using GoDocker.Storage;
using Prometheus;

namespace GoDocker.Server.Monitoring;

/// <summary>
/// The gauges set when Prometheus scrapes, not when things happen: jobs per state and project and what the jobs on each
/// node hold (read from the store: one grouped count and the list of jobs holding resources, kept <see cref="StoreReadAge"/>
/// so a burst of scrapes, or several Prometheus servers, read the database at most once in that time), each node's
/// capacity and state (this server's <see cref="NodeRegistry"/>), whether this server leads, and whether the store can write.
/// </summary>
public sealed class ClusterGauges : IDisposable
{
    /// <summary>How long one store read serves scrapes: below any sensible scrape interval, far above a scrape storm's.</summary>
    public static readonly TimeSpan StoreReadAge = TimeSpan.FromSeconds(5);

    private static readonly string[] NodeStates = ["up", "drained", "down", "unreachable", "error", "unknown", "recovering"];

    private readonly IJobStore store;
    private readonly NodeRegistry nodes;
    private readonly LeaderElection election;
    private readonly TimeProvider time;
    private readonly Gauge jobs;
    private readonly Gauge nodeCpus;
    private readonly Gauge nodeCpusUsed;
    private readonly Gauge nodeMemory;
    private readonly Gauge nodeMemoryUsed;
    private readonly Gauge nodeGpus;
    private readonly Gauge nodeGpusUsed;
    private readonly Gauge nodeState;
    private readonly Gauge leader;
    private readonly Gauge writeFault;
    private readonly SemaphoreSlim reading = new(1, 1);
    private long readAt;
    private bool read;

    public ClusterGauges(ServerMetrics metrics, IJobStore store, NodeRegistry nodes, LeaderElection election, TimeProvider time)
    {
        this.store = store;
        this.nodes = nodes;
        this.election = election;
        this.time = time;
        var factory = metrics.Factory;
        const string p = ServerMetrics.Prefix;
        jobs = factory.CreateGauge(p + "jobs", "Jobs in the store by state and project (store-wide: the same on every server of one database).", ["state", "project"]);
        nodeCpus = factory.CreateGauge(p + "node_cpus", "Cpus the node offers to jobs (configured, else the engine's).", ["node"]);
        nodeCpusUsed = factory.CreateGauge(p + "node_cpus_used", "Cpus held by the jobs placed on the node (scheduled, running, suspended).", ["node"]);
        nodeMemory = factory.CreateGauge(p + "node_memory_bytes", "Memory the node offers to jobs.", ["node"]);
        nodeMemoryUsed = factory.CreateGauge(p + "node_memory_used_bytes", "Memory held by the jobs placed on the node.", ["node"]);
        nodeGpus = factory.CreateGauge(p + "node_gpus", "Gpus the node offers to jobs.", ["node"]);
        nodeGpusUsed = factory.CreateGauge(p + "node_gpus_used", "Gpus held by the jobs placed on the node.", ["node"]);
        nodeState = factory.CreateGauge(p + "node_state", "1 for the node's state as this server sees it (up, drained, down, unreachable, error, unknown, recovering), 0 for the others.", ["node", "state"]);
        leader = factory.CreateGauge(p + "leader", "1 while this server holds the leader lease (schedules, launches, watches), else 0.");
        writeFault = factory.CreateGauge(p + "store_write_fault", "1 while the store cannot write (disk full): the last write failed and none succeeded since.");
        metrics.Registry.AddBeforeCollectCallback(RefreshAsync);
    }

    /// <summary>Sets every gauge; the store is read again only when its last read is older than <see cref="StoreReadAge"/>.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        leader.Set(election.Current is null ? 0 : 1);
        writeFault.Set(store.WriteFault is null ? 0 : 1);
        var statuses = nodes.Statuses;
        foreach (var status in statuses)
        {
            var name = status.Node.Name;
            nodeCpus.WithLabels(name).Set(status.Node.Capacity.Cpus);
            nodeMemory.WithLabels(name).Set(status.Node.Capacity.MemoryBytes);
            nodeGpus.WithLabels(name).Set(status.Node.Capacity.Gpus);
            foreach (var state in NodeStates)
            {
                nodeState.WithLabels(name, state).Set(state == status.State ? 1 : 0);
            }
        }
        await reading.WaitAsync(cancellationToken);
        try
        {
            if (read && time.GetElapsedTime(readAt) < StoreReadAge)
            {
                return;
            }
            var counts = await store.CountJobsAsync(cancellationToken);
            var active = await store.ListActiveAsync(cancellationToken);
            Replace(jobs, counts.Select(c => (new[] { Label(c.State), c.Project }, (double)c.Count)));
            var used = NodeUsage.Of(active);
            foreach (var status in statuses)
            {
                var held = used.GetValueOrDefault(status.Node.Name);
                nodeCpusUsed.WithLabels(status.Node.Name).Set(held.Cpus);
                nodeMemoryUsed.WithLabels(status.Node.Name).Set(held.MemoryBytes);
                nodeGpusUsed.WithLabels(status.Node.Name).Set(held.Gpus);
            }
            readAt = time.GetTimestamp();
            read = true;
        }
        finally
        {
            reading.Release();
        }
    }

    public void Dispose() => reading.Dispose();

    /// <summary>The job state as a label: lower case (succeeded), as the API writes states.</summary>
    public static string Label(JobState state) => ServerMetrics.Label(state);

    /// <summary>Sets these label sets and removes the ones gone since (a project whose last job of a state left it).</summary>
    private static void Replace(Gauge gauge, IEnumerable<(string[] Labels, double Value)> values)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (labels, value) in values)
        {
            gauge.WithLabels(labels).Set(value);
            seen.Add(string.Join('\0', labels));
        }
        foreach (var labels in gauge.GetAllLabelValues().ToList())
        {
            if (!seen.Contains(string.Join('\0', labels)))
            {
                gauge.WithLabels(labels).Remove();
            }
        }
    }
}
