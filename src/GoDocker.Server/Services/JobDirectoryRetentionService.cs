using GoDocker.Jobs;
using GoDocker.Server.Configuration;
using GoDocker.Storage;
using GoDocker.Storage.JobDirectories;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Services;

/// <summary>
/// Retention (JobDirectories:ArchiveAfter, RemoveAfter), on the leader only: every CheckInterval it lists what the jobs
/// root keeps, asks <see cref="JobDirectoryRetention"/> what is due for each ended job, and archives or removes at most
/// BatchSize of them. Idempotent and crash-safe because each step is (<see cref="JobDirectory.ArchiveAsync"/>): a step
/// cut short by a crash or a lost lease is found again, and finished, by the next sweep of whichever server leads.
/// The job's record stays; its timeline says what was done.
/// </summary>
public sealed class JobDirectoryRetentionService : ILeaderWork
{
    private readonly IJobStore store;
    private readonly JobDirectory directories;
    private readonly TimeProvider time;
    private readonly ILogger<JobDirectoryRetentionService> logger;
    private readonly JobDirectoriesOptions options;
    private readonly JobDirectoryRetention policy;
    /// <summary>When each ended job ended: an ended job's end never changes, so it is read from the store once.</summary>
    private readonly Dictionary<long, (JobState State, DateTimeOffset? EndedAt)> ended = [];
    /// <summary>Directories found above MaxArchiveSize in this term.</summary>
    private readonly HashSet<long> tooLarge = [];

    public JobDirectoryRetentionService(IJobStore store, JobDirectory directories, IOptions<GoDockerOptions> settings, TimeProvider time, ILogger<JobDirectoryRetentionService> logger)
    {
        (this.store, this.directories, this.time, this.logger) = (store, directories, time, logger);
        options = settings.Value.JobDirectories;
        policy = new JobDirectoryRetention(options.ArchiveAfter, options.RemoveAfter);
    }

    public string Name => "job directory retention";

    /// <summary>One term of leadership: runs until the term ends or the server stops.</summary>
    public async Task RunAsync(GoDocker.Storage.Leadership term, CancellationToken stoppingToken)
    {
        if (policy.IsOff)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.CheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "job directory retention sweep failed");
            }
        }
    }

    /// <summary>One sweep: at most BatchSize directories archived or removed; how many were.</summary>
    internal async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var kept = directories.ListKept();
        var keptSet = kept.ToHashSet();
        foreach (var gone in ended.Keys.Where(id => !keptSet.Contains(id)).ToList())
        {
            ended.Remove(gone);
            tooLarge.Remove(gone);
        }
        var done = 0;
        // Store reads per sweep are bounded too: a first sweep over a large jobs root spreads over several.
        var reads = 0;
        foreach (var id in kept)
        {
            if (done >= options.BatchSize || reads >= options.BatchSize * 50)
            {
                break;
            }
            if (!ended.TryGetValue(id, out var end))
            {
                reads++;
                var job = await store.GetAsync(id, cancellationToken);
                if (job is null)
                {
                    // No record (a purge cut short between removing the directory and the record, or foreign files): left alone.
                    continue;
                }
                end = (job.State, job.EndedAt);
                if (!job.State.IsTerminal())
                {
                    continue;
                }
                ended[id] = end;
            }
            var now = time.GetUtcNow();
            var state = directories.StateOf(id);
            switch (policy.Due(end.State, end.EndedAt, state, now))
            {
                case RetentionAction.Archive when tooLarge.Contains(id):
                    // Measured too large once: not walked again every sweep; it stays until removal is due.
                    break;
                case RetentionAction.Archive:
                    done++;
                    switch (await directories.ArchiveAsync(id, options.MaxArchiveBytes, cancellationToken))
                    {
                        case ArchiveOutcome.Archived archived:
                            logger.LogInformation("job {JobId}: directory archived ({Bytes} bytes, {Skipped} entries not stored)", id, archived.ArchiveBytes, archived.Skipped);
                            await RecordAsync(id, "directory-archived",
                                archived.Skipped == 0 ? "job directory archived" : $"job directory archived ({archived.Skipped} FIFOs, sockets, devices or foreign hard links not stored)",
                                cancellationToken);
                            break;
                        case ArchiveOutcome.TooLarge large:
                            logger.LogWarning("job {JobId}: directory of {Bytes} bytes is above JobDirectories:MaxArchiveSize, not archived", id, large.Bytes);
                            tooLarge.Add(id);
                            await RecordAsync(id, "directory-kept", "job directory too large to archive: kept until it is removed", cancellationToken);
                            break;
                    }
                    break;
                case RetentionAction.Remove:
                    done++;
                    directories.Remove(id);
                    logger.LogInformation("job {JobId}: directory removed", id);
                    await RecordAsync(id, "directory-removed", "job directory removed (retention)", cancellationToken);
                    break;
            }
        }
        return done;
    }

    private async Task RecordAsync(long id, string kind, string message, CancellationToken cancellationToken)
    {
        await store.AppendEventAsync(id, new JobEvent(time.GetUtcNow(), kind, message), cancellationToken);
    }
}
