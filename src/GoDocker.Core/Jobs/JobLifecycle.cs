using System.Diagnostics.CodeAnalysis;
using GoDocker.Execution;
using GoDocker.Storage;
using GoDocker.Usage;

namespace GoDocker.Jobs;

/// <summary>
/// What every change does to a job, decided here and nowhere else: a store reads the job, asks one of these functions,
/// and persists the <see cref="JobUpdate"/> it gets (the job's new fields, its event, its usage charge, its notice) in one
/// transaction guarded by the version it read. No I/O: time is an argument.
/// </summary>
/// <remarks>
/// A refusal that a caller can act on is an exception the API maps as before (<see cref="IllegalTransitionException"/>,
/// <see cref="JobVersionConflictException"/>, <see cref="InvalidOperationException"/> with the sentence people read);
/// a change that would do nothing is <see cref="JobUpdate.Unchanged"/>, and nothing is written.
/// </remarks>
public static class JobLifecycle
{
    public const string SubmittedReason = "submitted, waiting for the scheduler";
    public const string ReleasedReason = "released, waiting for the scheduler";
    public const string RequeuedReason = "requeued, waiting for the scheduler";

    public static string HeldReason(string heldBy) => $"held by {heldBy}";

    /// <summary>
    /// A new Pending job (held by <paramref name="heldBy"/> when not null) and its "submitted" event. Its
    /// <see cref="Job.Id"/> (and <see cref="Job.ArrayId"/>) are 0 and null: the store assigns them when it inserts.
    /// </summary>
    public static NewJob Submit(ResolvedJobSpec spec, string owner, string? heldBy, DateTimeOffset now) => new(
        new Job
        {
            Id = 0,
            Owner = owner,
            Spec = spec,
            State = JobState.Pending,
            Reason = heldBy is null ? SubmittedReason : HeldReason(heldBy),
            Version = 1,
            SubmittedAt = now,
            HeldBy = heldBy,
        },
        new JobEvent(now, "submitted", $"submitted by {owner} to project {spec.Project}"));

    /// <summary>
    /// Moves a job to <see cref="JobChange.To"/>. Fields the change leaves null keep their value, except: the reason
    /// is the change's (a move without one clears it); the end cause is kept only into a terminal state; the expected
    /// start is cleared; back to Pending (requeue) the node, container, start and schedule times are cleared, as the next
    /// attempt is placed and launched anew. Leaving Running or Suspended with a start charges the attempt's usage, up to
    /// the change's end time (or <paramref name="now"/>), by the change's <see cref="JobChange.ChargeBasis"/>; an end of an
    /// attempt or of a job gives its <see cref="AccountingRecord"/> (<see cref="JobUpdate.Record"/>).
    /// </summary>
    /// <exception cref="JobVersionConflictException">when the change was made against another version of the job.</exception>
    /// <exception cref="IllegalTransitionException">when <see cref="JobTransitions"/> forbids the move.</exception>
    public static JobUpdate Apply(Job job, JobChange change, DateTimeOffset now)
    {
        if (change.JobId != job.Id)
        {
            throw new ArgumentException($"the change is for job {change.JobId}, not job {job.Id}", nameof(change));
        }
        if (job.Version != change.ExpectedVersion)
        {
            throw new JobVersionConflictException(job.Id, change.ExpectedVersion);
        }
        JobTransitions.Ensure(job.Id, job.State, change.To);
        var updated = job with
        {
            State = change.To,
            Reason = change.Reason,
            ContainerId = change.ContainerId ?? job.ContainerId,
            ExitCode = change.ExitCode ?? job.ExitCode,
            EndCause = change.EndCause ?? (change.To.IsTerminal() ? job.EndCause : null),
            // Only an end keeps the runner's record: a new attempt's comes with its own end.
            TaskLog = change.To.IsTerminal() ? change.TaskLog ?? job.TaskLog : null,
            StartedAt = change.StartedAt ?? job.StartedAt,
            EndedAt = change.EndedAt ?? job.EndedAt,
            StopRequested = change.ClearStopRequest ? null : job.StopRequested,
            ExpectedStart = null,
            Version = job.Version + 1,
        };
        if (change.To == JobState.Pending)
        {
            updated = updated with
            {
                Node = null,
                ContainerId = null,
                StartedAt = null,
                ScheduledAt = null,
                Reason = change.Reason ?? RequeuedReason,
            };
        }
        return new JobUpdate(updated, new JobEvent(now, change.EventKind, change.EventMessage), Charge(job, change, now))
        {
            Record = Accounted(job, change, now),
            Notice = GoDocker.Notifications.JobNotices.Of(job, updated, now),
        };
    }

    /// <summary>
    /// The change that ends a job's attempt as <paramref name="to"/>: a terminal state, with its cause, exit code and end
    /// time, or Pending (requeued: the run charged to usage, its exit not its outcome, the next placement the next
    /// attempt). One event kind per outcome (succeeded, killed, failed, requeued) whoever ends it: the executor's watch,
    /// a stop applied, a node down, a stop of a job that never started.
    /// </summary>
    public static JobChange End(Job job, JobState to, EndCause? cause, string reason, DateTimeOffset at, string? message = null, int? exitCode = null) =>
        new(job.Id, job.Version, to, to switch
        {
            JobState.Succeeded => "succeeded",
            JobState.Killed => "killed",
            JobState.Pending => "requeued",
            _ => "failed",
        }, message ?? reason)
        {
            Reason = reason,
            EndCause = cause,
            ExitCode = to == JobState.Pending ? null : exitCode,
            EndedAt = to == JobState.Pending ? null : at,
            ClearStopRequest = true,
        };

    /// <summary>A placement that made no container goes back to the queue, as the same attempt: nothing ran.</summary>
    public static JobChange ReturnToQueue(Job job, string reason, string message) =>
        new(job.Id, job.Version, JobState.Pending, "returned", message) { Reason = reason };

    /// <summary>
    /// The event of a placement the store committed: the job is Scheduled on <paramref name="node"/> for this attempt.
    /// </summary>
    public static JobEvent Scheduled(string node, int attempt, DateTimeOffset now) =>
        new(now, "scheduled", $"scheduled on node {node} (attempt {attempt})");

    /// <summary>
    /// A request to stop a job. One that never started (Pending, or Scheduled with no container yet) has nothing to
    /// stop: it moves at once to the request's end state (a terminal one with <see cref="EndCause.StopRequested"/>), at the
    /// request's time. Otherwise the request is recorded for the executor to apply, once: a second request, or one for a
    /// job that has ended, changes nothing.
    /// </summary>
    /// <exception cref="IllegalTransitionException">when a never-started job cannot move to the request's end state.</exception>
    public static JobUpdate RequestStop(Job job, StopRequest request)
    {
        if (job.State.IsTerminal())
        {
            return JobUpdate.Unchanged(job);
        }
        if (job.State == JobState.Pending || (job.State == JobState.Scheduled && job.ContainerId is null))
        {
            // A launch racing with this sees the new version and backs off.
            return Apply(job, End(job, request.EndState, request.EndState.IsTerminal() ? request.EndCause : null, request.Reason, request.At), request.At);
        }
        if (job.StopRequested is not null)
        {
            return JobUpdate.Unchanged(job);
        }
        return new JobUpdate(job with { StopRequested = request, Version = job.Version + 1 }, new JobEvent(request.At, "stop-requested", request.Reason));
    }

    /// <summary>Holds a pending job (<paramref name="heldBy"/> "user" or "admin") or releases it (null); the same hold again changes nothing.</summary>
    /// <exception cref="InvalidOperationException">when the job is not pending.</exception>
    public static JobUpdate SetHold(Job job, string? heldBy, string actor, DateTimeOffset now)
    {
        if (job.State != JobState.Pending)
        {
            throw new InvalidOperationException($"job {job.Id} is {job.State}: only a pending job can be held or released");
        }
        if (job.HeldBy == heldBy)
        {
            return JobUpdate.Unchanged(job);
        }
        return new JobUpdate(
            job with { HeldBy = heldBy, Reason = heldBy is null ? ReleasedReason : HeldReason(heldBy), Version = job.Version + 1 },
            heldBy is null ? new JobEvent(now, "released", $"released by {actor}") : new JobEvent(now, "held", $"held by {actor}"));
    }

    /// <summary>Sets an administrator's priority adjustment on a job that has not ended.</summary>
    /// <exception cref="InvalidOperationException">when the job has ended.</exception>
    public static JobUpdate SetPriorityAdjustment(Job job, int adjustment, string actor, DateTimeOffset now)
    {
        if (job.State.IsTerminal())
        {
            throw new InvalidOperationException($"job {job.Id} has ended ({job.State})");
        }
        return new JobUpdate(
            job with { PriorityAdjustment = adjustment, Version = job.Version + 1 },
            new JobEvent(now, "priority", $"priority adjustment set to {adjustment} by {actor}"));
    }

    // A run is billed when it leaves the node's resources (ends, or is requeued), from its start: a job that never
    // started (or was only Scheduled) costs nothing. Its cpu time is the allocated cpus × elapsed, or what was measured
    // where the site charges that (allocated when nothing was measured: an unsampled run is not free).
    private static UsageCharge? Charge(Job job, JobChange change, DateTimeOffset now)
    {
        if (job.State is not (JobState.Running or JobState.Suspended) || job.StartedAt is not { } started
            || !(change.To.IsTerminal() || change.To == JobState.Pending))
        {
            return null;
        }
        var ended = change.EndedAt ?? now;
        var consumption = JobConsumption.Of(job.Spec.Cpus, job.Spec.MemoryBytes, job.Spec.Gpus, ended - started);
        if (change.ChargeBasis == ChargeBasis.Measured && change.Measured is { } measured)
        {
            consumption = consumption with { CpuSeconds = Math.Max(0, measured.CpuSeconds) };
        }
        return new UsageCharge(job.Id, job.Attempt, job.Owner, job.Spec.Project, ended, consumption);
    }

    // An attempt is accounted when it ends: it leaves Running or Suspended (ended, or requeued), or a Scheduled one
    // whose container was made is requeued; and a job is accounted when it ends without its attempt running (killed
    // while pending, rejected, refused or failed at launch). A placement given back before any container existed is no
    // end: the same attempt is placed again.
    private static AccountingRecord? Accounted(Job job, JobChange change, DateTimeOffset now)
    {
        if (job.State.IsTerminal())
        {
            return null;
        }
        var ran = job.State is JobState.Running or JobState.Suspended || (job.State == JobState.Scheduled && job.ContainerId is not null);
        AccountedState state;
        switch (change.To)
        {
            case JobState.Pending when ran:
                state = AccountedState.Requeued;
                break;
            case JobState.Succeeded:
                state = AccountedState.Succeeded;
                break;
            case JobState.Failed:
                state = AccountedState.Failed;
                break;
            case JobState.Killed:
                state = AccountedState.Killed;
                break;
            case JobState.Rejected:
                state = AccountedState.Rejected;
                break;
            default:
                return null;
        }
        return new AccountingRecord
        {
            JobId = job.Id,
            ArrayId = job.ArrayId,
            Name = job.Spec.Name,
            Owner = job.Owner,
            Project = job.Spec.Project,
            Attempt = job.Attempt,
            State = state,
            Cause = change.EndCause,
            Reason = change.Reason,
            ExitCode = change.ExitCode,
            Node = job.Node,
            SubmittedAt = job.SubmittedAt,
            StartedAt = change.StartedAt ?? job.StartedAt,
            EndedAt = change.EndedAt ?? now,
            Cpus = job.Spec.Cpus,
            MemoryBytes = job.Spec.MemoryBytes,
            Gpus = job.Spec.Gpus,
            Measured = change.Measured,
        };
    }
}

/// <summary>
/// What one change does to a stored job: <see cref="Job"/> as it becomes (version bumped), the <see cref="Event"/> to append
/// to its timeline, and the <see cref="Charge"/> and accounting <see cref="Record"/> to record, if any. Every change
/// appends exactly one event, so no event means <see cref="Unchanged"/>: nothing to write.
/// </summary>
public sealed record JobUpdate(Job Job, JobEvent? Event, UsageCharge? Charge = null)
{
    /// <summary>The accounting record of the attempt (or job) this change ends, kept in the change's transaction.</summary>
    public AccountingRecord? Record { get; init; }

    /// <summary>What this change tells those who asked to know (mail, webhooks), kept in the notification outbox in the change's transaction.</summary>
    public GoDocker.Notifications.JobNotice? Notice { get; init; }

    public static JobUpdate Unchanged(Job job) => new(job, null);

    [MemberNotNullWhen(true, nameof(Event))]
    public bool Changed => Event is not null;
}

/// <summary>A job about to be stored and its "submitted" event (<see cref="JobLifecycle.Submit"/>).</summary>
public sealed record NewJob(Job Job, JobEvent Event);
