using System.Globalization;
using GoDocker.Jobs;
using GoDocker.Usage;

namespace GoDocker.Scheduling;

/// <summary>A place jobs run, with its capacity and labels (for constraints).</summary>
public sealed record NodeInfo(string Name, Resources Capacity)
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>False when drained, unreachable or still recovering: nothing new is placed there.</summary>
    public bool Schedulable { get; init; } = true;
    /// <summary>Why the node takes no jobs, for pending reasons ("unreachable: connection refused", "drained by admin").</summary>
    public string? Unavailable { get; init; }
}

/// <summary>A node and what the jobs on it (scheduled, running, suspended) already hold (<see cref="NodeUsage"/>).</summary>
public sealed record NodeLoad(NodeInfo Node, Resources Used)
{
    public Resources Free => Node.Capacity - Used;

    /// <summary>Whether the node accepts new work and has <paramref name="request"/> free now: the capacity rule of the cycle.</summary>
    public bool Takes(Resources request) => Node.Schedulable && request.FitsWithin(Free);

    /// <summary>
    /// Why the node does not take <paramref name="request"/> now, naming what is missing ("0.5 of 2 cpus free on n1",
    /// "node n1 is not accepting jobs: drained by admin"); null when it takes it (<see cref="Takes"/>).
    /// </summary>
    public string? Refusal(Resources request)
    {
        if (!Node.Schedulable)
        {
            return Node.Unavailable is { } why ? $"node {Node.Name} is not accepting jobs: {why}" : $"node {Node.Name} is not accepting jobs";
        }
        var free = Free;
        var capacity = Node.Capacity;
        if (!(request with { MemoryBytes = 0, Gpus = 0 }).FitsWithin(free))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, free.Cpus):0.###} of {capacity.Cpus:0.###} cpus free on {Node.Name}");
        }
        if (!(request with { Cpus = 0, Gpus = 0 }).FitsWithin(free))
        {
            return $"{ByteSize.Format(Math.Max(0, free.MemoryBytes))} of {ByteSize.Format(capacity.MemoryBytes)} memory free on {Node.Name}";
        }
        if (!request.FitsWithin(free))
        {
            return $"{Math.Max(0, free.Gpus)} of {capacity.Gpus} gpus free on {Node.Name}";
        }
        return null;
    }
}

/// <summary>What the scheduler needs to know of a pending job.</summary>
public sealed record PendingJob(
    long Id,
    long Version,
    string Owner,
    string Project,
    Resources Request,
    DateTimeOffset SubmittedAt,
    string? CurrentReason)
{
    /// <summary>The walltime asked for; null = the scheduler's default (for backfill and estimates).</summary>
    public long? WalltimeSeconds { get; init; }
    public IReadOnlyList<Constraint> Constraints { get; init; } = [];
    /// <summary>An administrator's adjustment, added to the computed priority.</summary>
    public int PriorityAdjustment { get; init; }
    /// <summary>Who holds the job ("user", "admin"); null = not held.</summary>
    public string? HeldBy { get; init; }
    public IReadOnlyList<Dependency> Dependencies { get; init; } = [];
    /// <summary>The array this job is a task of (the array's id), and how many of its tasks may run at once.</summary>
    public long? ArrayId { get; init; }
    public int? ArrayMaxRunning { get; init; }
    /// <summary>Why the store could not read this job's scheduling conditions back (the cycle rejects it saying so); null normally.</summary>
    public string? Unreadable { get; init; }
}

/// <summary>A job holding resources (scheduled, running or suspended): for quotas, array limits and backfill.</summary>
public sealed record RunningJob(long Id, string Owner, string Project, string Node, Resources Held, DateTimeOffset StartedAt)
{
    /// <summary>Null = the scheduler's default; the job is expected to end by StartedAt + walltime.</summary>
    public long? WalltimeSeconds { get; init; }
    public long? ArrayId { get; init; }
}

/// <summary>The input of one cycle: read from the store, then the cycle does no I/O.</summary>
public sealed record SchedulingSnapshot(
    IReadOnlyList<PendingJob> Pending,
    IReadOnlyList<NodeLoad> Nodes,
    DateTimeOffset Now)
{
    public IReadOnlyList<RunningJob> Running { get; init; } = [];
    /// <summary>The state of every job a pending job depends on; an id absent here does not exist (any more).</summary>
    public IReadOnlyDictionary<long, JobState> DependencyStates { get; init; } = new Dictionary<long, JobState>();
    /// <summary>Decayed past usage, shares and priorities of users and projects (fair share).</summary>
    public UsageSnapshot Usage { get; init; } = UsageSnapshot.Empty;
    public QuotaBook Quotas { get; init; } = QuotaBook.None;
}

/// <summary>Place job <see cref="JobId"/> (as read at <see cref="Version"/>) on <see cref="Node"/>.</summary>
public sealed record Placement(long JobId, long Version, string Node, Resources Resources);

/// <summary>
/// The output of one cycle: placements to apply (in one transaction, re-checked); the reason each job left
/// pending now carries (only reasons that changed); jobs to end as Rejected (a condition that can never be met);
/// expected start times where walltimes make one computable; and the priority each pending job got.
/// </summary>
public sealed record Plan(IReadOnlyList<Placement> Placements, IReadOnlyDictionary<long, string> PendingReasons)
{
    public static readonly Plan Empty = new([], new Dictionary<long, string>());

    public IReadOnlyDictionary<long, string> Rejections { get; init; } = new Dictionary<long, string>();
    public IReadOnlyDictionary<long, DateTimeOffset> ExpectedStarts { get; init; } = new Dictionary<long, DateTimeOffset>();
    /// <summary>Every pending job in the order the cycle considered it, with its priority (and factors, for fair share).</summary>
    public IReadOnlyList<RankedJob> Ranking { get; init; } = [];
    /// <summary>Jobs whose evaluation threw, with the exception (to log with the job's id); each is also in <see cref="Rejections"/>.</summary>
    public IReadOnlyDictionary<long, Exception> Faults { get; init; } = new Dictionary<long, Exception>();
}
