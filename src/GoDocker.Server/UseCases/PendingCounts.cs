using System.Collections.Concurrent;
using GoDocker.Jobs;
using GoDocker.Storage;

namespace GoDocker.Server.UseCases;

/// <summary>
/// How many pending jobs each user has, for the per-user limit at submit, without a count query per submit
/// (with tens of thousands pending that query would dominate the submit path). A user's count is read from the
/// store at most every <see cref="MaxAge"/> and incremented locally for every job accepted in between, so a
/// burst is counted exactly; jobs leaving Pending are noticed at the next read.
/// </summary>
public sealed class PendingCounts(IJobStore store, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, Entry> counts = new();

    public async Task<long> CountAsync(string owner, CancellationToken cancellationToken)
    {
        if (counts.TryGetValue(owner, out var entry) && time.GetUtcNow() - entry.ReadAt < MaxAge)
        {
            return Interlocked.Read(ref entry.Count);
        }
        var page = await store.ListAsync(new JobQuery { States = [JobState.Pending], Owner = owner, Limit = 1 }, cancellationToken);
        counts[owner] = new Entry { Count = page.Total, ReadAt = time.GetUtcNow() };
        return page.Total;
    }

    public void Added(string owner)
    {
        if (counts.TryGetValue(owner, out var entry))
        {
            Interlocked.Increment(ref entry.Count);
        }
    }

    private sealed class Entry
    {
        public long Count;
        public DateTimeOffset ReadAt { get; init; }
    }
}
