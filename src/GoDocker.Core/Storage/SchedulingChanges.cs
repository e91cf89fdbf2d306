using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Usage;

namespace GoDocker.Storage;

/// <summary>
/// What the scheduler's <see cref="PendingIndex"/> needs to catch up with the store, read in one consistent snapshot
/// by <see cref="IJobStore.ReadSchedulingChangesAsync"/>.
/// </summary>
/// <param name="Full">True when <paramref name="Jobs"/> is every pending and resource-holding job (a rebuild), false for a delta.</param>
/// <param name="Mark">Where this snapshot ends, to pass as <c>since</c> to the next read.</param>
/// <param name="Jobs">
/// A delta: every job whose row changed since the mark it was given, in whatever state it is in now (a job may come again
/// after it was already seen: it is applied as it is now, which is idempotent). A rebuild: every pending and holding job.
/// </param>
/// <param name="Referenced">
/// The jobs named by a dependency of a pending job in <paramref name="Jobs"/>, and the tasks of an array so named, as they
/// are in the same snapshot: what the index must know to tell those dependencies' states.
/// </param>
public sealed record SchedulingChanges(bool Full, ChangeMark Mark, IReadOnlyList<ChangedJob> Jobs, IReadOnlyList<ChangedJob> Referenced)
{
    /// <summary>The account-level inputs, small and read whole every time (as <see cref="SchedulingInput"/> has them).</summary>
    public IReadOnlyList<AccountLimits> Limits { get; init; } = [];
    public IReadOnlyDictionary<(AccountKind Kind, string Name), DecayedUsage> DecayedUsage { get; init; } =
        new Dictionary<(AccountKind, string), DecayedUsage>();
    public IReadOnlyDictionary<string, int> ProjectPriorities { get; init; } = new Dictionary<string, int>();
    public IReadOnlyDictionary<string, double> UserWindowCpuSeconds { get; init; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, double> ProjectWindowCpuSeconds { get; init; } = new Dictionary<string, double>();
}

/// <summary>
/// Where a change read's snapshot ends, opaque to the caller (the store says what it means): every change after
/// <see cref="Through"/>, and those of the transactions in <see cref="Unfinished"/>, were not in it. SQLite: the last
/// change number written, and none unfinished (one writer at a time). PostgreSQL: the snapshot's xmax (the first
/// transaction id not yet given) and its xip (the transactions still running), so a transaction that commits after
/// a later one is not skipped.
/// </summary>
public sealed record ChangeMark(long Through, IReadOnlyList<long> Unfinished)
{
    public static readonly ChangeMark Start = new(0, []);
}

/// <summary>
/// One job as a change read shows it: its state and array, with <see cref="Pending"/> set when it is Pending and
/// <see cref="Running"/> when it holds resources on a node (Scheduled, Running, Suspended), as the full read would list it.
/// </summary>
public sealed record ChangedJob(long Id, JobState State, long? ArrayId)
{
    public PendingJob? Pending { get; init; }
    public RunningJob? Running { get; init; }
}
