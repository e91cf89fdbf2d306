using GoDocker.Scheduling;
using GoDocker.Server.Configuration;
using GoDocker.Storage;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Services;

/// <summary>
/// The scheduler loop: snapshot from the store → pure <see cref="SchedulingCycle"/> → plan applied by the
/// store in one transaction → launch orders into the dispatch queue. Runs when poked and on an interval.
/// A node takes jobs only once its executor has recovered (see <see cref="NodeRegistry"/>), so a plan
/// never lands on a node whose containers are not yet reconciled.
/// </summary>
public sealed class SchedulerService(
    IJobStore store,
    IDispatchQueue dispatch,
    SchedulingCycle cycle,
    NodeRegistry nodes,
    SchedulerTrigger trigger,
    TimeProvider time,
    IOptions<GoDockerOptions> options,
    ILogger<SchedulerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("scheduler running, policy {Policy}", cycle.Order.Name);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var started = time.GetTimestamp();
                await RunOnceAsync(stoppingToken);
                failures = 0;
                var now = await trigger.WaitAsync(options.Value.Scheduler.Interval, time, stoppingToken);
                // Under a burst of submits, pokes arrive faster than cycles end: keep a gap between cycles so
                // the API and the executors keep the cpu. An isolated submit still gets a cycle at once, and
                // freed capacity (a job ended) is refilled at once.
                var gap = options.Value.Scheduler.MinGap - time.GetElapsedTime(started);
                if (!now && gap > TimeSpan.Zero)
                {
                    await Task.Delay(gap, time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
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

    /// <summary>One cycle; returns how many jobs were placed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var input = await store.ReadSchedulingInputAsync(cancellationToken);
        if (input.Pending.Count == 0)
        {
            return 0;
        }
        var nodeInfos = nodes.Nodes;
        var loads = nodeInfos.Select(n =>
        {
            var used = input.UsageByNode.GetValueOrDefault(n.Name) ?? new NodeUsage(0, 0);
            return new NodeLoad(n, used.Cpus, used.MemoryBytes);
        }).ToList();
        var plan = cycle.Run(new SchedulingSnapshot(input.Pending, loads, time.GetUtcNow()));
        var applied = await store.ApplyPlanAsync(plan, nodeInfos, cancellationToken);
        foreach (var placement in applied)
        {
            await dispatch.EnqueueAsync(new LaunchOrder(placement.JobId, placement.Attempt, placement.Node), cancellationToken);
        }
        if (applied.Count > 0)
        {
            logger.LogDebug("cycle placed {Count} of {Pending} pending jobs", applied.Count, input.Pending.Count);
        }
        return applied.Count;
    }
}
