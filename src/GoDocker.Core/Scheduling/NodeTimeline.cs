using System.Runtime.InteropServices;
using GoDocker.Jobs;

namespace GoDocker.Scheduling;

/// <summary>
/// What one node has free from now on, as steps in time: running jobs give their resources back at their
/// expected end (start + walltime), and the cycle takes resources for the jobs it places now and for the
/// reservations it makes. A job fits at a time if its request is free over its whole walltime from then:
/// so a backfilled job never takes what a reservation needs (conservative backfill).
/// </summary>
internal sealed class NodeTimeline
{
    private readonly List<long> times = [];
    private readonly List<Resources> free = [];
    private readonly List<(long JobId, long From, long To)> reservations = [];

    /// <param name="releases">Running jobs on this node: when each is expected to end and what it holds.</param>
    public NodeTimeline(NodeLoad load, IEnumerable<(long End, Resources Held)> releases, long now)
    {
        Now = now;
        times.Add(now);
        free.Add(load.Free);
        foreach (var (end, held) in releases.OrderBy(r => r.End))
        {
            // A job past its walltime is about to be stopped: it gives its resources back next.
            var at = Math.Max(end, now + 1);
            var index = Split(at);
            for (var i = index; i < free.Count; i++)
            {
                free[i] += held;
            }
        }
    }

    public long Now { get; }

    public bool Fits(long from, long to, Resources request)
    {
        var starts = CollectionsMarshal.AsSpan(times);
        var room = CollectionsMarshal.AsSpan(free);
        // Steps are in time order: skip those ending by from, stop at the first starting at or after to.
        for (var i = 0; i < starts.Length && starts[i] < to; i++)
        {
            var stepEnd = i + 1 < starts.Length ? starts[i + 1] : long.MaxValue;
            if (stepEnd > from && !request.FitsWithin(room[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The earliest time from now at which the request fits for <paramref name="duration"/>; null if never.</summary>
    public long? EarliestStart(long duration, Resources request)
    {
        // One sweep: a start before a step that lacks room would overlap it, so the next candidate is the step after.
        var i = 0;
        while (i < times.Count)
        {
            if (!request.FitsWithin(free[i]))
            {
                i++;
                continue;
            }
            var start = times[i];
            var end = start > long.MaxValue - duration ? long.MaxValue : start + duration;
            var j = i;
            while (j < times.Count && times[j] < end && request.FitsWithin(free[j]))
            {
                j++;
            }
            if (j == times.Count || times[j] >= end)
            {
                return start;
            }
            i = j + 1;
        }
        return null;
    }

    public void Take(long jobId, long from, long to, Resources request, bool reservation)
    {
        var first = Split(from);
        var last = to == long.MaxValue ? free.Count : Split(to);
        for (var i = first; i < last; i++)
        {
            free[i] -= request;
        }
        if (reservation)
        {
            reservations.Add((jobId, from, to));
        }
    }

    /// <summary>The first reservation overlapping [from, to), for the reason of a job it kept out.</summary>
    public (long JobId, long From)? ReservationIn(long from, long to)
    {
        foreach (var (jobId, start, end) in reservations)
        {
            if (start < to && end > from)
            {
                return (jobId, start);
            }
        }
        return null;
    }

    /// <summary>Makes <paramref name="at"/> a step boundary; returns the index of the step starting there.</summary>
    private int Split(long at)
    {
        var index = times.BinarySearch(at);
        if (index >= 0)
        {
            return index;
        }
        index = ~index;
        // index > 0: every time is >= Now, the first step.
        times.Insert(index, at);
        free.Insert(index, free[index - 1]);
        return index;
    }
}
