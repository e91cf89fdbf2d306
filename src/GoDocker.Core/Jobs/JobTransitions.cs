using System.Collections.Frozen;

namespace GoDocker.Jobs;

/// <summary>
/// The one table of legal state changes. The store calls <see cref="Ensure"/> before every write;
/// an illegal move is a fault (<see cref="IllegalTransitionException"/>), never applied silently.
/// </summary>
public static class JobTransitions
{
    private static readonly FrozenDictionary<JobState, JobState[]> Allowed = new Dictionary<JobState, JobState[]>
    {
        // Rejected: a condition found after submit that can never be met.
        [JobState.Pending] = [JobState.Scheduled, JobState.Killed, JobState.Rejected, JobState.Failed],
        // Pending: the launch was given back (node gone, requeue). Failed: the launch itself failed.
        [JobState.Scheduled] = [JobState.Running, JobState.Pending, JobState.Failed, JobState.Killed, JobState.Succeeded],
        // Pending: requeue. Succeeded/Failed/Killed: the container ended.
        [JobState.Running] = [JobState.Suspended, JobState.Succeeded, JobState.Failed, JobState.Killed, JobState.Pending],
        [JobState.Suspended] = [JobState.Running, JobState.Killed, JobState.Failed, JobState.Pending],
        [JobState.Succeeded] = [JobState.Archived],
        [JobState.Failed] = [JobState.Archived],
        [JobState.Killed] = [JobState.Archived],
        [JobState.Rejected] = [JobState.Archived],
        [JobState.Archived] = [],
    }.ToFrozenDictionary();

    public static bool IsAllowed(JobState from, JobState to) => Allowed[from].Contains(to);

    public static IReadOnlyList<JobState> From(JobState from) => Allowed[from];

    /// <exception cref="IllegalTransitionException">when the table forbids the move.</exception>
    public static void Ensure(long jobId, JobState from, JobState to)
    {
        if (!IsAllowed(from, to))
        {
            throw new IllegalTransitionException(jobId, from, to);
        }
    }
}

public sealed class IllegalTransitionException(long jobId, JobState from, JobState to)
    : InvalidOperationException($"job {jobId}: illegal transition {from} -> {to}")
{
    public long JobId { get; } = jobId;
    public JobState From { get; } = from;
    public JobState To { get; } = to;
}

/// <summary>The job changed since it was read (optimistic version check failed).</summary>
public sealed class JobVersionConflictException(long jobId, long expectedVersion)
    : InvalidOperationException($"job {jobId}: version {expectedVersion} is stale")
{
    public long JobId { get; } = jobId;
}
