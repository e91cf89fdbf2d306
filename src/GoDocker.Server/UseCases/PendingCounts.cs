using System.Collections.Concurrent;
using GoDocker.Jobs;
using GoDocker.Storage;

namespace GoDocker.Server.UseCases;

/// <summary>
/// How many pending jobs each user has, for the per-user limit at submit, without a count query per submit
/// (with tens of thousands pending that query would dominate the submit path). A user's count is read from the
/// store at most every <see cref="MaxAge"/> and incremented locally for every job accepted in between, so a
/// burst is counted exactly; jobs leaving Pending are noticed at the next read. The submits that find a user's
/// count stale together wait for one read (a burst of concurrent submits would otherwise count as many times).
/// </summary>
public sealed class PendingCounts(IJobStore store, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, Entry> counts = new();
    private readonly ConcurrentDictionary<string, Task<Entry>> reads = new();

    public async Task<long> CountAsync(string owner, CancellationToken cancellationToken)
    {
        if (!counts.TryGetValue(owner, out var entry) || time.GetUtcNow() - entry.ReadAt >= MaxAge)
        {
            var mine = new TaskCompletionSource<Entry>(TaskCreationOptions.RunContinuationsAsynchronously);
            var read = reads.GetOrAdd(owner, mine.Task);
            if (read == mine.Task)
            {
                _ = ReadAsync(owner, mine);
            }
            entry = await read.WaitAsync(cancellationToken);
        }
        return Interlocked.Read(ref entry.Count);
    }

    public void Added(string owner)
    {
        if (counts.TryGetValue(owner, out var entry))
        {
            Interlocked.Increment(ref entry.Count);
        }
    }

    /// <summary>The count alone (a page of no job); not cancelled with the submit that started it, since others wait on it too.</summary>
    private async Task ReadAsync(string owner, TaskCompletionSource<Entry> done)
    {
        try
        {
            var page = await store.ListAsync(new JobQuery { States = [JobState.Pending], Owner = owner, Limit = 0 }, CancellationToken.None);
            var entry = new Entry { Count = page.Total, ReadAt = time.GetUtcNow() };
            counts[owner] = entry;
            done.SetResult(entry);
        }
        catch (Exception e)
        {
            done.SetException(e);
        }
        finally
        {
            reads.TryRemove(new KeyValuePair<string, Task<Entry>>(owner, done.Task));
        }
    }

    private sealed class Entry
    {
        public long Count;
        public DateTimeOffset ReadAt { get; init; }
    }
}
