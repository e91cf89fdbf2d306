namespace GoDocker.Scheduling;

/// <summary>First in, first out: submission time, then id; an administrator's adjustment moves a job ahead. The reference policy.</summary>
public sealed class FifoOrder : IQueueOrder
{
    public const string PolicyName = "fifo";
    public string Name => PolicyName;

    public IReadOnlyList<RankedJob> Rank(SchedulingSnapshot snapshot) =>
        [.. snapshot.Pending
            .OrderByDescending(j => j.PriorityAdjustment)
            .ThenBy(j => j.SubmittedAt)
            .ThenBy(j => j.Id)
            .Select(j => new RankedJob(j, j.PriorityAdjustment))];
}
