namespace GoDocker.Contracts;

/// <summary>A node as GET /api/v1/nodes shows it (v1).</summary>
public sealed record NodeView
{
    public required string Name { get; init; }
    /// <summary>The executor plugin serving it (docker).</summary>
    public required string Executor { get; init; }
    /// <summary>
    /// up, drained (by an administrator: no new jobs), unreachable (its engine does not answer), down (unreachable past
    /// the site's Executor:NodeDownAfter: its jobs were requeued or failed), error (it answers but cannot take jobs; its
    /// jobs run on), unknown (not contacted yet), or recovering (reconciling its containers after a start, or after being down).
    /// </summary>
    public required string State { get; init; }
    /// <summary>What it offers to jobs: configured, else the engine's own figures.</summary>
    public required NodeResources Capacity { get; init; }
    /// <summary>What the jobs placed there and not ended (scheduled, running, suspended) hold.</summary>
    public required NodeResources Used { get; init; }
    /// <summary>How many jobs are placed there and not ended.</summary>
    public int Jobs { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public string? DrainedBy { get; init; }
    public DateTimeOffset? DrainedAt { get; init; }
    /// <summary>Why the engine could not be reached, when it could not.</summary>
    public string? Error { get; init; }
    /// <summary>Since when its engine has not answered (as this server saw it).</summary>
    public DateTimeOffset? UnreachableSince { get; init; }
    /// <summary>Since when it is down.</summary>
    public DateTimeOffset? DownSince { get; init; }
}

public sealed record NodeResources(double Cpus, long MemoryBytes, int Gpus);
