using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GoDocker.Scheduling;

namespace GoDocker.Bench;

/// <summary>
/// One scheduling cycle over a large site held in memory (<see cref="SiteSnapshot"/>): the real
/// <see cref="SchedulingCycle"/> with the standard admissions and filters, spread, and each order/backfill
/// combination. Prints one RESULT line per combination, with a hash of the plan so a change meant only for speed
/// can be checked to plan the same, then one with peak memory and the targets.
/// </summary>
internal static class CycleBench
{
    // Targets of issue 4.
    private const double MaxCycleMs = 1000;
    private const double MinDecisionsPerSecond = 50_000;
    private const long MaxPeakBytes = 1L << 30;

    public static int Run(Func<string, string, string> option)
    {
        int Int(string key, string fallback) => int.Parse(option(key, fallback), CultureInfo.InvariantCulture);
        var jobs = Int("jobs", "100000");
        var users = Int("users", "1000");
        var projects = Int("projects", "50");
        var nodes = Int("nodes", "1000");
        var seed = Int("seed", "42");
        var drained = double.Parse(option("drained", "0.02"), CultureInfo.InvariantCulture);
        var runs = Int("runs", "5");
        var warmup = Int("warmup", "2");
        var only = option("only", "");
        var dump = option("dump", "");
        IPlacementScorer scorer = option("scorer", SpreadScorer.PolicyName) == PackScorer.PolicyName ? new PackScorer() : new SpreadScorer();
        // --filters=opaque: the standard filters behind a wrapper that declares no caching, so the cycle asks them for
        // every job on every node; the plan must come out the same (a check on the cycle's caches and fast paths).
        IReadOnlyList<IPlacementFilter> filters = option("filters", "standard") == "opaque"
            ? [.. SchedulingCycle.StandardFilters.Select(f => new OpaqueFilter(f))]
            : SchedulingCycle.StandardFilters;

        var clock = Stopwatch.StartNew();
        var snapshot = SiteSnapshot.Build(jobs, users, projects, nodes, drained, seed);
        Console.Error.WriteLine(Invariant($"[cycle] site built in {clock.ElapsedMilliseconds} ms: {SiteSnapshot.Describe(snapshot)}"));
        var afterBuild = Status("VmRSS");

        var combinations = new (string Name, IQueueOrder Order, bool Backfill)[]
        {
            ("fairshare", new FairShareOrder(new FairShareOptions()), true),
            ("fifo", new FifoOrder(), true),
            ("fairshare", new FairShareOrder(new FairShareOptions()), false),
        };
        double? headlineMedian = null, headlineMax = null;
        foreach (var (name, order, backfill) in combinations)
        {
            var label = $"{name}-{(backfill ? "backfill" : "nobackfill")}";
            if (only.Length > 0 && !only.Split(',').Contains(label))
            {
                continue;
            }
            var cycle = new SchedulingCycle(order, SchedulingCycle.StandardAdmissions, filters, scorer,
                new CycleOptions { Backfill = backfill });
            var measured = headlineMedian is null ? runs : Math.Max(1, (runs + 1) / 2);
            var (times, cpuTimes, rankMs, allocated, plan) = Measure(cycle, snapshot, warmup, measured);
            var median = Median(times);
            var max = times.Max();
            headlineMedian ??= median;
            headlineMax ??= max;
            if (dump.Length > 0)
            {
                Dump(plan, $"{dump}.{label}.txt");
            }
            Console.WriteLine(
                Invariant($"RESULT cycle order={name} backfill={(backfill ? "on" : "off")} jobs={snapshot.Pending.Count} nodes={snapshot.Nodes.Count} runs={times.Count} ")
                + Invariant($"median_ms={median:0.0} max_ms={max:0.0} cpu_ms={Median(cpuTimes):0} rank_ms={rankMs:0.0} decisions_per_s={snapshot.Pending.Count / (median / 1000):0} ")
                + Invariant($"placements={plan.Placements.Count} expected_starts={plan.ExpectedStarts.Count} rejections={plan.Rejections.Count} ")
                + Invariant($"reasons={plan.PendingReasons.Count} alloc_mb={allocated / (double)(1 << 20):0} plan={Hash(plan)}"));
        }
        if (headlineMedian is not { } m || headlineMax is not { } x)
        {
            return 0;
        }
        var peak = Status("VmHWM");
        var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        var decisions = snapshot.Pending.Count / (m / 1000);
        Console.WriteLine(
            Invariant($"RESULT cycle-memory peak_rss_mb={peak / (double)(1 << 20):0} rss_after_build_mb={afterBuild / (double)(1 << 20):0} ")
            + Invariant($"managed_heap_mb={heap / (double)(1 << 20):0} managed_total_mb={GC.GetTotalMemory(false) / (double)(1 << 20):0}"));
        Console.WriteLine(
            Invariant($"RESULT cycle-targets cycle_max_ms={x:0.0} cycle_le_1s={YesNo(x <= MaxCycleMs)} decisions_per_s={decisions:0} ")
            + Invariant($"decisions_ge_50k={YesNo(decisions >= MinDecisionsPerSecond)} peak_rss_mb={peak / (double)(1 << 20):0} memory_le_1gib={YesNo(peak <= MaxPeakBytes)}"));
        return 0;
    }

    private static (List<double> Times, List<double> CpuTimes, double RankMs, long Allocated, Plan Plan) Measure(SchedulingCycle cycle, SchedulingSnapshot snapshot, int warmup, int runs)
    {
        Plan plan = Plan.Empty;
        for (var i = 0; i < warmup; i++)
        {
            plan = cycle.Run(snapshot);
        }
        var times = new List<double>();
        var cpu = new List<double>();
        using var process = Process.GetCurrentProcess();
        var rank = new List<double>();
        long allocated = 0;
        for (var i = 0; i < runs; i++)
        {
            plan = Plan.Empty;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = GC.GetAllocatedBytesForCurrentThread();
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            plan = cycle.Run(snapshot);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            // The order alone, the first stage of the cycle, to see where the time goes.
            start = Stopwatch.GetTimestamp();
            _ = cycle.Order.Rank(snapshot);
            rank.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return (times, cpu, Median(rank), allocated, plan);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Everything the plan says, one line per fact in a fixed order: equal lines = equal plan.</summary>
    private static void Describe(Plan plan, Action<string> line)
    {
        foreach (var p in plan.Placements)
        {
            line(Invariant($"place {p.JobId} v{p.Version} {p.Node} {p.Resources.Cpus:R} {p.Resources.MemoryBytes} {p.Resources.Gpus}"));
        }
        foreach (var (id, reason) in plan.PendingReasons.OrderBy(r => r.Key))
        {
            line(Invariant($"reason {id} {reason}"));
        }
        foreach (var (id, reason) in plan.Rejections.OrderBy(r => r.Key))
        {
            line(Invariant($"reject {id} {reason}"));
        }
        foreach (var (id, at) in plan.ExpectedStarts.OrderBy(r => r.Key))
        {
            line(Invariant($"start {id} {at.UtcTicks}"));
        }
        foreach (var ranked in plan.Ranking)
        {
            line(ranked.Factors is { } f
                ? Invariant($"rank {ranked.Job.Id} {ranked.Priority:R} {f.Age:R} {f.FairShareUser:R} {f.FairShareProject:R} {f.JobSize:R} {f.UserPriority:R} {f.ProjectPriority:R} {f.Adjustment}")
                : Invariant($"rank {ranked.Job.Id} {ranked.Priority:R}"));
        }
    }

    internal static string Hash(Plan plan)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Describe(plan, line => hash.AppendData(Encoding.UTF8.GetBytes(line + "\n")));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static void Dump(Plan plan, string path)
    {
        using var writer = new StreamWriter(path);
        Describe(plan, writer.WriteLine);
    }

    /// <summary>A field of /proc/self/status in bytes (VmHWM: peak resident set; VmRSS: now).</summary>
    internal static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }

    private sealed class OpaqueFilter(IPlacementFilter inner) : IPlacementFilter
    {
        public string Name => inner.Name;

        public Verdict Filter(PendingJob job, NodeLoad node) => inner.Filter(job, node);
    }

    private static string YesNo(bool met) => met ? "yes" : "NO";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
