using System.Collections.Concurrent;
using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Server.Configuration;
using GoDocker.Storage;
using GoDocker.Storage.JobDirectories;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Services;

/// <summary>
/// The executor side of the flow: takes launch orders from the dispatch queue, starts containers through
/// the node's <see cref="IExecutor"/>, watches each running container to its end and records exactly one
/// terminal state, and applies the stop requests signalled through <see cref="StopRequests"/>. On start it
/// reconciles the store with the containers it finds (DESIGN invariant 5) before taking new work; a node down for the
/// site's time has its jobs requeued or failed (<see cref="NodeFailure"/>) and is reconciled again when it answers. It serves no
/// request itself: the API's kill, suspend and resume are <see cref="GoDocker.Server.UseCases.JobControl"/>'s.
/// </summary>
public sealed class ExecutionService(
    IJobStore store,
    IDispatchQueue dispatch,
    NodeRegistry nodes,
    JobDirectory jobDirectories,
    SchedulerTrigger scheduler,
    StopRequests stopRequests,
    OwnPauses ownPauses,
    GoDocker.Server.Auth.LaunchAuthorization authorization,
    UsageSampler usage,
    AttemptEnds attemptEnds,
    TimeProvider time,
    IOptions<GoDockerOptions> options,
    GoDocker.Server.Monitoring.ServerMetrics metrics,
    ILogger<ExecutionService> logger) : ILeaderWork
{
    private const int MaxDeliveries = 10;
    private readonly ConcurrentDictionary<long, Task> monitors = new();
    // The current term's: a container's watch ends with the leadership it was started under.
    private CancellationToken termToken = CancellationToken.None;
    private readonly ConcurrentDictionary<string, bool> stopping = new();

    public string Name => "executor";

    /// <summary>One term of leadership: runs until the term ends or the server stops.</summary>
    public async Task RunAsync(GoDocker.Storage.Leadership term, CancellationToken stoppingToken)
    {
        // A term after another in this process starts as a fresh process would: the last term's watches are over
        // (they ended with it), and every node is recovered again before it takes jobs.
        await Task.WhenAll(monitors.Values);
        nodes.ResetRecovery();
        termToken = stoppingToken;
        await nodes.RefreshAsync(stoppingToken);
        // Each node takes jobs once its own recovery is done; the scheduler meanwhile only explains why jobs wait. A node
        // down for the site's time has its jobs resolved, and is recovered again once it answers.
        var recoveries = nodes.Executors.Select(e => TendNodeAsync(e, stoppingToken));
        var workers = Enumerable.Range(0, Math.Max(1, options.Value.Executor.MaxConcurrentLaunches))
            .Select(_ => LaunchLoopAsync(stoppingToken))
            .Append(StopLoopAsync(stoppingToken))
            .Concat(nodes.Executors.Select(e => WatchLoopAsync(e, stoppingToken)));
        await Task.WhenAll(recoveries.Concat(workers));
    }

    /// <summary>
    /// One node for one term, one thing at a time, every second: recover it before it takes jobs (again after it was
    /// down), and once it is down resolve the jobs placed on it. Serial per node, so resolving a down node's jobs and
    /// reconciling its containers never interleave: a recovery never re-attaches an attempt that is being requeued.
    /// </summary>
    private async Task TendNodeAsync(IExecutor executor, CancellationToken stoppingToken)
    {
        var failures = 0;
        var nextRecovery = DateTimeOffset.MinValue;
        DateTimeOffset? resolvedFor = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var status = nodes.StatusOf(executor);
                if (status is { DownSince: not null, UnreachableSince: { } since })
                {
                    if (resolvedFor != since && await ResolveDownAsync(executor, since, stoppingToken))
                    {
                        resolvedFor = since;
                    }
                }
                else if (!status.Recovered && time.GetUtcNow() >= nextRecovery)
                {
                    try
                    {
                        await RecoverAsync(executor, stoppingToken);
                        nodes.MarkRecovered(executor);
                        scheduler.PokeNow();
                        failures = 0;
                        logger.LogInformation("node {Node} recovered; taking jobs", executor.NodeName);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                    {
                        failures++;
                        var backoff = TimeSpan.FromSeconds(Math.Min(30, failures * 2));
                        logger.LogWarning("node {Node}: recovery failed (attempt {Attempt}): {Error}; retrying in {Backoff}",
                            executor.NodeName, failures, e.Message, backoff);
                        nextRecovery = time.GetUtcNow() + backoff;
                        // Its status says at once whether the engine answers: the time to down counts from the first failure.
                        await nodes.ProbeAsync(executor, stoppingToken);
                    }
                }
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "node {Node}: tending the node failed; trying again", executor.NodeName);
                await Task.Delay(TimeSpan.FromSeconds(1), time, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// The node is down: every live attempt placed there is resolved as <see cref="NodeFailure"/> says (requeued, failed,
    /// placement returned), and the node takes no jobs until a recovery has removed what it still runs. True when every
    /// job was resolved; false when one changed meanwhile (the next pass reads it again).
    /// </summary>
    private async Task<bool> ResolveDownAsync(IExecutor executor, DateTimeOffset unreachableSince, CancellationToken cancellationToken)
    {
        nodes.ResetRecovery(executor);
        var now = time.GetUtcNow();
        var all = true;
        foreach (var job in await store.ListActiveAsync(cancellationToken))
        {
            if (NodeFailure.Resolve(job, executor.NodeName, unreachableSince, now) is not { } change)
            {
                continue;
            }
            try
            {
                var resolved = await attemptEnds.RecordAsync(job, change, cancellationToken);
                if (change.EndCause is { } cause)
                {
                    metrics.Ended(cause, resolved.State); // a placement returned unstarted (no cause) ended no attempt
                }
                logger.LogWarning("job {JobId}: {Message}", job.Id, change.EventMessage);
            }
            catch (JobVersionConflictException)
            {
                all = false;
            }
        }
        scheduler.PokeNow();
        return all;
    }

    /// <summary>
    /// Re-attach running containers, record the ends that happened while we were away, relaunch what never
    /// started, remove leftovers. Runs before the node takes new jobs.
    /// </summary>
    private async Task RecoverAsync(IExecutor executor, CancellationToken cancellationToken)
    {
        var active = await store.ListActiveAsync(cancellationToken);
        {
            var containers = await executor.RecoverAsync(cancellationToken);
            var byKey = containers.ToDictionary(c => (c.JobId, c.Attempt));
            foreach (var job in active.Where(j => j.Node == executor.NodeName))
            {
                if (byKey.Remove((job.Id, job.Attempt), out var container))
                {
                    if (container.Running)
                    {
                        var running = job.State == JobState.Scheduled
                            ? await MarkRunningAsync(job, container.ContainerId, container.StartedAt ?? time.GetUtcNow(), null, cancellationToken)
                            : job;
                        logger.LogInformation("job {JobId}: re-attached to running container {Container}", job.Id, container.ContainerId);
                        if (running is not null)
                        {
                            Monitor(executor, running, container.ContainerId);
                        }
                    }
                    else if (container.Exit is null && job.State == JobState.Scheduled)
                    {
                        // Created but never started (killed between create and start): the launch adopts and starts it.
                        await dispatch.EnqueueAsync(new LaunchOrder(job.Id, job.Attempt, job.Node!), cancellationToken);
                    }
                    else
                    {
                        logger.LogInformation("job {JobId}: container {Container} ended while the server was down", job.Id, container.ContainerId);
                        if (job.State == JobState.Scheduled && container.StartedAt is { } started)
                        {
                            // It started and ended unseen: record both, so the timeline stays whole.
                            await MarkRunningAsync(job, container.ContainerId, started, null, cancellationToken);
                        }
                        var exit = container.Exit ?? new ContainerExit(-1, false, null, "the container's end state is unknown");
                        if (job.State != JobState.Scheduled && job.StartedAt is { } recorded && container.StartedAt is { } engineStart
                            && engineStart - recorded > TimeSpan.FromMilliseconds(1))
                        {
                            // Started again after the start GoDocker recorded: the command ran twice.
                            exit = exit with { Interference = new Interference(EndCause.RestartedOutside) };
                        }
                        await FinishAsync(executor, job.Id, job.Attempt, container.ContainerId, exit, cancellationToken);
                    }
                }
                else if (job.State == JobState.Scheduled)
                {
                    await dispatch.EnqueueAsync(new LaunchOrder(job.Id, job.Attempt, job.Node!), cancellationToken);
                }
                else
                {
                    await EndAsync(job, JobState.Failed, EndCause.Lost, JobEnd.Describe(new Interference(EndCause.Lost)), null, null, cancellationToken);
                }
            }
            foreach (var orphan in byKey.Values)
            {
                // A container for an attempt the store no longer runs (already recorded, or superseded).
                logger.LogInformation("removing leftover container {Container} of job {JobId} attempt {Attempt}", orphan.ContainerId, orphan.JobId, orphan.Attempt);
                await executor.RemoveAsync(orphan.ContainerId, cancellationToken);
            }
        }
    }

    private async Task LaunchLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            IDispatchLease lease;
            try
            {
                lease = await dispatch.LeaseAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await LaunchAsync(lease, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var order = lease.Order;
                if (await GiveBackIfUnreachableAsync(order, stoppingToken))
                {
                    await lease.AckAsync(stoppingToken);
                }
                else if (lease.Delivery >= MaxDeliveries)
                {
                    logger.LogError(e, "job {JobId}: launch failed {Deliveries} times; giving up", order.JobId, lease.Delivery);
                    var job = await store.GetAsync(order.JobId, stoppingToken);
                    if (job is { State: JobState.Scheduled } && job.Attempt == order.Attempt)
                    {
                        await EndAsync(job, JobState.Failed, EndCause.LaunchFailed, $"could not launch on node {order.Node}: {e.Message}", null, null, stoppingToken);
                    }
                    await lease.AckAsync(stoppingToken);
                }
                else
                {
                    var backoff = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, lease.Delivery - 1)));
                    logger.LogWarning(e, "job {JobId}: launch failed (delivery {Delivery}); retrying in {Backoff}", order.JobId, lease.Delivery, backoff);
                    await lease.NackAsync(backoff, stoppingToken);
                }
            }
        }
    }

    private async Task LaunchAsync(IDispatchLease lease, CancellationToken cancellationToken)
    {
        var order = lease.Order;
        var job = await store.GetAsync(order.JobId, cancellationToken);
        if (job is null || job.State != JobState.Scheduled || job.Attempt != order.Attempt)
        {
            // Stale order: the job moved on (killed, already running after a redelivery, requeued).
            await lease.AckAsync(cancellationToken);
            return;
        }
        var executor = nodes.ExecutorFor(order.Node)
            ?? throw new InvalidOperationException($"no executor serves node {order.Node}");
        if (await authorization.RefuseAsync(job, cancellationToken) is { } refusal)
        {
            await EndAsync(job, JobState.Failed, EndCause.RefusedAtLaunch, $"refused at launch: {refusal}", null, null, cancellationToken);
            await lease.AckAsync(cancellationToken);
            return;
        }
        var dir = await jobDirectories.PrepareAsync(job.Id, job.Spec, cancellationToken);
        var outcome = await executor.LaunchAsync(new LaunchRequest(job.Id, job.Attempt, job.Owner, job.Spec, dir)
        {
            ArrayId = job.ArrayId,
            VolumeRoots = options.Value.Volumes.ToDictionary(v => v.Name, v => v.AllowedRoot, StringComparer.Ordinal),
        }, cancellationToken);
        switch (outcome)
        {
            case LaunchOutcome.Refused refused:
                await EndAsync(job, JobState.Failed, EndCause.RefusedAtLaunch, refused.Reason, null, null, cancellationToken);
                break;
            case LaunchOutcome.Started started:
                var running = await MarkRunningAsync(job, started.ContainerId, started.StartedAt, started.Cpus, cancellationToken);
                if (running is null)
                {
                    // Killed while we were launching: the container must not outlive that.
                    await executor.StopAsync(started.ContainerId, TimeSpan.Zero, cancellationToken);
                    await executor.RemoveAsync(started.ContainerId, cancellationToken);
                }
                else
                {
                    metrics.Launched(running);
                    Monitor(executor, running, started.ContainerId);
                }
                break;
        }
        await lease.AckAsync(cancellationToken);
    }

    /// <summary>
    /// A launch failed: when its node's engine does not answer, the job goes back to Pending saying so, and is
    /// placed again once a node takes jobs (the registry now marks this one unreachable), instead of failing when
    /// its deliveries run out. False when the node answers: the failure is the launch's own.
    /// </summary>
    private async Task<bool> GiveBackIfUnreachableAsync(LaunchOrder order, CancellationToken cancellationToken)
    {
        try
        {
            // Only a node that does not answer: one that answers with an error may run what the failed launch started,
            // and it is never recovered (only a down node is), so that attempt would run beside the next. The launch is
            // retried instead (the same attempt: an executor adopts what it finds of it).
            if (nodes.ExecutorFor(order.Node) is not { } executor
                || await nodes.ProbeAsync(executor, cancellationToken) is not { Error: { } error, UnreachableSince: not null })
            {
                return false;
            }
            var unusable = $"unreachable ({error})";
            var job = await store.GetAsync(order.JobId, cancellationToken);
            if (job is not { State: JobState.Scheduled } || job.Attempt != order.Attempt)
            {
                return true; // the job moved on meanwhile: nothing to give back
            }
            var reason = $"node {order.Node} {unusable}; waiting for a node to take it";
            await store.TransitionAsync(JobLifecycle.ReturnToQueue(job, reason, $"launch on node {order.Node} given back: the node is {unusable}"), cancellationToken);
            logger.LogWarning("job {JobId}: node {Node} {Unusable}; back to pending", job.Id, order.Node, unusable);
            return true;
        }
        catch (JobVersionConflictException)
        {
            return true; // changed meanwhile (killed, say): the order is stale
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "job {JobId}: could not give the launch back", order.JobId);
            return false;
        }
    }

    /// <summary>Scheduled → Running. Null when the job was ended meanwhile (e.g. killed before it started).</summary>
    private async Task<Job?> MarkRunningAsync(Job job, string containerId, DateTimeOffset startedAt, string? cpus, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await store.TransitionAsync(new JobChange(job.Id, job.Version, JobState.Running, "started",
                    $"started on node {job.Node} in container {containerId[..Math.Min(12, containerId.Length)]}" + (cpus is null ? "" : $" {cpus}"))
                {
                    ContainerId = containerId,
                    StartedAt = startedAt,
                }, cancellationToken);
            }
            catch (JobVersionConflictException)
            {
                job = await store.GetAsync(job.Id, cancellationToken) ?? throw new InvalidOperationException($"job {job.Id} vanished");
                if (job.State != JobState.Scheduled)
                {
                    return job.State == JobState.Running ? job : null;
                }
            }
        }
    }

    private void Monitor(IExecutor executor, Job job, string containerId)
    {
        monitors[job.Id] = Task.Run(async () =>
        {
            var stoppingToken = termToken;
            usage.Watch(executor, job, containerId, stoppingToken);
            try
            {
                if (job.StopRequested is not null)
                {
                    ApplyStop(executor, containerId);
                }
                var exit = await executor.WaitAsync(containerId, job.StartedAt ?? time.GetUtcNow(), stoppingToken);
                await FinishAsync(executor, job.Id, job.Attempt, containerId, exit, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // The term ended: the next leader's recovery re-attaches the container.
            }
            catch (Exception e)
            {
                // The next start's recovery resolves it; a monitor never takes the server down.
                logger.LogError(e, "job {JobId}: lost track of container {Container}", job.Id, containerId);
            }
            finally
            {
                usage.Forget(job.Id, job.Attempt);
                monitors.TryRemove(job.Id, out _);
                stopping.TryRemove(containerId, out _);
                ownPauses.Forget(containerId);
            }
        });
    }

    /// <summary>
    /// Records the one terminal state of an attempt, then removes its container. A record that cannot be written
    /// (disk full) is retried with backoff until it is: the job stays Running and its container stays until then.
    /// </summary>
    private async Task FinishAsync(IExecutor executor, long jobId, int attempt, string containerId, ContainerExit exit, CancellationToken cancellationToken)
    {
        for (var failures = 0; ;)
        {
            try
            {
                var job = await store.GetAsync(jobId, cancellationToken);
                if (job is null || job.Attempt != attempt || job.State.IsTerminal() || job.State == JobState.Pending)
                {
                    if (job is not null && (job.Attempt != attempt || job.State == JobState.Pending))
                    {
                        // Requeued or placed again meanwhile (its node was down): this container's end is no end of the job.
                        logger.LogInformation("job {JobId}: container {Container} of attempt {Attempt} ended after the job left that attempt; removing it",
                            jobId, containerId, attempt);
                    }
                    break;
                }
                var end = JobEnd.Of(job.StopRequested, job.Spec.MemoryBytes, exit);
                var taskLog = end.State.IsTerminal() && job.Spec.Tes is not null ? await TaskLogAsync(jobId, cancellationToken) : null;
                await EndAsync(job, end.State, end.Cause, end.Reason, exit.ExitCode >= 0 ? exit.ExitCode : null, exit.FinishedAt, cancellationToken, taskLog);
                break;
            }
            catch (JobVersionConflictException)
            {
                // A stop request landed at the same moment: read again and record with it.
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures++;
                var backoff = TimeSpan.FromSeconds(Math.Min(10, Math.Pow(2, Math.Min(failures, 4) - 1)));
                logger.LogError("job {JobId}: could not record its end ({Error}); retrying in {Backoff}", jobId, e.Message, backoff);
                await Task.Delay(backoff, time, cancellationToken);
            }
        }
        await executor.RemoveAsync(containerId, cancellationToken);
        scheduler.PokeNow();
    }

    private async Task<Job> EndAsync(Job job, JobState state, EndCause cause, string reason, int? exitCode, DateTimeOffset? endedAt, CancellationToken cancellationToken,
        GoDocker.Tes.TaskRunLog? taskLog = null)
    {
        var message = exitCode is { } code && !reason.StartsWith("exit", StringComparison.Ordinal) && state != JobState.Succeeded
            ? $"{reason} (exit code {code})"
            : reason;
        var change = JobLifecycle.End(job, state, cause, reason, endedAt ?? time.GetUtcNow(), message, exitCode) with { TaskLog = taskLog };
        var ended = await attemptEnds.RecordAsync(job, change, cancellationToken);
        metrics.Ended(cause, ended.State);
        scheduler.PokeNow();
        return ended;
    }

    /// <summary>
    /// A TES task's runner record (tes/log in its job directory, read through the hardened path and bounded), kept with
    /// the job's end so its executors' logs outlive the directory's retention. Null when there is none to read.
    /// </summary>
    private async Task<GoDocker.Tes.TaskRunLog?> TaskLogAsync(long jobId, CancellationToken cancellationToken)
    {
        try
        {
            return await TaskRunLogs.ReadAsync(jobDirectories, jobId, cancellationToken);
        }
        catch (IOException e)
        {
            logger.LogWarning("job {JobId}: its runner record could not be read ({Error}); its task shows the job's end only", jobId, e.Message);
            return null;
        }
    }

    /// <summary>Applies stop requests: at once when notified, and by a periodic sweep that catches anything missed.</summary>
    private async Task StopLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var sweep = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, sweep.Token);
                try
                {
                    var id = await stopRequests.NextAsync(linked.Token);
                    if (await store.GetAsync(id, stoppingToken) is { } job)
                    {
                        ApplyStopIfRequested(job);
                    }
                    continue;
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                }
                foreach (var job in await store.ListActiveAsync(stoppingToken))
                {
                    ApplyStopIfRequested(job);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "stop sweep failed");
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    private void ApplyStopIfRequested(Job job)
    {
        if (job.StopRequested is null || job.ContainerId is null || job.State.IsTerminal() || job.Node is null)
        {
            return;
        }
        if (nodes.ExecutorFor(job.Node) is { } executor)
        {
            ApplyStop(executor, job.ContainerId);
        }
    }

    private void ApplyStop(IExecutor executor, string containerId)
    {
        if (!stopping.TryAdd(containerId, true))
        {
            return;
        }
        var grace = options.Value.Jobs.KillGracePeriod;
        _ = Task.Run(async () =>
        {
            try
            {
                // SIGTERM, SIGKILL after the grace period; the monitor records the end.
                await executor.StopAsync(containerId, grace, CancellationToken.None);
            }
            catch (Exception e)
            {
                stopping.TryRemove(containerId, out _);
                logger.LogError(e, "could not stop container {Container}; the sweep will retry", containerId);
            }
        });
    }

    /// <summary>
    /// Watches each node's engine for pauses and unpauses GoDocker did not make, and puts them on the job's
    /// timeline: a job frozen by someone else must not look as if it were running.
    /// </summary>
    private async Task WatchLoopAsync(IExecutor executor, CancellationToken stoppingToken)
    {
        for (var failures = 0; !stoppingToken.IsCancellationRequested;)
        {
            try
            {
                await executor.WatchAsync(signal => NoteSignalAsync(signal, stoppingToken), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                logger.LogDebug(e, "node {Node}: watching the engine's events failed; watching again", executor.NodeName);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, failures)), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async ValueTask NoteSignalAsync(ContainerSignal signal, CancellationToken cancellationToken)
    {
        try
        {
            if (ownPauses.Claim(signal.ContainerId, signal.Action) || stopping.ContainsKey(signal.ContainerId))
            {
                return; // GoDocker's own suspend, resume or stop
            }
            var job = await store.GetAsync(signal.JobId, cancellationToken);
            if (job is null || job.Attempt != signal.Attempt || job.ContainerId != signal.ContainerId || job.State is not (JobState.Running or JobState.Suspended))
            {
                return;
            }
            var (kind, message) = (signal.Action, job.State) switch
            {
                (ContainerAction.Paused, JobState.Running) => ("paused-outside", "container paused outside GoDocker (docker pause): the job is frozen while recorded Running"),
                (ContainerAction.Unpaused, JobState.Running) => ("unpaused-outside", "container unpaused outside GoDocker: the job runs again"),
                (ContainerAction.Unpaused, JobState.Suspended) => ("unpaused-outside", "container unpaused outside GoDocker: the job runs while recorded Suspended"),
                _ => (null, null),
            };
            if (kind is not null)
            {
                logger.LogWarning("job {JobId}: {Message}", job.Id, message);
                await store.AppendEventAsync(job.Id, new JobEvent(time.GetUtcNow(), kind, message!), cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "job {JobId}: could not record the container's {Action}", signal.JobId, signal.Action);
        }
    }
}
