using System.Globalization;
using System.Text;
using GoDocker.Jobs;

namespace GoDocker.Scheduling;

/// <summary>
/// Which of a node's cpus a job is pinned to (a cpu set, as Slurm's task affinity): a job asking for a whole number of
/// cpus gets that many cpus of its own, so <c>nproc</c> and thread pools see what it asked for, not every cpu of the host.
/// The scheduler has already counted the cpus (capacity); this chooses their ids on the node, at launch, from the cpus
/// the node's other pinned jobs hold. Pure: the executor reads what is held from its engine and asks here.
/// Fractional requests are never pinned: they keep only their quota (see <see cref="WholeCpus"/>).
/// </summary>
public static class CpuBinding
{
    /// <summary>Ids above this are refused when parsing (no engine has more cpus; keeps a label from allocating gigabytes).</summary>
    public const int MaxCpuId = 65_535;

    /// <summary>
    /// The number of cpus a request pins: a whole number of at least 1 (within <see cref="Resources.CpuEpsilon"/>), else
    /// null. 0.5 or 1.5 cpus is a share of time, not cpus: such a job keeps its quota and runs on any of the node's cpus.
    /// </summary>
    public static int? WholeCpus(double cpus)
    {
        if (!double.IsFinite(cpus) || cpus < 1 - Resources.CpuEpsilon || cpus > MaxCpuId + 1)
        {
            return null;
        }
        var whole = Math.Round(cpus);
        return Math.Abs(cpus - whole) <= Resources.CpuEpsilon ? (int)whole : null;
    }

    /// <summary>
    /// The cpu ids jobs of a node may be pinned to: the engine's cpus (0 to <paramref name="engineCpus"/> − 1), only the
    /// first ⌊<paramref name="configuredCpus"/>⌋ of them when the site offers fewer than the host has (so every id is
    /// one the engine knows), and all of them when it offers more (the surplus is overcommit: see <see cref="Choose"/>).
    /// </summary>
    public static int[] Pool(int engineCpus, double? configuredCpus) =>
        Pool(Enumerable.Range(0, Math.Max(0, Math.Min(engineCpus, MaxCpuId + 1))).ToArray(), configuredCpus);

    /// <summary>
    /// The same from the ids the engine says it can use (<see cref="TryReadAvailable"/>), which need not start at 0 nor
    /// follow each other: the first ⌊<paramref name="configuredCpus"/>⌋ of them when the site offers fewer.
    /// </summary>
    public static int[] Pool(IReadOnlyList<int> engineIds, double? configuredCpus)
    {
        var count = engineIds.Count;
        if (configuredCpus is { } configured && double.IsFinite(configured) && configured < count)
        {
            count = Math.Max(0, (int)Math.Floor(configured + Resources.CpuEpsilon));
        }
        return [.. engineIds.Order().Take(count)];
    }

    /// <summary>
    /// The cpus an engine can use, from its refusal of a cpu set outside them (moby: "Requested CPUs are not available -
    /// requested 0-1, available: 2-3", the cpuset of its cgroup parent). NCPU counts cpus but does not name them: an
    /// engine confined to cpus 2-3 says 2, and ids 0-1 are refused; this is how the executor learns the real ones.
    /// </summary>
    public static bool TryReadAvailable(string? message, out int[] ids)
    {
        ids = [];
        const string Marker = "available: ";
        if (message is null || !message.Contains("Requested CPUs are not available", StringComparison.Ordinal))
        {
            return false;
        }
        var at = message.LastIndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return false;
        }
        var list = message[(at + Marker.Length)..].Trim();
        var end = 0;
        while (end < list.Length && (char.IsAsciiDigit(list[end]) || list[end] is ',' or '-'))
        {
            end++;
        }
        return TryParse(list[..end], out ids) && ids.Length > 0;
    }

    /// <summary>
    /// <paramref name="count"/> cpus of <paramref name="pool"/> for a new job, given the cpu sets the node's other pinned
    /// jobs hold: the cpus held by the fewest jobs first (lowest id among equals), so while the node has free cpus a job
    /// gets only free ones. When the scheduler placed more whole cpus than the node has (Scheduler:CpuOvercommit, or
    /// a configured cpu count above the host's), the least shared cpus are shared and <see cref="CpuChoice.Shared"/>
    /// says so: the caller must not keep that quiet. Null when the pool is smaller than the request (no set can hold it:
    /// the job keeps its quota only).
    /// </summary>
    public static CpuChoice? Choose(int count, IReadOnlyList<int> pool, IEnumerable<IReadOnlyCollection<int>> held)
    {
        if (count < 1 || count > pool.Count)
        {
            return null;
        }
        var holders = new Dictionary<int, int>(pool.Count);
        foreach (var id in pool)
        {
            holders[id] = 0;
        }
        foreach (var set in held)
        {
            foreach (var id in set)
            {
                // A cpu outside the pool (an id from before a configuration change) is not one a new job can get.
                if (holders.TryGetValue(id, out var n))
                {
                    holders[id] = n + 1;
                }
            }
        }
        var chosen = pool.OrderBy(id => holders[id]).ThenBy(id => id).Take(count).Order().ToArray();
        return new CpuChoice(chosen, chosen.Any(id => holders[id] > 0));
    }

    /// <summary>The engine's list form: "0-3,8,10-11" (ids ascending, ranges of three or more and pairs as ranges).</summary>
    public static string Format(IEnumerable<int> ids)
    {
        var sorted = ids.Distinct().Order().ToArray();
        var text = new StringBuilder();
        for (var i = 0; i < sorted.Length;)
        {
            var j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }
            if (text.Length > 0)
            {
                text.Append(',');
            }
            text.Append(CultureInfo.InvariantCulture, $"{sorted[i]}");
            if (j > i)
            {
                text.Append(CultureInfo.InvariantCulture, $"-{sorted[j]}");
            }
            i = j + 1;
        }
        return text.ToString();
    }

    /// <summary>Reads the list form ("0-3,8"), as the kernel and the engine write it. False for anything else.</summary>
    public static bool TryParse(string? text, out int[] ids)
    {
        ids = [];
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var found = new SortedSet<int>();
        foreach (var part in text.Split(','))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var first = dash < 0 ? part : part[..dash];
            var last = dash < 0 ? part : part[(dash + 1)..];
            if (!int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var to)
                || from > to || to > MaxCpuId)
            {
                return false;
            }
            for (var id = from; id <= to; id++)
            {
                found.Add(id);
            }
        }
        ids = [.. found];
        return true;
    }
}

/// <summary>The cpus chosen for a job; <see cref="Shared"/> when some are also another pinned job's (overcommit).</summary>
public sealed record CpuChoice(IReadOnlyList<int> Cpus, bool Shared)
{
    public override string ToString() => CpuBinding.Format(Cpus);
}
