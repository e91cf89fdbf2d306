using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Storage;
using GoDocker.Storage.JobDirectories;

namespace GoDocker.Server.UseCases;

/// <summary>
/// What each user's kept job directories hold (present and archived: count and bytes), for `godocker usage`. Computed from
/// the jobs root (the disk is the truth: retention, purge and crashes all show), and kept for a short while: a measure walks
/// every present directory. A job's owner never changes, so it is read from the store once per job.
/// </summary>
public sealed class KeptDirectoryTotals(IJobStore store, JobDirectory directories, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(15);
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<long, string?> owners = [];
    private (DateTimeOffset At, IReadOnlyDictionary<string, KeptDirectoriesView> ByUser)? last;

    public void Dispose() => gate.Dispose();

    public async Task<IReadOnlyDictionary<string, KeptDirectoriesView>> ByUserAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (last is { } cached && now - cached.At < Fresh)
            {
                return cached.ByUser;
            }
            var totals = new Dictionary<string, KeptDirectoriesView>(StringComparer.Ordinal);
            foreach (var id in directories.ListKept())
            {
                if (!owners.TryGetValue(id, out var owner))
                {
                    owner = (await store.GetAsync(id, cancellationToken))?.Owner;
                    owners[id] = owner;
                }
                if (owner is null)
                {
                    continue;
                }
                var (state, bytes) = directories.Kept(id);
                var total = totals.GetValueOrDefault(owner) ?? new KeptDirectoriesView();
                totals[owner] = state switch
                {
                    JobDirectoryState.Present => total with { Present = total.Present + 1, PresentBytes = total.PresentBytes + bytes },
                    JobDirectoryState.Archived => total with { Archived = total.Archived + 1, ArchivedBytes = total.ArchivedBytes + bytes },
                    _ => total,
                };
            }
            last = (now, totals);
            return totals;
        }
        finally
        {
            gate.Release();
        }
    }
}
