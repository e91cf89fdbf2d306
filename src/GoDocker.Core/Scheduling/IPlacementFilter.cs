namespace GoDocker.Scheduling;

/// <summary>
/// May this job go on this node now? Contract: pure; <see cref="Verdict.Unschedulable"/> carries a
/// short reason naming what is missing ("0.5 of 2 cpus free on n1").
/// </summary>
public interface IPlacementFilter
{
    string Name { get; }
    Verdict Filter(PendingJob job, NodeLoad node);
}

/// <summary>Among the nodes that passed every filter, which is best. Higher is better; pure.</summary>
public interface IPlacementScorer
{
    string Name { get; }
    double Score(PendingJob job, NodeLoad node);
}
