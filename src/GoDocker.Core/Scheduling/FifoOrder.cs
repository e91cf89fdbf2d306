namespace GoDocker.Scheduling;

/// <summary>First in, first out: submission time, then id. The reference policy.</summary>
public sealed class FifoOrder : IQueueOrder
{
    public const string PolicyName = "fifo";
    public string Name => PolicyName;

    public IReadOnlyList<PendingJob> Order(SchedulingSnapshot snapshot) =>
        snapshot.Pending.OrderBy(j => j.SubmittedAt).ThenBy(j => j.Id).ToList();
}
