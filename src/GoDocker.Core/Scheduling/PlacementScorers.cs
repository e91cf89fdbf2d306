namespace GoDocker.Scheduling;

/// <summary>Spread: prefer the node with the most left after placing (cpus first, then memory), so load evens out.</summary>
public sealed class SpreadScorer : IPlacementScorer
{
    public const string PolicyName = "spread";
    public string Name => PolicyName;

    public double Score(PendingJob job, NodeLoad node) => Left(job, node);

    /// <summary>What the node has left after placing the job, cpus first, then memory, as fractions of its size.</summary>
    internal static double Left(PendingJob job, NodeLoad node)
    {
        var left = node.Free - job.Request;
        return left.Cpus / Math.Max(node.Node.Capacity.Cpus, Jobs.Resources.CpuEpsilon)
            + 1e-3 * left.MemoryBytes / Math.Max(node.Node.Capacity.MemoryBytes, 1);
    }
}

/// <summary>Pack: prefer the node with the least left after placing, so whole nodes stay free for large jobs.</summary>
public sealed class PackScorer : IPlacementScorer
{
    public const string PolicyName = "pack";
    public string Name => PolicyName;

    public double Score(PendingJob job, NodeLoad node) => -SpreadScorer.Left(job, node);
}
