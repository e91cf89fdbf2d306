namespace GoDocker.Scheduling;

/// <summary>A place jobs run, with its capacity.</summary>
public sealed record NodeInfo(string Name, double Cpus, long MemoryBytes)
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>False when drained, unreachable or still recovering: nothing new is placed there.</summary>
    public bool Schedulable { get; init; } = true;
    /// <summary>Why the node takes no jobs, for pending reasons ("unreachable: connection refused").</summary>
    public string? Unavailable { get; init; }
}

/// <summary>A node and what the jobs on it (scheduled, running, suspended) already hold.</summary>
public sealed record NodeLoad(NodeInfo Node, double UsedCpus, long UsedMemoryBytes)
{
    public double FreeCpus => Node.Cpus - UsedCpus;
    public long FreeMemoryBytes => Node.MemoryBytes - UsedMemoryBytes;
}

/// <summary>What the scheduler needs to know of a pending job.</summary>
public sealed record PendingJob(
    long Id,
    long Version,
    string Owner,
    string Project,
    double Cpus,
    long MemoryBytes,
    DateTimeOffset SubmittedAt,
    string? CurrentReason);

/// <summary>The input of one cycle: read from the store, then the cycle does no I/O.</summary>
public sealed record SchedulingSnapshot(
    IReadOnlyList<PendingJob> Pending,
    IReadOnlyList<NodeLoad> Nodes,
    DateTimeOffset Now);

/// <summary>Place job <see cref="JobId"/> (as read at <see cref="Version"/>) on <see cref="Node"/>.</summary>
public sealed record Placement(long JobId, long Version, string Node, double Cpus, long MemoryBytes);

/// <summary>
/// The output of one cycle: placements to apply (in one transaction, re-checked) and the reason each
/// job left pending now carries. Only reasons that changed are listed.
/// </summary>
public sealed record Plan(IReadOnlyList<Placement> Placements, IReadOnlyDictionary<long, string> PendingReasons)
{
    public static readonly Plan Empty = new([], new Dictionary<long, string>());
}
