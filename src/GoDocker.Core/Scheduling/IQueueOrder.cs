namespace GoDocker.Scheduling;

/// <summary>
/// Orders pending jobs; exactly one is active, chosen by <see cref="Name"/> in configuration.
/// Contract: returns every input job exactly once; pure and deterministic for a given snapshot.
/// </summary>
public interface IQueueOrder
{
    string Name { get; }
    IReadOnlyList<PendingJob> Order(SchedulingSnapshot snapshot);
}
