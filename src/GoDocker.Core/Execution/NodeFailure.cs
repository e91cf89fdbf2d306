using System.Globalization;
using GoDocker.Jobs;
using GoDocker.Storage;

namespace GoDocker.Execution;

/// <summary>
/// When a silent node is down, and what that does to the jobs placed on it (Slurm's SlurmdTimeout and JobRequeue; Funnel's
/// DEAD node). Pure: times are arguments. A node is down once its engine has not answered for the site's time; an attempt
/// on a down node has an unknown fate, so it is resolved by the job's own choice: requeued (run again from the start,
/// as a new attempt) or failed with <see cref="EndCause.NodeDown"/>. A placement that never created a container always
/// goes back to the queue: nothing ran.
/// </summary>
public static class NodeFailure
{
    /// <summary>Whether a node unreachable since <paramref name="unreachableSince"/> (null: it answers) is down at <paramref name="now"/>.</summary>
    public static bool IsDown(DateTimeOffset? unreachableSince, TimeSpan downAfter, DateTimeOffset now) =>
        unreachableSince is { } since && now - since >= downAfter;

    /// <summary>
    /// The change that resolves <paramref name="job"/> on <paramref name="node"/>, down after being unreachable since
    /// <paramref name="unreachableSince"/>; null when the job is not placed there or has not a live attempt (Scheduled,
    /// Running, Suspended). A stop asked for and never applied (a kill, a requeue, a walltime) is honoured as asked: the
    /// container is beyond reach, but what the job becomes is known.
    /// </summary>
    public static JobChange? Resolve(Job job, string node, DateTimeOffset unreachableSince, DateTimeOffset now)
    {
        if (job.Node != node || job.State is not (JobState.Scheduled or JobState.Running or JobState.Suspended))
        {
            return null;
        }
        var down = $"node {node} down (unreachable since {Format(unreachableSince)})";
        if (job.StopRequested is { } stop)
        {
            return JobLifecycle.End(job, stop.EndState, stop.EndState.IsTerminal() ? stop.EndCause : EndCause.NodeDown, stop.Reason, now,
                $"{stop.Reason}; {down}");
        }
        if (job.State == JobState.Scheduled && job.ContainerId is null)
        {
            return JobLifecycle.ReturnToQueue(job, $"{down}: placement returned, waiting for a node to take it", $"placement on {down} returned to the queue");
        }
        if (job.Spec.Requeue)
        {
            return JobLifecycle.End(job, JobState.Pending, EndCause.NodeDown, $"requeued: {down}", now, $"requeued: {down}; attempt {job.Attempt} abandoned");
        }
        return JobLifecycle.End(job, JobState.Failed, EndCause.NodeDown, down, now, $"{down}; the job does not allow requeue");
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
