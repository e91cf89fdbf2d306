namespace GoDocker.Scheduling;

/// <summary>
/// May this job go on this node now? Asked only of nodes that accept jobs and have the job's request free (the cycle's
/// own capacity rule, <see cref="NodeLoad.Takes"/>), and of empty nodes when the cycle looks for a later start.
/// Contract: pure; <see cref="Verdict.Unschedulable"/> carries a short reason naming what is missing ("n1 does not meet disk==ssd").
/// <para>
/// A filter says how its verdicts may be reused (<see cref="Caching"/>, <see cref="Signature"/>), as the Kubernetes
/// scheduling framework's pod signatures and Nomad's computed node classes: the cycle caches any filter that says so the
/// same way, and asks one that says nothing for every job on every node.
/// </para>
/// </summary>
public interface IPlacementFilter
{
    string Name { get; }

    Verdict Filter(PendingJob job, NodeLoad node);

    /// <summary>What the verdict depends on besides the job's <see cref="Signature"/>; <see cref="FilterCaching.None"/> unless the filter says so.</summary>
    FilterCaching Caching => FilterCaching.None;

    /// <summary>
    /// The fields of the job the verdict depends on, as a value with equality (a record, a tuple, a string): two jobs with
    /// equal signatures get the same verdict on the same node in the same state. Null when this job cannot be signed: its
    /// verdicts are then never reused. Asked only when <see cref="Caching"/> is not <see cref="FilterCaching.None"/>.
    /// </summary>
    object? Signature(PendingJob job) => null;
}

/// <summary>How a filter's verdicts may be reused within one cycle.</summary>
public enum FilterCaching
{
    /// <summary>Not at all: the filter is asked for every job on every node (what a filter that declares nothing gets).</summary>
    None,

    /// <summary>
    /// The verdict depends on the job's signature and the node's fixed attributes only (<see cref="NodeInfo"/>: name,
    /// capacity, labels, whether it accepts jobs), never on its load: one verdict per signature and node for the whole
    /// cycle (the nodes passing it form the signature's feasibility class).
    /// </summary>
    NodeAttributes,

    /// <summary>
    /// The verdict depends on the job's signature and the node as a whole, load included (<see cref="NodeLoad.Used"/>):
    /// one verdict per signature and node, asked again once a job placed on that node changed its load.
    /// </summary>
    NodeLoad,
}

/// <summary>Among the nodes that passed every filter, which is best. Higher is better; pure.</summary>
public interface IPlacementScorer
{
    string Name { get; }
    double Score(PendingJob job, NodeLoad node);
}
