using GoDocker.Jobs;
using GoDocker.Scheduling;

namespace GoDocker.Storage;

/// <summary>
/// Durable job state. The only writer of a job's state (DESIGN invariant 1): every change is decided by
/// <see cref="JobLifecycle"/> (which checks <see cref="JobTransitions"/>) from the row read in the write
/// transaction, written under an optimistic version check, and recorded in the timeline. A store persists; it never decides.
/// </summary>
public interface IJobStore
{
    /// <summary>
    /// Why the store cannot write now ("disk full: …"), or null: set by a write that failed with
    /// <see cref="StoreFullException"/>, cleared by the next write that succeeds.
    /// </summary>
    string? WriteFault { get; }

    /// <summary>Stores a new Pending job with its "submitted" event; returns it with its id.</summary>
    ValueTask<Job> SubmitAsync(ResolvedJobSpec spec, string owner, CancellationToken cancellationToken);

    ValueTask<Job?> GetAsync(long id, CancellationToken cancellationToken);

    /// <summary>One page of the jobs matching every filter of <paramref name="query"/>, in its <see cref="JobQuery.Sort"/> order; the total counts every match.</summary>
    ValueTask<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// The accounting records that match, a page of them and their total, from one snapshot. A record is written by the
    /// change that ends its attempt (<see cref="JobUpdate.Record"/>), in that change's transaction.
    /// </summary>
    ValueTask<AccountingPage> ListAccountingAsync(AccountingQuery query, CancellationToken cancellationToken);

    /// <summary>The job's timeline, oldest first.</summary>
    ValueTask<IReadOnlyList<JobEvent>> GetEventsAsync(long id, CancellationToken cancellationToken);

    /// <summary>Jobs holding resources (Scheduled, Running, Suspended): what executors must watch.</summary>
    ValueTask<IReadOnlyList<Job>> ListActiveAsync(CancellationToken cancellationToken);

    /// <summary>Pending jobs and the resources held per node, read in one consistent snapshot.</summary>
    ValueTask<SchedulingInput> ReadSchedulingInputAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Applies a plan in one transaction. Each placement is re-checked: the job must still be Pending at the
    /// version the plan read, and the node must still have room given what is committed now. Returns the
    /// placements applied (jobs now Scheduled, attempt incremented); the others stay pending.
    /// A store may write a deep queue's pending reasons and expected starts (advice, only to jobs still pending) in
    /// bounded batches of their own before that transaction, each checked as the plan is (the PostgreSQL store does,
    /// beyond 10,000): a plan that fails then may have written some of them, never a placement or a rejection.
    /// </summary>
    ValueTask<IReadOnlyList<AppliedPlacement>> ApplyPlanAsync(Plan plan, IReadOnlyList<NodeInfo> nodes, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="ApplyPlanAsync(Plan, IReadOnlyList{NodeInfo}, CancellationToken)"/> for the leader holding <paramref name="fence"/>:
    /// in the same transaction the store checks that the lease is still live with this token, so a paused old leader never
    /// commits a plan after another took over. Throws <see cref="LeaseLostException"/> (nothing written, but for batches
    /// of reasons written while the lease was still this term's) when it is not.
    /// </summary>
    ValueTask<IReadOnlyList<AppliedPlacement>> ApplyPlanAsync(Plan plan, IReadOnlyList<NodeInfo> nodes, Leadership fence, CancellationToken cancellationToken);

    /// <summary>Moves a job to another state. Throws <see cref="IllegalTransitionException"/> or <see cref="JobVersionConflictException"/>.</summary>
    ValueTask<Job> TransitionAsync(JobChange change, CancellationToken cancellationToken);

    /// <summary>
    /// Records a stop request. A job that never started (Pending, or Scheduled with no container) ends at once
    /// in <see cref="StopRequest.EndState"/>; otherwise the request stays on the job until an executor applies it.
    /// A terminal job is returned unchanged.
    /// </summary>
    ValueTask<Job> RequestStopAsync(long id, StopRequest request, CancellationToken cancellationToken);

    /// <summary>Appends an event to a job's timeline without changing its state.</summary>
    ValueTask AppendEventAsync(long id, JobEvent jobEvent, CancellationToken cancellationToken);

    /// <summary>Stores a new job, held by <paramref name="heldBy"/> ("user") when not null.</summary>
    ValueTask<Job> SubmitAsync(ResolvedJobSpec spec, string owner, string? heldBy, CancellationToken cancellationToken);

    /// <summary>Stores every task of an array in one transaction; the array's id is its first task's.</summary>
    ValueTask<IReadOnlyList<Job>> SubmitArrayAsync(IReadOnlyList<ResolvedJobSpec> tasks, string owner, string? heldBy, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a job (one task) or an array (several) under the owner's idempotency key, the key in the same transaction as
    /// the jobs: the first submit with a key stores both; a later one within <see cref="IdempotencyKey.Lifetime"/> stores
    /// nothing and says whether it matched (<see cref="KeyedOutcome.Replayed"/>) or not (<see cref="KeyedOutcome.KeyReused"/>).
    /// </summary>
    ValueTask<KeyedSubmission> SubmitAsync(IReadOnlyList<ResolvedJobSpec> tasks, bool array, string owner, string? heldBy, IdempotencyKey key, CancellationToken cancellationToken);

    /// <summary>What an earlier submit under this key would make of this one: null when the key is unused (or expired).</summary>
    ValueTask<KeyedSubmission?> FindKeyAsync(string owner, IdempotencyKey key, CancellationToken cancellationToken);

    /// <summary>The cycle's inputs, with cpu-hours counted over <paramref name="cpuHoursWindow"/>.</summary>
    ValueTask<SchedulingInput> ReadSchedulingInputAsync(TimeSpan cpuHoursWindow, CancellationToken cancellationToken);

    /// <summary>
    /// The scheduler's catch-up read for its <see cref="PendingIndex"/>, in one consistent snapshot. With <paramref name="since"/>
    /// null: every pending and resource-holding job (a rebuild). Otherwise: every job whose row changed after the read that
    /// returned that mark, whatever order concurrent writers commit in (a job may come again; never one missed), except the
    /// pending reasons and expected starts a plan wrote (the leader applied that plan: <see cref="PendingIndex.Applied"/>).
    /// </summary>
    ValueTask<SchedulingChanges> ReadSchedulingChangesAsync(ChangeMark? since, TimeSpan cpuHoursWindow, CancellationToken cancellationToken);

    /// <summary>Holds (heldBy "user"/"admin") or releases (null) a pending job.</summary>
    ValueTask<Job> SetHoldAsync(long id, string? heldBy, string actor, CancellationToken cancellationToken);

    ValueTask<Job> SetPriorityAdjustmentAsync(long id, int adjustment, string actor, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<GoDocker.Usage.AccountLimits>> GetLimitsAsync(GoDocker.Usage.AccountKind? kind, string? name, CancellationToken cancellationToken);

    ValueTask SetLimitsAsync(GoDocker.Usage.AccountLimits limits, CancellationToken cancellationToken);

    /// <summary>Cpu-seconds charged to a user or project by jobs that ended since <paramref name="since"/>.</summary>
    ValueTask<double> CpuSecondsSinceAsync(GoDocker.Usage.AccountKind kind, string name, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>
    /// How many jobs there are in each (state, project), every job the store keeps: one grouped count in one read, for
    /// the metrics' gauges (the caller keeps it briefly: it reads the whole table). Pairs with no job are absent.
    /// </summary>
    ValueTask<IReadOnlyList<JobCount>> CountJobsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The ended jobs a purge would delete (ended before <see cref="PurgeQuery.EndedBefore"/>, of the owner and in the states
    /// when given), oldest id first, at most <see cref="PurgeQuery.Limit"/>. Never a job that has not ended.
    /// </summary>
    ValueTask<IReadOnlyList<Job>> ListPurgeableAsync(PurgeQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the records of those of <paramref name="ids"/> that have ended (the job, its timeline, tags, usage series and
    /// idempotency key) in one transaction; a job that has not ended is left alone. The accounting records and the usage
    /// charges stay: they are the history that fair share, quotas and `godocker history` read. Returns the ids deleted.
    /// </summary>
    ValueTask<IReadOnlyList<long>> DeleteEndedAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken);
}

/// <summary>What a purge selects: ended jobs that ended before a time, optionally of one owner and in some (ended) states.</summary>
public sealed record PurgeQuery(DateTimeOffset EndedBefore)
{
    public string? Owner { get; init; }
    /// <summary>Ended states only; null = every ended state.</summary>
    public IReadOnlyList<JobState>? States { get; init; }
    public int Limit { get; init; } = 1000;

    /// <summary>The states the query matches: those asked for that have ended (a job still pending or running is never purged).</summary>
    public IReadOnlyList<JobState> EndedStates =>
        [.. (States ?? Enum.GetValues<JobState>()).Where(s => s.IsTerminal()).Distinct()];
}

/// <summary>A state change. Fields left null keep their current value.</summary>
public sealed record JobChange(long JobId, long ExpectedVersion, JobState To, string EventKind, string EventMessage)
{
    public string? Reason { get; init; }
    public string? ContainerId { get; init; }
    public int? ExitCode { get; init; }
    /// <summary>Why the attempt ended, with a terminal state.</summary>
    public GoDocker.Execution.EndCause? EndCause { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    /// <summary>Clears a stop request once applied.</summary>
    public bool ClearStopRequest { get; init; }
    /// <summary>What the attempt this change ends was measured to use (null: nothing measured), for its accounting record and charge.</summary>
    public GoDocker.Usage.MeasuredUsage? Measured { get; init; }
    /// <summary>What the attempt's usage charge counts as cpu time (the site's Usage:Charge).</summary>
    public GoDocker.Usage.ChargeBasis ChargeBasis { get; init; }
    /// <summary>A TES task's runner record of the attempt this change ends, kept with the job.</summary>
    public GoDocker.Tes.TaskRunLog? TaskLog { get; init; }
}

public sealed record JobQuery
{
    public IReadOnlyList<JobState>? States { get; init; }
    public string? Owner { get; init; }
    public string? Project { get; init; }
    public string? Tag { get; init; }
    /// <summary>Only the tasks of this array.</summary>
    public long? ArrayId { get; init; }
    /// <summary>Only jobs whose name holds this text, ignoring the case of ASCII letters; every character matches itself (% and _ too).</summary>
    public string? NameContains { get; init; }
    /// <summary>Only interactive jobs (true) or only batch jobs (false).</summary>
    public bool? Interactive { get; init; }
    /// <summary>Only jobs whose name starts with this text, exactly (case counts; % and _ are themselves): TES's name_prefix.</summary>
    public string? NamePrefix { get; init; }
    /// <summary>Only jobs with a smaller id: where a keyset page sorted by id descending resumes (TES's page_token).</summary>
    public long? IdBelow { get; init; }
    /// <summary>The order of <see cref="JobPage.Items"/>; ties are broken by id, so paging is stable.</summary>
    public JobSort Sort { get; init; } = JobSort.Default;
    public int Offset { get; init; }
    public int Limit { get; init; } = 100;
    /// <summary>Only jobs this caller may see; null = all (admins).</summary>
    public JobVisibility? VisibleTo { get; init; }
}

/// <summary>Jobs owned by <see cref="Login"/> or charged to one of <see cref="Projects"/>.</summary>
public sealed record JobVisibility(string Login, IReadOnlyList<string> Projects);

public sealed record JobPage(IReadOnlyList<Job> Items, long Total);

/// <summary>What the store holds for one cycle; the scheduler adds configuration (quota defaults, shares) to make the snapshot.</summary>
/// <remarks><see cref="UsageByNode"/>: what the jobs holding resources hold per node (<see cref="NodeUsage"/>).</remarks>
public sealed record SchedulingInput(IReadOnlyList<PendingJob> Pending, IReadOnlyDictionary<string, Resources> UsageByNode)
{
    public IReadOnlyList<RunningJob> Running { get; init; } = [];
    public IReadOnlyDictionary<long, JobState> DependencyStates { get; init; } = new Dictionary<long, JobState>();
    public IReadOnlyList<GoDocker.Usage.AccountLimits> Limits { get; init; } = [];
    public IReadOnlyDictionary<(GoDocker.Usage.AccountKind Kind, string Name), GoDocker.Usage.DecayedUsage> DecayedUsage { get; init; } =
        new Dictionary<(GoDocker.Usage.AccountKind, string), GoDocker.Usage.DecayedUsage>();
    public IReadOnlyDictionary<string, int> ProjectPriorities { get; init; } = new Dictionary<string, int>();
    /// <summary>Cpu-seconds of jobs that ended within the quota window, per user and per project.</summary>
    public IReadOnlyDictionary<string, double> UserWindowCpuSeconds { get; init; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, double> ProjectWindowCpuSeconds { get; init; } = new Dictionary<string, double>();
}

/// <summary>How many jobs are in <see cref="State"/> and charged to <see cref="Project"/>.</summary>
public sealed record JobCount(JobState State, string Project, long Count);

/// <summary>A placement the store committed: the job is Scheduled on Node for this Attempt.</summary>
public sealed record AppliedPlacement(long JobId, int Attempt, string Node);
