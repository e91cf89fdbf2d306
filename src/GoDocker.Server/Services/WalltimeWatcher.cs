using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Storage;

namespace GoDocker.Server.Services;

/// <summary>
/// Max lifespan: a running job past its walltime gets a stop request (it ends Failed, "walltime exceeded").
/// A watcher never blocks the scheduler; a failed sweep is logged and the next one retries.
/// </summary>
public sealed class WalltimeWatcher(IJobStore store, StopRequests stopRequests, TimeProvider time, ILogger<WalltimeWatcher> logger) : ILeaderWork
{
    public string Name => "walltime watcher";

    /// <summary>One term of leadership: runs until the term ends or the server stops.</summary>
    public async Task RunAsync(GoDocker.Storage.Leadership term, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "walltime sweep failed");
            }
        }
    }

    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var job in await store.ListActiveAsync(cancellationToken))
        {
            if (job is { State: JobState.Running, StopRequested: null, StartedAt: { } started, Spec.WalltimeSeconds: { } limit }
                && now - started > TimeSpan.FromSeconds(limit))
            {
                var reason = $"walltime exceeded (limit {Walltime.Format(TimeSpan.FromSeconds(limit))})";
                logger.LogInformation("job {JobId}: {Reason}", job.Id, reason);
                await stopRequests.RecordAsync(job.Id, new StopRequest(JobState.Failed, reason, now, EndCause.Walltime), cancellationToken);
            }
        }
    }
}
