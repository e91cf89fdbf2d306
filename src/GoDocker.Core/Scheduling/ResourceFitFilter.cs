using System.Globalization;
using GoDocker.Jobs;

namespace GoDocker.Scheduling;

/// <summary>The node has the cpus and memory the job asks for, free now, and accepts new work.</summary>
public sealed class ResourceFitFilter : IPlacementFilter
{
    // Cpus are fractional; compare with a tolerance so 8 x 0.125 fills exactly 1.
    private const double Epsilon = 1e-9;

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
        return Verdict.Ok;
    }
}

/// <summary>Spread: prefer the node with the most cpus left after placing (ties: most memory, then name).</summary>
public sealed class LeastLoadedScorer : IPlacementScorer
{
    public string Name => "spread";

    public double Score(PendingJob job, NodeLoad node) =>
        (node.FreeCpus - job.Cpus) / Math.Max(node.Node.Cpus, Epsilon)
        + 1e-3 * (node.FreeMemoryBytes - job.MemoryBytes) / Math.Max(node.Node.MemoryBytes, 1);

    private const double Epsilon = 1e-9;
}
