namespace GoDocker.Jobs;

/// <summary>A submitted job: the resolved spec plus identity, owner, state and what happened to it.</summary>
public sealed record Job
{
    public required long Id { get; init; }
    public required string Owner { get; init; }
    public required ResolvedJobSpec Spec { get; init; }
    public required JobState State { get; init; }
    /// <summary>Why the job is where it is: the pending reason, or how it ended.</summary>
    public string? Reason { get; init; }
    public string? Node { get; init; }
    /// <summary>Launch attempts so far; the container is named by id and attempt.</summary>
    public int Attempt { get; init; }
    /// <summary>Optimistic concurrency: every write checks and bumps it.</summary>
    public long Version { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? ScheduledAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public int? ExitCode { get; init; }
    /// <summary>Why the last attempt ended, as a closed value (the reason is its sentence); null until one ended.</summary>
    public GoDocker.Execution.EndCause? EndCause { get; init; }
    /// <summary>A TES task's runner record of its last attempt, kept at its end (its executors' times and codes, its outputs).</summary>
    public GoDocker.Tes.TaskRunLog? TaskLog { get; init; }
    public string? ContainerId { get; init; }
    /// <summary>A stop was asked for (by a user or a watcher); the executor applies it.</summary>
    public StopRequest? StopRequested { get; init; }
    /// <summary>Who holds the pending job ("user", "admin"); null = not held.</summary>
    public string? HeldBy { get; init; }
    /// <summary>An administrator's priority adjustment.</summary>
    public int PriorityAdjustment { get; init; }
    /// <summary>The array this job is a task of: the id of its first task.</summary>
    public long? ArrayId { get; init; }
    /// <summary>When the scheduler expects a pending job to start (its reservation), where walltimes make it computable.</summary>
    public DateTimeOffset? ExpectedStart { get; init; }
}

/// <summary>
/// A recorded request to stop a job, visible until applied. <see cref="EndState"/> is what the job becomes; <see cref="Cause"/>
/// what its end is recorded as, when a terminal one (a site limit's own cause; null: <see cref="EndCause.StopRequested"/>).
/// </summary>
public sealed record StopRequest(JobState EndState, string Reason, DateTimeOffset At, GoDocker.Execution.EndCause? Cause = null)
{
    /// <summary>The end cause an end by this request records.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public GoDocker.Execution.EndCause EndCause => Cause ?? GoDocker.Execution.EndCause.StopRequested;
}

/// <summary>One line of a job's timeline.</summary>
public sealed record JobEvent(DateTimeOffset At, string Kind, string Message);
