namespace GoDocker.Scheduling;

/// <summary>
/// Orders pending jobs, highest priority first; exactly one is active, chosen by <see cref="Name"/> in configuration.
/// Contract: returns every input job exactly once; pure and deterministic for a given snapshot.
/// </summary>
public interface IQueueOrder
{
    string Name { get; }
    IReadOnlyList<RankedJob> Rank(SchedulingSnapshot snapshot);
}

/// <summary>A pending job with the priority its order gave it; <see cref="Factors"/> explain it where the policy has factors.</summary>
public sealed record RankedJob(PendingJob Job, double Priority, PriorityFactors? Factors = null);

/// <summary>
/// The parts of a multifactor priority, as Slurm's sprio shows them: each factor in [0, 1] and its weighted
/// contribution. Priority = sum of the weighted factors + the administrator's adjustment.
/// </summary>
public sealed record PriorityFactors(
    double Age,
    double FairShareUser,
    double FairShareProject,
    double JobSize,
    double UserPriority,
    double ProjectPriority,
    PriorityWeights Weights,
    int Adjustment)
{
    public double Total =>
        Weights.Age * Age + Weights.FairShareUser * FairShareUser + Weights.FairShareProject * FairShareProject
        + Weights.JobSize * JobSize + Weights.User * UserPriority + Weights.Project * ProjectPriority + Adjustment;
}

/// <summary>Weights of the multifactor priority (Slurm's PriorityWeight*).</summary>
public sealed record PriorityWeights
{
    public double Age { get; init; } = 1000;
    public double FairShareUser { get; init; } = 5000;
    public double FairShareProject { get; init; } = 5000;
    public double JobSize { get; init; }
    public double User { get; init; } = 1000;
    public double Project { get; init; } = 1000;
}
