using GoDocker.Jobs;
using GoDocker.Storage;

namespace GoDocker.Scheduling;

/// <summary>
/// The leader's in-memory copy of what a cycle reads: pending jobs (in id order), jobs holding resources, the states of
/// the jobs and arrays pending jobs depend on, and the account inputs. Built from a full read at the start of a term,
/// then kept current by applying each cycle's <see cref="SchedulingChanges"/> delta (only the rows that changed), so a
/// cycle over a deep queue no longer re-reads every pending row. Its <see cref="Input"/> equals what
/// <see cref="IJobStore.ReadSchedulingInputAsync(TimeSpan, CancellationToken)"/> would read in the same snapshot (the
/// stores' full read is a full change read indexed alone, <see cref="InputOf"/>; the store contract tests compare the
/// index kept by deltas with it after every step).
/// Not thread-safe: one scheduler loop owns it.
/// </summary>
public sealed class PendingIndex
{
    private readonly Dictionary<long, PendingJob> pending = [];
    private PendingJob[] ordered = [];
    private readonly Dictionary<long, RunningJob> running = [];
    private RunningJob[] runningOrdered = [];
    private bool runningChanged;
    // How many pending jobs name each id in a dependency: the ids whose states the input carries.
    private readonly Dictionary<long, int> referenceCounts = [];
    // The ids pending jobs name, whose rows (and array tasks' rows) the index follows; an id no pending job names any more
    // is dropped once a read is applied (a job naming it again comes with the id's rows in that read's Referenced).
    private readonly HashSet<long> watched = [];
    // Ids whose reference count fell to none during the read being applied: dropped from watched at its end, unless named again.
    private readonly List<long> released = [];
    private readonly Dictionary<long, JobState> watchedStates = [];
    private readonly Dictionary<long, Dictionary<long, JobState>> watchedArrays = [];
    private SchedulingChanges accounts = new(true, ChangeMark.Start, [], []);
    private SchedulingInput? input;

    /// <summary>The mark of the last read applied, to pass to the next read; null before the first (a rebuild).</summary>
    public ChangeMark? Mark { get; private set; }

    /// <summary>Pending jobs held now.</summary>
    public int PendingCount => pending.Count;

    /// <summary>How many ids' states the index follows (those pending jobs name): bounded by the queue, not by history.</summary>
    internal int WatchedCount => watched.Count;

    /// <summary>A cycle's input from a full read alone (<see cref="SchedulingChanges.Full"/>): what a store's full read gives.</summary>
    public static SchedulingInput InputOf(SchedulingChanges full)
    {
        if (!full.Full)
        {
            throw new ArgumentException("a delta is not a whole input: index a full read", nameof(full));
        }
        var index = new PendingIndex();
        index.Apply(full);
        return index.Input;
    }

    /// <summary>
    /// Applies a read: a rebuild (<see cref="SchedulingChanges.Full"/>) replaces everything; a delta replaces each job it
    /// carries by what it is now (pending, holding resources, or neither).
    /// </summary>
    public void Apply(SchedulingChanges changes)
    {
        if (changes.Full)
        {
            pending.Clear();
            running.Clear();
            referenceCounts.Clear();
            watched.Clear();
            watchedStates.Clear();
            watchedArrays.Clear();
            ordered = [];
        }
        var touched = new List<long>();
        foreach (var job in changes.Jobs)
        {
            if (job.Pending is { } now)
            {
                foreach (var dependency in now.Dependencies)
                {
                    watched.Add(dependency.JobId);
                }
            }
        }
        foreach (var job in changes.Referenced)
        {
            Watch(job);
        }
        foreach (var job in changes.Jobs)
        {
            Watch(job);
            var was = pending.GetValueOrDefault(job.Id);
            if (was is not null)
            {
                Count(was, -1);
            }
            if (job.Pending is { } now)
            {
                pending[job.Id] = now;
                Count(now, +1);
            }
            else
            {
                pending.Remove(job.Id);
            }
            if (was is not null || job.Pending is not null)
            {
                touched.Add(job.Id);
            }
            if (job.Running is { } holding)
            {
                running[job.Id] = holding;
                runningChanged = true;
            }
            else if (running.Remove(job.Id))
            {
                runningChanged = true;
            }
        }
        ordered = changes.Full ? [.. pending.Values.OrderBy(j => j.Id)] : Merge(ordered, touched);
        foreach (var id in released)
        {
            if (!referenceCounts.ContainsKey(id))
            {
                watched.Remove(id);
                watchedStates.Remove(id);
                watchedArrays.Remove(id);
            }
        }
        released.Clear();
        accounts = changes;
        Mark = changes.Mark;
        input = null;
    }

    /// <summary>
    /// Takes in what <paramref name="plan"/> wrote that a delta does not bring back: the pending reasons (a store writes a
    /// reason only to a job still pending, as this does). Call it once the store applied the plan.
    /// </summary>
    public void Applied(Plan plan)
    {
        PendingJob[]? copy = null;
        foreach (var (id, reason) in plan.PendingReasons)
        {
            if (pending.TryGetValue(id, out var job) && !string.Equals(job.CurrentReason, reason, StringComparison.Ordinal))
            {
                var now = job with { CurrentReason = reason };
                pending[id] = now;
                // The array handed out in the last input stays as it was: copy once, then write in place.
                copy ??= (PendingJob[])ordered.Clone();
                copy[Find(copy, id)] = now;
            }
        }
        if (copy is not null)
        {
            ordered = copy;
            input = null;
        }
    }

    /// <summary>The cycle's input as the store holds it now (as of the last read applied, and the plans applied since).</summary>
    public SchedulingInput Input => input ??= Build();

    private SchedulingInput Build()
    {
        if (runningChanged)
        {
            runningOrdered = [.. running.Values.OrderBy(r => r.Id)];
            runningChanged = false;
        }
        var states = new Dictionary<long, JobState>();
        foreach (var id in referenceCounts.Keys)
        {
            if (watchedStates.TryGetValue(id, out var state))
            {
                states[id] = state;
            }
            if (watchedArrays.TryGetValue(id, out var tasks) && ArrayStatus.Of(tasks.Values) is { } array)
            {
                states[id] = array;
            }
        }
        return new SchedulingInput(ordered, NodeUsage.Of(runningOrdered))
        {
            Running = runningOrdered,
            DependencyStates = states,
            Limits = accounts.Limits,
            DecayedUsage = accounts.DecayedUsage,
            ProjectPriorities = accounts.ProjectPriorities,
            UserWindowCpuSeconds = accounts.UserWindowCpuSeconds,
            ProjectWindowCpuSeconds = accounts.ProjectWindowCpuSeconds,
        };
    }

    private void Watch(ChangedJob job)
    {
        if (watched.Contains(job.Id))
        {
            watchedStates[job.Id] = job.State;
        }
        if (job.ArrayId is { } array && watched.Contains(array))
        {
            (watchedArrays.TryGetValue(array, out var tasks) ? tasks : watchedArrays[array] = [])[job.Id] = job.State;
        }
    }

    private void Count(PendingJob job, int by)
    {
        foreach (var dependency in job.Dependencies)
        {
            var count = referenceCounts.GetValueOrDefault(dependency.JobId) + by;
            if (count == 0)
            {
                referenceCounts.Remove(dependency.JobId);
                released.Add(dependency.JobId);
            }
            else
            {
                referenceCounts[dependency.JobId] = count;
            }
        }
    }

    /// <summary>A new id-ordered array: <paramref name="old"/> less the touched ids, merged with those of them still pending.</summary>
    private PendingJob[] Merge(PendingJob[] old, List<long> touched)
    {
        if (touched.Count == 0)
        {
            return old;
        }
        var fresh = touched.Distinct().Where(pending.ContainsKey).Order().Select(id => pending[id]).ToArray();
        // Positions found by binary search: one pass over the array with no lookup per job.
        var drop = touched.Distinct().Select(id => Find(old, id)).Where(i => i >= 0).Order().ToArray();
        var merged = new PendingJob[pending.Count];
        int o = 0, f = 0, m = 0, d = 0;
        while (o < old.Length || f < fresh.Length)
        {
            if (d < drop.Length && drop[d] == o)
            {
                o++;
                d++;
            }
            else if (f == fresh.Length || (o < old.Length && old[o].Id < fresh[f].Id))
            {
                merged[m++] = old[o++];
            }
            else
            {
                merged[m++] = fresh[f++];
            }
        }
        return merged;
    }

    /// <summary>Where job <paramref name="id"/> is in the id-ordered <paramref name="jobs"/>, or -1.</summary>
    private static int Find(PendingJob[] jobs, long id)
    {
        int low = 0, high = jobs.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var at = jobs[middle].Id;
            if (at == id)
            {
                return middle;
            }
            if (at < id)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return -1;
    }
}
