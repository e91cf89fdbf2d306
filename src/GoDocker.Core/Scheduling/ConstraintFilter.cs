namespace GoDocker.Scheduling;

/// <summary>
/// The node's labels meet every constraint of the job (--constraint disk==ssd). Depends on the job's constraints and
/// the node's labels only: cached per set of constraints and node for the whole cycle.
/// </summary>
public sealed class ConstraintFilter : IPlacementFilter
{
    public string Name => "constraints";

    public FilterCaching Caching => FilterCaching.NodeAttributes;

    public object? Signature(PendingJob job) => job.Constraints.Count == 0 ? Unconstrained : new Constraints(job.Constraints);

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

    private static readonly Constraints Unconstrained = new([]);

    /// <summary>A job's constraints as a value: equal constraints in the same order are the same signature.</summary>
    private sealed class Constraints(IReadOnlyList<Constraint> list) : IEquatable<Constraints>
    {
        private readonly IReadOnlyList<Constraint> list = list;

        public bool Equals(Constraints? other) => other is not null && (ReferenceEquals(list, other.list) || list.SequenceEqual(other.list));

        public override bool Equals(object? obj) => Equals(obj as Constraints);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var constraint in list)
            {
                hash.Add(constraint);
            }
            return hash.ToHashCode();
        }
    }
}
