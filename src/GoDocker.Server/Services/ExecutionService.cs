using System.Collections.Concurrent;
using System.Threading.Channels;
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
/// terminal state, and applies stop requests. On start it reconciles the store with the containers it
/// finds (DESIGN invariant 5) before taking new work.
/// </summary>
public sealed class ExecutionService(
    IJobStore store,
    IDispatchQueue dispatch,
    NodeRegistry nodes,
    JobDirectory jobDirectories,
    SchedulerTrigger scheduler,
    GoDocker.Server.Auth.LaunchAuthorization authorization,
    TimeProvider time,
    IOptions<GoDockerOptions> options,
    ILogger<ExecutionService> logger) : BackgroundService
{
    private const int MaxDeliveries = 10;
    private readonly ConcurrentDictionary<long, Task> monitors = new();
    private readonly ConcurrentDictionary<string, bool> stopping = new();
    private readonly Channel<long> stopSignals = Channel.CreateUnbounded<long>();

    /// <summary>A stop was recorded on a running job: apply it now rather than at the next sweep.</summary>
    public void NotifyStopRequested(long jobId) => stopSignals.Writer.TryWrite(jobId);

    /// <summary>
    /// Records a stop (kill, requeue, walltime) through the store and, when it waits on a container, applies it now.
    /// A job that never started ends at once in the store; its answer says which.
    /// </summary>
    public async Task<Job> RequestStopAsync(long jobId, StopRequest request, CancellationToken cancellationToken)
    {
        var job = await store.RequestStopAsync(jobId, request, cancellationToken);
        if (job.StopRequested is not null)
        {
            NotifyStopRequested(jobId);
        }
        return job;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await nodes.RefreshAsync(stoppingToken);
        // Each node takes jobs once its own recovery is done; the scheduler meanwhile only explains why jobs wait.
        var recoveries = nodes.Executors.Select(e => RecoverWithRetryAsync(e, stoppingToken));
        var workers = Enumerable.Range(0, Math.Max(1, options.Value.Executor.MaxConcurrentLaunches))
            .Select(_ => LaunchLoopAsync(stoppingToken))
            .Append(StopLoopAsync(stoppingToken));
        await Task.WhenAll(recoveries.Concat(workers));
    }

    private async Task RecoverWithRetryAsync(IExecutor executor, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RecoverAsync(executor, stoppingToken);
                nodes.MarkRecovered(executor);
                scheduler.PokeNow();
                logger.LogInformation("node {Node} recovered; taking jobs", executor.NodeName);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var backoff = TimeSpan.FromSeconds(Math.Min(30, attempt * 2));
                logger.LogWarning("node {Node}: recovery failed (attempt {Attempt}): {Error}; retrying in {Backoff}",
                    executor.NodeName, attempt, e.Message, backoff);
                await Task.Delay(backoff, time, stoppingToken);
                await nodes.RefreshAsync(stoppingToken);
            }
        }
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
                            ? await MarkRunningAsync(job, container.ContainerId, container.StartedAt ?? time.GetUtcNow(), cancellationToken)
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
                            await MarkRunningAsync(job, container.ContainerId, started, cancellationToken);
                        }
                        await FinishAsync(executor, job.Id, job.Attempt, container.ContainerId,
                            container.Exit ?? new ContainerExit(-1, false, null, "the container's end state is unknown"), cancellationToken);
                    }
                }
                else if (job.State == JobState.Scheduled)
                {
                    await dispatch.EnqueueAsync(new LaunchOrder(job.Id, job.Attempt, job.Node!), cancellationToken);
                }
                else
                {
                    await EndAsync(job, JobState.Failed, "the container was lost while GoDocker was not watching it", null, null, cancellationToken);
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
                if (lease.Delivery >= MaxDeliveries)
                {
                    logger.LogError(e, "job {JobId}: launch failed {Deliveries} times; giving up", order.JobId, lease.Delivery);
                    var job = await store.GetAsync(order.JobId, stoppingToken);
                    if (job is { State: JobState.Scheduled } && job.Attempt == order.Attempt)
                    {
                        await EndAsync(job, JobState.Failed, $"could not launch on node {order.Node}: {e.Message}", null, null, stoppingToken);
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
            await EndAsync(job, JobState.Failed, $"refused at launch: {refusal}", null, null, cancellationToken);
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
                await EndAsync(job, JobState.Failed, refused.Reason, null, null, cancellationToken);
                break;
            case LaunchOutcome.Started started:
                var running = await MarkRunningAsync(job, started.ContainerId, started.StartedAt, cancellationToken);
                if (running is null)
                {
                    // Killed while we were launching: the container must not outlive that.
                    await executor.StopAsync(started.ContainerId, TimeSpan.Zero, cancellationToken);
                    await executor.RemoveAsync(started.ContainerId, cancellationToken);
                }
                else
                {
                    Monitor(executor, running, started.ContainerId);
                }
                break;
        }
        await lease.AckAsync(cancellationToken);
    }

    /// <summary>Scheduled → Running. Null when the job was ended meanwhile (e.g. killed before it started).</summary>
    private async Task<Job?> MarkRunningAsync(Job job, string containerId, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await store.TransitionAsync(new JobChange(job.Id, job.Version, JobState.Running, "started",
                    $"started on node {job.Node} in container {containerId[..Math.Min(12, containerId.Length)]}")
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
            var stoppingToken = CancellationToken.None;
            try
            {
                if (job.StopRequested is not null)
                {
                    ApplyStop(executor, containerId);
                }
                var exit = await executor.WaitAsync(containerId, stoppingToken);
                await FinishAsync(executor, job.Id, job.Attempt, containerId, exit, stoppingToken);
            }
            catch (Exception e)
            {
                // The next start's recovery resolves it; a monitor never takes the server down.
                logger.LogError(e, "job {JobId}: lost track of container {Container}", job.Id, containerId);
            }
            finally
            {
                monitors.TryRemove(job.Id, out _);
                stopping.TryRemove(containerId, out _);
            }
        });
    }

    /// <summary>Records the one terminal state of an attempt, then removes its container.</summary>
    private async Task FinishAsync(IExecutor executor, long jobId, int attempt, string containerId, ContainerExit exit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var job = await store.GetAsync(jobId, cancellationToken);
            if (job is null || job.Attempt != attempt || job.State.IsTerminal() || job.State == JobState.Pending)
            {
                break;
            }
            var (state, reason) = Outcome(job, exit);
            try
            {
                await EndAsync(job, state, reason, exit.ExitCode >= 0 ? exit.ExitCode : null, exit.FinishedAt, cancellationToken);
                break;
            }
            catch (JobVersionConflictException)
            {
                // A stop request landed at the same moment: read again and record with it.
            }
        }
        await executor.RemoveAsync(containerId, cancellationToken);
        scheduler.PokeNow();
    }

    internal static (JobState State, string Reason) Outcome(Job job, ContainerExit exit)
    {
        if (job.StopRequested is { } stop)
        {
            return (stop.EndState, stop.Reason);
        }
        if (exit.OutOfMemory)
        {
            return (JobState.Failed, $"out of memory (limit {ByteSize.Format(job.Spec.MemoryBytes)})");
        }
        if (exit.Error is { } error && exit.ExitCode != 0)
        {
            return (JobState.Failed, error);
        }
        return exit.ExitCode == 0 ? (JobState.Succeeded, "exited 0") : (JobState.Failed, $"exit code {exit.ExitCode}");
    }

    private async Task<Job> EndAsync(Job job, JobState state, string reason, int? exitCode, DateTimeOffset? endedAt, CancellationToken cancellationToken)
    {
        var kind = state switch
        {
            JobState.Succeeded => "succeeded",
            JobState.Killed => "killed",
            JobState.Pending => "requeued",
            _ => "failed",
        };
        var message = exitCode is { } code && !reason.StartsWith("exit", StringComparison.Ordinal) && state != JobState.Succeeded
            ? $"{reason} (exit code {code})"
            : reason;
        var ended = await store.TransitionAsync(new JobChange(job.Id, job.Version, state, kind, message)
        {
            Reason = reason,
            // Requeued: back to pending, its run charged to usage, its exit not its outcome.
            ExitCode = state == JobState.Pending ? null : exitCode,
            EndedAt = state == JobState.Pending ? null : endedAt ?? time.GetUtcNow(),
            ClearStopRequest = true,
        }, cancellationToken);
        scheduler.PokeNow();
        return ended;
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
                    var id = await stopSignals.Reader.ReadAsync(linked.Token);
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

    /// <summary>Suspends a running job: its container is frozen (docker pause) and it keeps its resources.</summary>
    /// <exception cref="InvalidOperationException">when the job is not running, or its node is not served here.</exception>
    public async Task<Job> SuspendAsync(Job job, string actor, CancellationToken cancellationToken)
    {
        var (executor, container) = Served(job, JobState.Running, "suspended");
        await executor.PauseAsync(container, cancellationToken);
        try
        {
            return await store.TransitionAsync(new JobChange(job.Id, job.Version, JobState.Suspended, "suspended", $"suspended by {actor}")
            {
                Reason = $"suspended by {actor}",
            }, cancellationToken);
        }
        catch
        {
            await executor.UnpauseAsync(container, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Resumes a suspended job (docker unpause).</summary>
    /// <exception cref="InvalidOperationException">when the job is not suspended, or its node is not served here.</exception>
    public async Task<Job> ResumeAsync(Job job, string actor, CancellationToken cancellationToken)
    {
        var (executor, container) = Served(job, JobState.Suspended, "resumed");
        var resumed = await store.TransitionAsync(new JobChange(job.Id, job.Version, JobState.Running, "resumed", $"resumed by {actor}"), cancellationToken);
        await executor.UnpauseAsync(container, cancellationToken);
        return resumed;
    }

    private (IExecutor Executor, string Container) Served(Job job, JobState required, string verb)
    {
        if (job.State != required || job.ContainerId is null || job.Node is null)
        {
            throw new InvalidOperationException($"job {job.Id} is {job.State}: only a {required.ToString().ToLowerInvariant()} job can be {verb}");
        }
        return (nodes.ExecutorFor(job.Node) ?? throw new InvalidOperationException($"node {job.Node} is not served by this server"), job.ContainerId);
    }
}
