using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Storage;
using GoDocker.Storage.JobDirectories;

namespace GoDocker.Server.UseCases;

/// <summary>
/// An operator clears old ended jobs (godocker purge, POST /admin/purge): their directories first, then their records, so a
/// purge cut short never leaves a record whose directory it already removed unexplained (a record without a directory
/// shows "removed"). Accounting records and usage charges stay (the history fair share, quotas and `history` read).
/// A dry run lists what would go and changes nothing. Never a job that has not ended: the store selects and deletes only
/// ended ones, checked again in the deleting transaction.
/// </summary>
public sealed class JobPurge(IJobStore store, JobDirectory directories, ILogger<JobPurge> logger)
{
    /// <summary>At most this many jobs per purge (the answer says when more match).</summary>
    public const int MaxJobs = 10_000;
    private const int Batch = 500;

    public async Task<PurgeView> PurgeAsync(PurgeQuery query, bool dryRun, string actor, CancellationToken cancellationToken)
    {
        var listed = new List<PurgedJobView>();
        long bytes = 0;
        if (dryRun)
        {
            var matching = await store.ListPurgeableAsync(query with { Limit = MaxJobs + 1 }, cancellationToken);
            foreach (var job in matching.Take(MaxJobs))
            {
                bytes += Add(job);
            }
            return new PurgeView(true, listed.Count, bytes, listed) { More = matching.Count > MaxJobs };
        }
        var more = false;
        while (listed.Count < MaxJobs)
        {
            var batch = await store.ListPurgeableAsync(query with { Limit = Math.Min(Batch, MaxJobs - listed.Count) }, cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }
            var sizes = batch.ToDictionary(j => j.Id, j => (Job: j, Kept: directories.Kept(j.Id)));
            foreach (var job in batch)
            {
                directories.Remove(job.Id);
            }
            var deleted = await store.DeleteEndedAsync([.. batch.Select(j => j.Id)], cancellationToken);
            foreach (var id in deleted)
            {
                var (job, kept) = sizes[id];
                bytes += kept.Bytes;
                listed.Add(View(job, kept));
            }
            if (deleted.Count == 0)
            {
                break;
            }
            more = listed.Count >= MaxJobs && (await store.ListPurgeableAsync(query with { Limit = 1 }, cancellationToken)).Count > 0;
        }
        logger.LogInformation("purge by {Actor}: {Count} jobs and {Bytes} bytes of job directories removed", actor, listed.Count, bytes);
        return new PurgeView(false, listed.Count, bytes, listed) { More = more };

        long Add(Job job)
        {
            var kept = directories.Kept(job.Id);
            listed.Add(View(job, kept));
            return kept.Bytes;
        }
    }

    private static PurgedJobView View(Job job, (JobDirectoryState State, long Bytes) kept) =>
        new(job.Id, job.Owner, job.State.ToString(), job.EndedAt, kept.State switch
        {
            JobDirectoryState.Present => "present",
            JobDirectoryState.Archived => "archived",
            _ => "removed",
        }, kept.Bytes);
}
