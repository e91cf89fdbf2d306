namespace GoDocker.Usage;

/// <summary>
/// One attempt's run billed to its owner and project (allocated resources × wall time, as Slurm bills): a run that
/// leaves Running or Suspended is charged once per attempt, at <see cref="EndedAt"/>. Decided by
/// <see cref="GoDocker.Jobs.JobLifecycle"/>; the store keeps one record per (job, attempt) and updates the decayed totals.
/// </summary>
public sealed record UsageCharge(long JobId, int Attempt, string Owner, string Project, DateTimeOffset EndedAt, JobConsumption Consumption)
{
    /// <summary>The accounts whose decayed totals this charge adds to: the owner and the project.</summary>
    public IReadOnlyList<(AccountKind Kind, string Name)> Accounts => [(AccountKind.User, Owner), (AccountKind.Project, Project)];

    /// <summary>
    /// An account's decayed total with this charge added: <paramref name="current"/> is what the store holds for it
    /// (null: nothing yet), decayed to <see cref="EndedAt"/> by <paramref name="halfLife"/> before the charge is added.
    /// </summary>
    public DecayedUsage AddTo(DecayedUsage? current, TimeSpan halfLife) =>
        (current ?? DecayedUsage.Zero(EndedAt)).Add(Consumption, EndedAt, halfLife);
}
