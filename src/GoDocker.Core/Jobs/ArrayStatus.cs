namespace GoDocker.Jobs;

/// <summary>
/// What a dependency on an array (named by its first task's id) sees, as in Slurm: the array counts as one job whose
/// state sums up all of its tasks, so <see cref="Dependency.Evaluate"/> applies to it unchanged.
/// </summary>
public static class ArrayStatus
{
    /// <summary>
    /// The array's state from its tasks' states: Running while any task has not ended, Succeeded when all succeeded,
    /// otherwise Failed (afterok can then never hold; afternotok and afterany do). Null for an array of one task: that
    /// task is the job the dependency names, and its own state stands (an Archived task keeps its meaning).
    /// </summary>
    public static JobState? Of(IReadOnlyCollection<JobState> tasks) =>
        tasks.Count <= 1 ? null
        : tasks.Any(t => !t.IsTerminal()) ? JobState.Running
        : tasks.All(t => t == JobState.Succeeded) ? JobState.Succeeded
        : JobState.Failed;
}
