using GoDocker.Access;
using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Server.Services;
using GoDocker.Storage;

namespace GoDocker.Server.UseCases;

/// <summary>
/// What a caller may do to a job once submitted: kill, requeue, suspend, resume, hold, release, and an administrator's
/// priority adjustment; and kill, suspend and resume of a whole array. Access is the <see cref="IAccessPolicy"/>'s: a job the caller may
/// not see is not found (ids reveal nothing), one they may see but not control is forbidden. Stops are recorded
/// through <see cref="StopRequests"/>, which signals the executor loop; suspend and resume freeze and thaw the
/// container on its node's engine here, and record the state after. What happened is a <see cref="ControlOutcome"/>.
/// </summary>
public sealed class JobControl(
    IJobStore store,
    IAccessPolicy policy,
    StopRequests stopRequests,
    NodeRegistry nodes,
    OwnPauses ownPauses,
    SchedulerTrigger scheduler,
    TimeProvider time,
    ILogger<JobControl> logger)
{
    /// <summary>The widest priority an administrator may give a user, a project or (as an adjustment) a job.</summary>
    public const int MaxPriority = 1_000_000_000;

    /// <summary>Kills a job: one that never started ends at once; a running one gets SIGTERM, then SIGKILL after the grace period.</summary>
    public async Task<ControlOutcome> KillAsync(Caller caller, long id, CancellationToken cancellationToken)
    {
        var (job, refused) = await LoadAsync(caller, id, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        return new ControlOutcome.Done(await stopRequests.RecordAsync(id, new StopRequest(JobState.Killed, $"killed by {caller.Login}", time.GetUtcNow()), cancellationToken));
    }

    /// <summary>Stops a scheduled, running or suspended job and puts it back in the queue, keeping its history and attempt count.</summary>
    public async Task<ControlOutcome> RequeueAsync(Caller caller, long id, CancellationToken cancellationToken)
    {
        var (job, refused) = await LoadAsync(caller, id, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        if (job.State is not (JobState.Running or JobState.Suspended or JobState.Scheduled))
        {
            return new ControlOutcome.Conflict($"job {id} is {job.State}: only a scheduled, running or suspended job can be requeued");
        }
        return new ControlOutcome.Done(await stopRequests.RecordAsync(id, new StopRequest(JobState.Pending, $"requeued by {caller.Login}", time.GetUtcNow()), cancellationToken));
    }

    /// <summary>Holds a pending job: it waits until released. An administrator's hold of another's job only an administrator releases.</summary>
    public Task<ControlOutcome> HoldAsync(Caller caller, long id, CancellationToken cancellationToken) => SetHoldAsync(caller, id, hold: true, cancellationToken);

    /// <summary>Releases a held job (an administrator's hold only by an administrator).</summary>
    public Task<ControlOutcome> ReleaseAsync(Caller caller, long id, CancellationToken cancellationToken) => SetHoldAsync(caller, id, hold: false, cancellationToken);

    private async Task<ControlOutcome> SetHoldAsync(Caller caller, long id, bool hold, CancellationToken cancellationToken)
    {
        var (job, refused) = await LoadAsync(caller, id, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        if (!hold && job.HeldBy == "admin" && !caller.Admin)
        {
            return new ControlOutcome.Forbidden($"job {id} is held by an administrator; only an administrator can release it");
        }
        var heldBy = !hold ? null : caller.Admin && caller.Login != job.Owner ? "admin" : "user";
        return await GuardedAsync(() => store.SetHoldAsync(id, heldBy, caller.Login, cancellationToken).AsTask());
    }

    /// <summary>Suspends a running job: its container is frozen (docker pause) and it keeps its resources.</summary>
    public async Task<ControlOutcome> SuspendAsync(Caller caller, long id, CancellationToken cancellationToken)
    {
        var (job, refused) = await LoadAsync(caller, id, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        return await GuardedAsync(async () =>
        {
            var (executor, container) = Served(job, JobState.Running, "suspended");
            await OnEngineAsync(executor, container, ContainerAction.Paused, () => executor.PauseAsync(container, cancellationToken), cancellationToken);
            try
            {
                return await store.TransitionAsync(new JobChange(job.Id, job.Version, JobState.Suspended, "suspended", $"suspended by {caller.Login}")
                {
                    Reason = $"suspended by {caller.Login}",
                }, cancellationToken);
            }
            catch
            {
                await UndoAsync(job, container, ContainerAction.Unpaused, () => executor.UnpauseAsync(container, CancellationToken.None));
                throw;
            }
        });
    }

    /// <summary>
    /// Resumes a suspended job (docker unpause). The container is thawed first and Running recorded after, so the
    /// record never says Running for a frozen container; a record that fails freezes it again.
    /// </summary>
    public async Task<ControlOutcome> ResumeAsync(Caller caller, long id, CancellationToken cancellationToken)
    {
        var (job, refused) = await LoadAsync(caller, id, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        return await GuardedAsync(async () =>
        {
            var (executor, container) = Served(job, JobState.Suspended, "resumed");
            await OnEngineAsync(executor, container, ContainerAction.Unpaused, () => executor.UnpauseAsync(container, cancellationToken), cancellationToken);
            try
            {
                return await store.TransitionAsync(new JobChange(job.Id, job.Version, JobState.Running, "resumed", $"resumed by {caller.Login}"), cancellationToken);
            }
            catch
            {
                await UndoAsync(job, container, ContainerAction.Paused, () => executor.PauseAsync(container, CancellationToken.None));
                throw;
            }
        });
    }

    /// <summary>
    /// Sets an administrator's priority adjustment on a job that has not ended (any job: an administrator sees all),
    /// and wakes the scheduler to rank it again.
    /// </summary>
    public async Task<ControlOutcome> SetPriorityAsync(Caller caller, long id, int adjustment, CancellationToken cancellationToken)
    {
        if (Math.Abs((long)adjustment) > MaxPriority)
        {
            return new ControlOutcome.Invalid("adjustment", "the adjustment must be between -1000000000 and 1000000000");
        }
        if (!caller.Admin)
        {
            return new ControlOutcome.Forbidden("only an administrator can adjust a job's priority");
        }
        try
        {
            var job = await store.SetPriorityAdjustmentAsync(id, adjustment, caller.Login, cancellationToken);
            scheduler.Poke();
            return new ControlOutcome.Done(job);
        }
        catch (KeyNotFoundException)
        {
            return new ControlOutcome.NotFound(id);
        }
        catch (InvalidOperationException e)
        {
            return new ControlOutcome.Conflict(e.Message);
        }
    }

    /// <summary>The tasks of array <paramref name="arrayId"/> the caller may see (none: no such array, for them).</summary>
    public async Task<IReadOnlyList<Job>> ArrayTasksAsync(Caller caller, long arrayId, CancellationToken cancellationToken)
    {
        var page = await store.ListAsync(new JobQuery
        {
            ArrayId = arrayId,
            Limit = ArraySpec.MaxTasks,
            VisibleTo = caller.Admin ? null : new JobVisibility(caller.Login, [.. caller.ManagedProjects]),
        }, cancellationToken);
        return [.. page.Items.Where(j => policy.CanSee(caller, j))];
    }

    /// <summary>Kills every task of an array that has not ended; the caller must be able to control every task they see.</summary>
    public async Task<ArrayOutcome> KillArrayAsync(Caller caller, long arrayId, CancellationToken cancellationToken)
    {
        var (tasks, refused) = await LoadArrayAsync(caller, arrayId, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        var after = new List<Job>();
        foreach (var task in tasks)
        {
            after.Add(task.State.IsTerminal()
                ? task
                : await stopRequests.RecordAsync(task.Id, new StopRequest(JobState.Killed, $"array {arrayId} killed by {caller.Login}", time.GetUtcNow()), cancellationToken));
        }
        return new ArrayOutcome.Done(arrayId, after);
    }

    /// <summary>
    /// Suspends every running task of an array, as Slurm's <c>scontrol suspend</c> does an array job's; tasks that do
    /// not run are left as they are. A conflict when none runs.
    /// </summary>
    public Task<ArrayOutcome> SuspendArrayAsync(Caller caller, long arrayId, CancellationToken cancellationToken) =>
        ControlArrayAsync(caller, arrayId, JobState.Running, SuspendAsync, cancellationToken);

    /// <summary>Resumes every suspended task of an array; the others are left as they are. A conflict when none is suspended.</summary>
    public Task<ArrayOutcome> ResumeArrayAsync(Caller caller, long arrayId, CancellationToken cancellationToken) =>
        ControlArrayAsync(caller, arrayId, JobState.Suspended, ResumeAsync, cancellationToken);

    /// <summary>
    /// Applies one task's control to each task of the array in state <paramref name="from"/>; the caller must be able
    /// to control every task they see. A task that left that state meanwhile is returned as it is now. When a task's
    /// engine does not answer, the others are still done and the answer is unavailable: the same control, again, does
    /// the rest.
    /// </summary>
    private async Task<ArrayOutcome> ControlArrayAsync(Caller caller, long arrayId, JobState from,
        Func<Caller, long, CancellationToken, Task<ControlOutcome>> control, CancellationToken cancellationToken)
    {
        var (tasks, refused) = await LoadArrayAsync(caller, arrayId, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        if (tasks.All(t => t.State != from))
        {
            return new ArrayOutcome.Conflict($"no task of array {arrayId} is {from.ToString().ToLowerInvariant()}");
        }
        var after = new List<Job>();
        string? unavailable = null;
        foreach (var task in tasks)
        {
            if (task.State != from)
            {
                after.Add(task);
                continue;
            }
            switch (await control(caller, task.Id, cancellationToken))
            {
                case ControlOutcome.Done done:
                    after.Add(done.Job);
                    break;
                case ControlOutcome.Unavailable down:
                    unavailable ??= $"task {task.Id}: {down.Reason}";
                    after.Add(task);
                    break;
                default:
                    after.Add(await store.GetAsync(task.Id, cancellationToken) ?? task);
                    break;
            }
        }
        return unavailable is null ? new ArrayOutcome.Done(arrayId, after) : new ArrayOutcome.Unavailable(unavailable);
    }

    /// <summary>The array's tasks the caller sees, when they may control every one; otherwise why not (none visible: not found).</summary>
    private async Task<(IReadOnlyList<Job> Tasks, ArrayOutcome? Refused)> LoadArrayAsync(Caller caller, long arrayId, CancellationToken cancellationToken)
    {
        var tasks = await ArrayTasksAsync(caller, arrayId, cancellationToken);
        if (tasks.Count == 0)
        {
            return (tasks, new ArrayOutcome.NotFound(arrayId));
        }
        if (tasks.Any(t => !policy.CanControl(caller, t)))
        {
            return (tasks, new ArrayOutcome.Forbidden($"you may see array {arrayId} but not control it"));
        }
        return (tasks, null);
    }

    /// <summary>The job, when the caller may control it; otherwise why not (not visible: not found).</summary>
    private async Task<(Job? Job, ControlOutcome? Refused)> LoadAsync(Caller caller, long id, CancellationToken cancellationToken)
    {
        var job = await store.GetAsync(id, cancellationToken);
        if (job is null || !policy.CanSee(caller, job))
        {
            return (null, new ControlOutcome.NotFound(id));
        }
        if (!policy.CanControl(caller, job))
        {
            return (null, new ControlOutcome.Forbidden($"you may see job {id} but not control it"));
        }
        return (job, null);
    }

    /// <summary>Runs a change of a job, turning the refusals the store and the engine throw into outcomes.</summary>
    private static async Task<ControlOutcome> GuardedAsync(Func<Task<Job>> change)
    {
        try
        {
            return new ControlOutcome.Done(await change());
        }
        // Both are InvalidOperationExceptions: caught before the general case, or it takes them.
        catch (JobVersionConflictException)
        {
            return new ControlOutcome.Conflict("the job changed meanwhile; try again");
        }
        catch (IllegalTransitionException e)
        {
            return new ControlOutcome.Conflict(e.Message);
        }
        catch (InvalidOperationException e)
        {
            return new ControlOutcome.Conflict(e.Message);
        }
        catch (NodeUnavailableException e)
        {
            return new ControlOutcome.Unavailable(e.Message);
        }
    }

    /// <exception cref="InvalidOperationException">when the job is not in <paramref name="required"/> or its node is not served here.</exception>
    private (IExecutor Executor, string Container) Served(Job job, JobState required, string verb)
    {
        if (job.State != required || job.ContainerId is null || job.Node is null)
        {
            throw new InvalidOperationException($"job {job.Id} is {job.State}: only a {required.ToString().ToLowerInvariant()} job can be {verb}");
        }
        return (nodes.ExecutorFor(job.Node) ?? throw new InvalidOperationException($"node {job.Node} is not served by this server"), job.ContainerId);
    }

    /// <summary>Pauses or unpauses as GoDocker (its event is not reported as done outside).</summary>
    /// <exception cref="NodeUnavailableException">when the node's engine does not answer.</exception>
    /// <exception cref="InvalidOperationException">when it answers and refuses.</exception>
    private async Task OnEngineAsync(IExecutor executor, string container, ContainerAction action, Func<ValueTask> act, CancellationToken cancellationToken)
    {
        ownPauses.Expect(container, action);
        try
        {
            await act();
        }
        catch (Exception e) when (e is not (OperationCanceledException or InvalidOperationException))
        {
            ownPauses.Claim(container, action);
            if ((await nodes.ProbeAsync(executor, cancellationToken)).Error is { } error)
            {
                throw new NodeUnavailableException(executor.NodeName, error, e);
            }
            throw new InvalidOperationException($"node {executor.NodeName} refused: {e.Message}", e);
        }
    }

    private async Task UndoAsync(Job job, string container, ContainerAction action, Func<ValueTask> undo)
    {
        ownPauses.Expect(container, action);
        try
        {
            await undo();
        }
        catch (Exception e)
        {
            ownPauses.Claim(container, action);
            logger.LogError(e, "job {JobId}: could not undo a pause or unpause after its record failed", job.Id);
        }
    }
}
