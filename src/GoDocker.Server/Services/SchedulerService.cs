using GoDocker.Scheduling;
using GoDocker.Server.Configuration;
using GoDocker.Storage;
using GoDocker.Usage;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Services;

/// <summary>
/// The scheduler loop: snapshot from the store → pure <see cref="SchedulingCycle"/> → plan applied by the
/// store in one transaction → launch orders into the dispatch queue. Runs when poked and on an interval.
/// The snapshot comes from a <see cref="PendingIndex"/> of this term: read whole at the term's first cycle and every
/// <see cref="SchedulerOptions.IndexRebuildInterval"/>, otherwise brought up to date with the rows changed since the last
/// cycle (whichever server wrote them), so a cycle over a deep queue does not re-read every pending job.
/// A node takes jobs only once its executor has recovered (see <see cref="NodeRegistry"/>), so a plan
/// never lands on a node whose containers are not yet reconciled.
/// </summary>
public sealed class SchedulerService(
    IJobStore store,
    IDispatchQueue dispatch,
    SchedulingCycle cycle,
    NodeRegistry nodes,
    SchedulerTrigger trigger,
    SchedulerBoard board,
    FreeSpaceFloor freeSpace,
    TimeProvider time,
    IOptions<GoDockerOptions> options,
    GoDocker.Server.Monitoring.ServerMetrics metrics,
    ILogger<SchedulerService> logger) : ILeaderWork
{
    private PendingIndex index = new();
    private long indexBuiltAt;

    public string Name => "scheduler";

    /// <summary>One term of leadership: runs until the term ends or the server stops.</summary>
    public async Task RunAsync(GoDocker.Storage.Leadership term, CancellationToken stoppingToken)
    {
        logger.LogInformation("scheduler running, policy {Policy}", cycle.Order.Name);
        // A new term starts from a full read: another server may have led (and written) since this one last did.
        index = new PendingIndex();
        try
        {
            await ScheduleAsync(term, stoppingToken);
        }
        finally
        {
            // Pending kinds are the leader's figures: a server that no longer leads reports none.
            metrics.NoPendingKinds();
        }
    }

    private async Task ScheduleAsync(GoDocker.Storage.Leadership term, CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var started = time.GetTimestamp();
                await RunOnceAsync(term, stoppingToken);
                failures = 0;
                var now = await trigger.WaitAsync(options.Value.Scheduler.Interval, time, stoppingToken);
                // Under a burst of submits, pokes arrive faster than cycles end: keep a gap between cycles so
                // the API and the executors keep the cpu. An isolated submit still gets a cycle at once, and
                // freed capacity (a job ended) is refilled at once.
                // A long cycle (a deep queue) earns a longer pause: the scheduler takes at most about a third of a cpu.
                var took = time.GetElapsedTime(started);
                var gap = TimeSpan.FromTicks(Math.Max(options.Value.Scheduler.MinGap.Ticks, 2 * took.Ticks)) - took;
                if (!now && gap > TimeSpan.Zero)
                {
                    await Task.Delay(gap, time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (GoDocker.Storage.LeaseLostException)
            {
                // Another server leads now: no placement or rejection of this plan was written (reason batches before the
                // lease was found lost may have been: the next leader's cycle writes its own); the term ends at its next renewal.
                logger.LogWarning("scheduling cycle refused: the leader lease of term {Token} was lost", term.Token);
                await Task.Delay(options.Value.Scheduler.Interval, time, stoppingToken);
            }
            catch (Exception e)
            {
                failures++;
                var backoff = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures, 8))));
                logger.LogError(e, "scheduling cycle failed; retrying in {Backoff}", backoff);
                await Task.Delay(backoff, time, stoppingToken);
            }
        }
    }

    /// <summary>One cycle of <paramref name="term"/>'s leader (its plans are fenced by it); returns how many jobs were placed.</summary>
    public async Task<int> RunOnceAsync(GoDocker.Storage.Leadership term, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            return await CycleAsync(term, cancellationToken);
        }
        catch
        {
            // Whatever the plan did or did not write, the next cycle starts from a full read.
            index = new PendingIndex();
            throw;
        }
        finally
        {
            metrics.CycleTook(time.GetElapsedTime(started));
        }
    }

    private async Task<int> CycleAsync(GoDocker.Storage.Leadership term, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var input = await ReadInputAsync(settings, cancellationToken);
        var now = time.GetUtcNow();
        if (input.Pending.Count == 0)
        {
            metrics.PendingKinds(new Dictionary<PendingKind, int>());
            board.Publish([], cycle.Order.Name, now);
            return 0;
        }
        if (freeSpace.Shortage() is { } shortage)
        {
            // Nothing launches: every pending job says why (only the reasons that change are written).
            var reason = $"waiting: {shortage}";
            var reasons = input.Pending.Where(j => j.CurrentReason != reason).ToDictionary(j => j.Id, _ => reason);
            var waiting = new Plan([], reasons);
            await store.ApplyPlanAsync(waiting, [], term, cancellationToken);
            index.Applied(waiting);
            metrics.PendingKinds(new Dictionary<PendingKind, int> { [PendingKind.DiskSpace] = input.Pending.Count });
            board.Publish([], cycle.Order.Name, now);
            return 0;
        }
        var nodeInfos = NodesOf(nodes, settings);
        var plan = cycle.Run(SnapshotOf(input, nodeInfos, settings, now));
        foreach (var (jobId, fault) in plan.Faults)
        {
            logger.LogError(fault, "job {JobId} rejected: the scheduling cycle failed on it ({Reason})", jobId, plan.Rejections.GetValueOrDefault(jobId));
        }
        var applied = await store.ApplyPlanAsync(plan, nodeInfos, term, cancellationToken);
        index.Applied(plan);
        metrics.PendingKinds(PendingKinds.Count(input.Pending, plan));
        board.Publish(plan.Ranking, cycle.Order.Name, now);
        foreach (var placement in applied)
        {
            await dispatch.EnqueueAsync(new LaunchOrder(placement.JobId, placement.Attempt, placement.Node), cancellationToken);
        }
        if (applied.Count > 0 || plan.Rejections.Count > 0)
        {
            logger.LogDebug("cycle placed {Count} of {Pending} pending jobs, rejected {Rejected}", applied.Count, input.Pending.Count, plan.Rejections.Count);
        }
        return applied.Count;
    }

    /// <summary>The index brought up to date: a full read when it has none yet or its rebuild is due, else the rows changed since.</summary>
    private async Task<SchedulingInput> ReadInputAsync(GoDockerOptions settings, CancellationToken cancellationToken)
    {
        var rebuild = index.Mark is null || time.GetElapsedTime(indexBuiltAt) >= settings.Scheduler.IndexRebuildInterval;
        var changes = await store.ReadSchedulingChangesAsync(rebuild ? null : index.Mark, settings.Quotas.CpuHoursWindow, cancellationToken);
        index.Apply(changes);
        if (rebuild)
        {
            indexBuiltAt = time.GetTimestamp();
        }
        return index.Input;
    }

    /// <summary>The nodes as a cycle sees them: cpus overcommitted as configured.</summary>
    internal static IReadOnlyList<NodeInfo> NodesOf(NodeRegistry nodes, GoDockerOptions settings) =>
        [.. nodes.Nodes.Select(n => n with { Capacity = n.Capacity with { Cpus = n.Capacity.Cpus * settings.Scheduler.CpuOvercommit } })];

    /// <summary>
    /// A cycle's snapshot of <paramref name="input"/> on <paramref name="nodeInfos"/> at <paramref name="now"/>: also what
    /// `godocker priority` ranks on a server that does not lead (<see cref="UseCases.JobStanding"/>), so both rank alike.
    /// </summary>
    internal static SchedulingSnapshot SnapshotOf(SchedulingInput input, IReadOnlyList<NodeInfo> nodeInfos, GoDockerOptions settings, DateTimeOffset now) =>
        new(input.Pending, [.. nodeInfos.Select(n => new NodeLoad(n, input.UsageByNode.GetValueOrDefault(n.Name)))], now)
        {
            Running = input.Running,
            DependencyStates = input.DependencyStates,
            Usage = Standings(input, settings.Scheduler.FairShare.DefaultShares),
            Quotas = Quotas(input, settings.Quotas, now),
        };

    /// <summary>Shares and priority from what admins set (projects' priority from the project), decayed usage from the store.</summary>
    internal static UsageSnapshot Standings(SchedulingInput input, double defaultShares)
    {
        var users = new Dictionary<string, AccountStanding>(StringComparer.Ordinal);
        var projects = new Dictionary<string, AccountStanding>(StringComparer.Ordinal);
        foreach (var (name, priority) in input.ProjectPriorities)
        {
            projects[name] = new AccountStanding(defaultShares, priority, null);
        }
        foreach (var limits in input.Limits)
        {
            var into = limits.Kind == AccountKind.User ? users : projects;
            var known = into.GetValueOrDefault(limits.Name) ?? new AccountStanding(defaultShares, 0, null);
            into[limits.Name] = known with
            {
                Shares = limits.Shares ?? known.Shares,
                Priority = limits.Kind == AccountKind.User ? limits.Priority ?? 0 : known.Priority,
            };
        }
        foreach (var ((kind, name), usage) in input.DecayedUsage)
        {
            var into = kind == AccountKind.User ? users : projects;
            into[name] = (into.GetValueOrDefault(name) ?? new AccountStanding(defaultShares, 0, null)) with { Usage = usage };
        }
        return new UsageSnapshot(users, projects) { DefaultShares = defaultShares };
    }

    /// <summary>Quota defaults from configuration, each account's own from the store, cpu-hours in the window (running jobs so far included).</summary>
    internal static QuotaBook Quotas(SchedulingInput input, QuotaOptions quotas, DateTimeOffset now)
    {
        var userHours = input.UserWindowCpuSeconds.ToDictionary(kv => kv.Key, kv => kv.Value / 3600, StringComparer.Ordinal);
        var projectHours = input.ProjectWindowCpuSeconds.ToDictionary(kv => kv.Key, kv => kv.Value / 3600, StringComparer.Ordinal);
        foreach (var job in input.Running)
        {
            var hours = job.Held.Cpus * Math.Max(0, (now - job.StartedAt).TotalHours);
            userHours[job.Owner] = userHours.GetValueOrDefault(job.Owner) + hours;
            projectHours[job.Project] = projectHours.GetValueOrDefault(job.Project) + hours;
        }
        return new QuotaBook
        {
            UserDefault = quotas.User.ToQuota(),
            ProjectDefault = quotas.Project.ToQuota(),
            Users = input.Limits.Where(l => l.Kind == AccountKind.User).ToDictionary(l => l.Name, l => l.Quota, StringComparer.Ordinal),
            Projects = input.Limits.Where(l => l.Kind == AccountKind.Project).ToDictionary(l => l.Name, l => l.Quota, StringComparer.Ordinal),
            CpuHoursWindow = quotas.CpuHoursWindow,
            UserCpuHours = userHours,
            ProjectCpuHours = projectHours,
        };
    }
}
