using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Server.Configuration;
using GoDocker.Storage;
using GoDocker.Storage.JobDirectories;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Services;

/// <summary>
/// Disk limit: a running job whose directory grows past Jobs:MaxJobDirectorySize gets a stop request. It ends
/// Failed, as a job past its walltime does: a limit the job ran into, not a kill someone asked for (Killed).
/// Measured through <see cref="JobDirectory.Measure"/> (descriptors, links not followed, bounded walk).
/// A failed sweep is logged and the next one retries.
/// </summary>
public sealed class JobDirectoryWatcher : ILeaderWork
{
    private readonly IJobStore store;
    private readonly JobDirectory directories;
    private readonly StopRequests stopRequests;
    private readonly TimeProvider time;
    private readonly ILogger<JobDirectoryWatcher> logger;
    private readonly long limit;
    private readonly TimeSpan interval;

    public JobDirectoryWatcher(IJobStore store, JobDirectory directories, StopRequests stopRequests, IOptions<GoDockerOptions> options, TimeProvider time, ILogger<JobDirectoryWatcher> logger)
    {
        (this.store, this.directories, this.stopRequests, this.time, this.logger) = (store, directories, stopRequests, time, logger);
        // Both checked once at start (ConfigurationCheck), the size parsed there.
        var jobs = options.Value.Jobs;
        limit = jobs.Parsed.MaxJobDirectoryBytes;
        interval = jobs.JobDirectoryCheckInterval;
    }

    public string Name => "job directory watcher";

    /// <summary>One term of leadership: runs until the term ends or the server stops.</summary>
    public async Task RunAsync(GoDocker.Storage.Leadership term, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "job directory sweep failed");
            }
        }
    }

    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var job in await store.ListActiveAsync(cancellationToken))
        {
            if (job is not { State: JobState.Running, StopRequested: null })
            {
                continue;
            }
            var usage = directories.Measure(job.Id, stopAbove: limit);
            if (usage is { Bytes: var bytes } && bytes > limit)
            {
                var reason = $"job directory exceeds {ByteSize.Format(limit)}";
                logger.LogInformation("job {JobId}: {Reason}", job.Id, reason);
                await stopRequests.RecordAsync(job.Id, new StopRequest(JobState.Failed, reason, time.GetUtcNow(), EndCause.DirectoryLimit), cancellationToken);
            }
            else if (usage is { Complete: false })
            {
                logger.LogWarning("job {JobId}: job directory too deep or too many entries to measure whole", job.Id);
            }
        }
    }
}
