using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Usage;

namespace GoDocker.Core.Tests.Scheduling;

/// <summary>
/// Fluent builders for cycle inputs: <c>Job(1).Cpus(2).Mem("1G").Walltime(30)</c>, <c>Node("n1").Cpus(4).Used(1, "2G")</c>,
/// <c>Running(9).On("n1").Cpus(2).StartedAgo(10)</c>, and <c>Scene().Jobs(...).Nodes(...).Running(...).Build()</c>.
/// </summary>
internal static class SchedulingBuilders
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The time every built snapshot is taken at, unless told otherwise: an hour after <see cref="T0"/>.</summary>
    public static readonly DateTimeOffset Now = T0.AddHours(1);

    /// <summary>A pending job of 1 cpu and 1 GiB, submitted <paramref name="id"/> seconds after <see cref="T0"/>.</summary>
    public static PendingJobBuilder Job(long id) => new(id);

    /// <summary>An empty, schedulable node of 4 cpus and 16 GiB.</summary>
    public static NodeLoadBuilder Node(string name) => new(name);

    /// <summary>A job of 1 cpu and 1 GiB running on n1 since <see cref="Now"/>, without walltime.</summary>
    public static RunningJobBuilder Running(long id) => new(id);

    public static SnapshotBuilder Scene() => new();

    public static SchedulingSnapshot Snapshot(IEnumerable<PendingJobBuilder> jobs, IEnumerable<NodeLoadBuilder> nodes) =>
        Scene().Jobs([.. jobs]).Nodes([.. nodes]).Build();

    /// <summary>A cycle with the standard admissions and filters.</summary>
    public static SchedulingCycle Cycle(IQueueOrder? order = null, IPlacementScorer? scorer = null, CycleOptions? options = null) =>
        new(order ?? new FifoOrder(), SchedulingCycle.StandardAdmissions, SchedulingCycle.StandardFilters, scorer ?? new SpreadScorer(), options ?? new CycleOptions());

    /// <summary>The old strict-FIFO cycle: the first job that waits blocks the queue.</summary>
    public static SchedulingCycle StrictFifo(IPlacementScorer? scorer = null) =>
        Cycle(new FifoOrder(), scorer, new CycleOptions { Backfill = false });

    public static long Bytes(string size) =>
        ByteSize.TryParse(size, out var bytes) ? bytes : throw new ArgumentException($"not a size: {size}", nameof(size));

    public static long[] PlacedIds(Plan plan) => [.. plan.Placements.Select(p => p.JobId)];
}

internal sealed class PendingJobBuilder(long id)
{
    private long version = 1;
    private string owner = "alice";
    private string project = "default";
    private double cpus = 1;
    private long memoryBytes = 1L << 30;
    private int gpus;
    private long? walltimeSeconds;
    private readonly List<Constraint> constraints = [];
    private int adjustment;
    private string? heldBy;
    private readonly List<Dependency> dependencies = [];
    private long? arrayId;
    private int? arrayMaxRunning;
    private DateTimeOffset submittedAt = SchedulingBuilders.T0.AddSeconds(id);
    private string? currentReason;

    public long Id => id;

    public PendingJobBuilder Cpus(double value) { cpus = value; return this; }
    public PendingJobBuilder Mem(string size) { memoryBytes = SchedulingBuilders.Bytes(size); return this; }
    public PendingJobBuilder Gpus(int value) { gpus = value; return this; }
    public PendingJobBuilder Walltime(TimeSpan value) { walltimeSeconds = (long)value.TotalSeconds; return this; }
    /// <summary>Walltime in minutes.</summary>
    public PendingJobBuilder Walltime(int minutes) => Walltime(TimeSpan.FromMinutes(minutes));
    public PendingJobBuilder Constraint(string text)
    {
        Assert.True(GoDocker.Scheduling.Constraint.TryParse(text, out var constraint, out var error), error);
        constraints.Add(constraint);
        return this;
    }
    public PendingJobBuilder Adjust(int value) { adjustment = value; return this; }
    public PendingJobBuilder HeldBy(string by) { heldBy = by; return this; }
    /// <summary>Dependencies as the CLI takes them: "afterok:1:2,afterany:3".</summary>
    public PendingJobBuilder After(string text)
    {
        Assert.True(Dependency.TryParseList(text, out var parsed, out var error), error);
        dependencies.AddRange(parsed);
        return this;
    }
    public PendingJobBuilder Array(long array, int? maxRunning = null) { arrayId = array; arrayMaxRunning = maxRunning; return this; }
    public PendingJobBuilder SubmittedAt(DateTimeOffset at) { submittedAt = at; return this; }
    public PendingJobBuilder Version(long value) { version = value; return this; }
    public PendingJobBuilder Owner(string value) { owner = value; return this; }
    public PendingJobBuilder Project(string value) { project = value; return this; }
    public PendingJobBuilder Reason(string? value) { currentReason = value; return this; }

    public PendingJob Build() => new(id, version, owner, project, new Resources(cpus, memoryBytes, gpus), submittedAt, currentReason)
    {
        WalltimeSeconds = walltimeSeconds,
        Constraints = [.. constraints],
        PriorityAdjustment = adjustment,
        HeldBy = heldBy,
        Dependencies = [.. dependencies],
        ArrayId = arrayId,
        ArrayMaxRunning = arrayMaxRunning,
    };
}

internal sealed class NodeLoadBuilder(string name)
{
    private double cpus = 4;
    private long memoryBytes = 16L << 30;
    private int gpus;
    private double usedCpus;
    private long usedMemoryBytes;
    private int usedGpus;
    private bool schedulable = true;
    private string? unavailable;
    private readonly Dictionary<string, string> labels = new(StringComparer.Ordinal);

    public string Name => name;

    public NodeLoadBuilder Cpus(double value) { cpus = value; return this; }
    public NodeLoadBuilder Mem(string size) { memoryBytes = SchedulingBuilders.Bytes(size); return this; }
    public NodeLoadBuilder Gpus(int value) { gpus = value; return this; }
    public NodeLoadBuilder Used(double usedCpus, string usedMemory = "0", int usedGpus = 0)
    {
        this.usedCpus = usedCpus;
        usedMemoryBytes = SchedulingBuilders.Bytes(usedMemory);
        this.usedGpus = usedGpus;
        return this;
    }
    public NodeLoadBuilder Label(string key, string value) { labels[key] = value; return this; }
    public NodeLoadBuilder Drained(string? why = null) { schedulable = false; unavailable = why; return this; }

    /// <summary>The node with what the builder says is used, plus <paramref name="running"/> (jobs on it).</summary>
    public NodeLoad Build(IEnumerable<RunningJob>? running = null)
    {
        var on = (running ?? []).Where(r => r.Node == name).ToList();
        var info = new NodeInfo(name, new Resources(cpus, memoryBytes, gpus))
        {
            Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
            Schedulable = schedulable,
            Unavailable = unavailable,
        };
        return new NodeLoad(info, new Resources(usedCpus, usedMemoryBytes, usedGpus) + NodeUsage.Of(on).GetValueOrDefault(name));
    }
}

internal sealed class RunningJobBuilder(long id)
{
    private string owner = "alice";
    private string project = "default";
    private string node = "n1";
    private double cpus = 1;
    private long memoryBytes = 1L << 30;
    private int gpus;
    private DateTimeOffset startedAt = SchedulingBuilders.Now;
    private long? walltimeSeconds;
    private long? arrayId;

    public RunningJobBuilder On(string value) { node = value; return this; }
    public RunningJobBuilder Cpus(double value) { cpus = value; return this; }
    public RunningJobBuilder Mem(string size) { memoryBytes = SchedulingBuilders.Bytes(size); return this; }
    public RunningJobBuilder Gpus(int value) { gpus = value; return this; }
    public RunningJobBuilder Owner(string value) { owner = value; return this; }
    public RunningJobBuilder Project(string value) { project = value; return this; }
    public RunningJobBuilder StartedAt(DateTimeOffset at) { startedAt = at; return this; }
    /// <summary>Started this many minutes before <see cref="SchedulingBuilders.Now"/>.</summary>
    public RunningJobBuilder StartedAgo(int minutes) => StartedAt(SchedulingBuilders.Now.AddMinutes(-minutes));
    /// <summary>Walltime in minutes.</summary>
    public RunningJobBuilder Walltime(int minutes) { walltimeSeconds = minutes * 60L; return this; }
    public RunningJobBuilder Array(long value) { arrayId = value; return this; }

    public RunningJob Build() => new(id, owner, project, node, new Resources(cpus, memoryBytes, gpus), startedAt)
    {
        WalltimeSeconds = walltimeSeconds,
        ArrayId = arrayId,
    };
}

/// <summary>A whole snapshot; running jobs count in the load of the node they run on.</summary>
internal sealed class SnapshotBuilder
{
    private readonly List<PendingJobBuilder> jobs = [];
    private readonly List<NodeLoadBuilder> nodes = [];
    private readonly List<RunningJobBuilder> running = [];
    private readonly Dictionary<long, JobState> dependencyStates = [];
    private readonly Dictionary<string, AccountStanding> users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AccountStanding> projects = new(StringComparer.Ordinal);
    private QuotaBook quotas = QuotaBook.None;
    private DateTimeOffset now = SchedulingBuilders.Now;

    public SnapshotBuilder Jobs(params PendingJobBuilder[] value) { jobs.AddRange(value); return this; }
    public SnapshotBuilder Nodes(params NodeLoadBuilder[] value) { nodes.AddRange(value); return this; }
    public SnapshotBuilder Running(params RunningJobBuilder[] value) { running.AddRange(value); return this; }
    public SnapshotBuilder Dependency(long jobId, JobState state) { dependencyStates[jobId] = state; return this; }
    public SnapshotBuilder User(string login, double shares = 1, int priority = 0, DecayedUsage? usage = null)
    {
        users[login] = new AccountStanding(shares, priority, usage);
        return this;
    }
    public SnapshotBuilder Project(string name, double shares = 1, int priority = 0, DecayedUsage? usage = null)
    {
        projects[name] = new AccountStanding(shares, priority, usage);
        return this;
    }
    public SnapshotBuilder Quotas(QuotaBook value) { quotas = value; return this; }
    public SnapshotBuilder At(DateTimeOffset value) { now = value; return this; }

    public SchedulingSnapshot Build()
    {
        var runningJobs = running.Select(r => r.Build()).ToList();
        return new SchedulingSnapshot([.. jobs.Select(j => j.Build())], [.. nodes.Select(n => n.Build(runningJobs))], now)
        {
            Running = runningJobs,
            DependencyStates = new Dictionary<long, JobState>(dependencyStates),
            Usage = new UsageSnapshot(
                new Dictionary<string, AccountStanding>(users, StringComparer.Ordinal),
                new Dictionary<string, AccountStanding>(projects, StringComparer.Ordinal)),
            Quotas = quotas,
        };
    }
}
