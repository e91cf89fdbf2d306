using System.Globalization;
using GoDocker.Jobs;

namespace GoDocker.Scheduling;

/// <summary>The node accepts new work and has the cpus, memory and gpus the job asks for free now.</summary>
public sealed class ResourceFitFilter : IPlacementFilter
{
    // Cpus are fractional; compare with a tolerance so 8 x 0.125 fills exactly 1.
    internal const double Epsilon = 1e-9;

    public string Name => "resources";

    public Verdict Filter(PendingJob job, NodeLoad node)
    {
        if (!node.Node.Schedulable)
        {
            return Verdict.Unschedulable(node.Node.Unavailable is { } why
                ? $"node {node.Node.Name} is not accepting jobs: {why}"
                : $"node {node.Node.Name} is not accepting jobs");
        }
        if (job.Cpus > node.FreeCpus + Epsilon)
        {
            return Verdict.Unschedulable(string.Create(CultureInfo.InvariantCulture,
                $"{Math.Max(0, node.FreeCpus):0.###} of {node.Node.Cpus:0.###} cpus free on {node.Node.Name}"));
        }
        if (job.MemoryBytes > node.FreeMemoryBytes)
        {
            return Verdict.Unschedulable(
                $"{ByteSize.Format(Math.Max(0, node.FreeMemoryBytes))} of {ByteSize.Format(node.Node.MemoryBytes)} memory free on {node.Node.Name}");
        }
        if (job.Gpus > node.FreeGpus)
        {
            return Verdict.Unschedulable($"{Math.Max(0, node.FreeGpus)} of {node.Node.Gpus} gpus free on {node.Node.Name}");
        }
        return Verdict.Ok;
    }
}

/// <summary>The node's labels meet every constraint of the job (--constraint disk==ssd).</summary>
public sealed class ConstraintFilter : IPlacementFilter
{
    public string Name => "constraints";

    public Verdict Filter(PendingJob job, NodeLoad node)
    {
        foreach (var constraint in job.Constraints)
        {
            if (!constraint.IsMetBy(node.Node))
            {
                return Verdict.Unschedulable($"{node.Node.Name} does not meet {constraint}");
            }
        }
        return Verdict.Ok;
    }
}

/// <summary>Spread: prefer the node with the most left after placing (cpus first, then memory), so load evens out.</summary>
public sealed class SpreadScorer : IPlacementScorer
{
    public const string PolicyName = "spread";
    public string Name => PolicyName;

    public double Score(PendingJob job, NodeLoad node) => Left(job, node);

    /// <summary>What the node has left after placing the job, cpus first, then memory, as fractions of its size.</summary>
    internal static double Left(PendingJob job, NodeLoad node) =>
        (node.FreeCpus - job.Cpus) / Math.Max(node.Node.Cpus, ResourceFitFilter.Epsilon)
        + 1e-3 * (node.FreeMemoryBytes - job.MemoryBytes) / Math.Max(node.Node.MemoryBytes, 1);
}

/// <summary>Pack: prefer the node with the least left after placing, so whole nodes stay free for large jobs.</summary>
public sealed class PackScorer : IPlacementScorer
{
    public const string PolicyName = "pack";
    public string Name => PolicyName;

    public double Score(PendingJob job, NodeLoad node) => -SpreadScorer.Left(job, node);
}
