using System.Text.RegularExpressions;
using GoDocker.Scheduling;
using static GoDocker.Core.Tests.Scheduling.SchedulingBuilders;

namespace GoDocker.Core.Tests.Scheduling;

/// <summary>Invariants that hold for any snapshot, checked over seeded random ones.</summary>
public sealed partial class SchedulingCyclePropertyTests
{
    private const int Iterations = 200;
    private const double CpuTolerance = 1e-6;

    private static readonly double[] CpuSizes = [0.1, 0.25, 0.5, 1, 1.5, 2, 4, 8];
    private static readonly string[] MemorySizes = ["16M", "256M", "512M", "1G", "2G", "4G", "8G", "16G"];

    [Fact]
    public void RandomSnapshots_NeverOverfillANode_PlaceEachJobAtMostOnce_AndExplainEveryWaitingJob()
    {
        var cycle = StrictFifo();
        var random = new Random(20250101);
        var placedSomething = 0;
        var blockedSomething = 0;

        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var snapshot = RandomSnapshot(random);
            var plan = cycle.Run(snapshot);
            var at = $"iteration {iteration}";

            CheckPlacements(snapshot, plan, at);

            // No backfill: what is placed is a prefix of the FIFO order.
            var order = new FifoOrder().Rank(snapshot).Select(r => r.Job.Id).ToList();
            var placed = PlacedIds(plan).ToList();
            Assert.True(order.Take(placed.Count).SequenceEqual(placed), $"{at}: placements are not a FIFO prefix");
            Assert.Empty(plan.ExpectedStarts);

            // Every job left waiting carries a reason (none had one before this cycle).
            foreach (var id in order.Skip(placed.Count))
            {
                Assert.True(plan.PendingReasons.TryGetValue(id, out var reason) && reason.Length > 0, $"{at}: job {id} waits without a reason");
            }
            Assert.True(plan.PendingReasons.Keys.All(id => !placed.Contains(id)), $"{at}: a placed job has a pending reason");

            placedSomething += plan.Placements.Count > 0 ? 1 : 0;
            blockedSomething += plan.Placements.Count < snapshot.Pending.Count ? 1 : 0;
        }

        // The generator must exercise both outcomes, or the checks above prove little.
        Assert.InRange(placedSomething, Iterations / 4, Iterations);
        Assert.InRange(blockedSomething, Iterations / 4, Iterations);
    }

    /// <summary>
    /// With backfill, on every node and at every future instant, what running jobs still hold (until their walltime),
    /// what the plan starts now (for its walltime) and what it reserves (from the expected start, for the walltime)
    /// together fit the node: a backfilled job never takes what a reservation counts on.
    /// </summary>
    [Fact]
    public void RandomSnapshots_WithBackfill_NeverOverbookANodesTimeline_AndReserveOnlyWaitingJobs()
    {
        var defaultWalltime = TimeSpan.FromMinutes(45);
        var cycle = Cycle(new FifoOrder(), options: new CycleOptions { DefaultWalltime = defaultWalltime, Reservations = 5 });
        var random = new Random(4242);
        var backfilled = 0;
        var reserved = 0;

        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var snapshot = RandomBusySnapshot(random);
            var plan = cycle.Run(snapshot);
            var at = $"iteration {iteration}";
            CheckPlacements(snapshot, plan, at);

            var jobs = snapshot.Pending.ToDictionary(j => j.Id);
            var placed = PlacedIds(plan).ToHashSet();
            Assert.True(plan.ExpectedStarts.Count <= 5, $"{at}: more reservations than allowed");
            var bookings = new List<(string Node, long From, long To, double Cpus, long Memory)>();
            foreach (var running in snapshot.Running)
            {
                var end = running.StartedAt + (running.WalltimeSeconds is { } s ? TimeSpan.FromSeconds(s) : defaultWalltime);
                bookings.Add((running.Node, Now.UtcTicks, Math.Max(end.UtcTicks, Now.UtcTicks + 1), running.Held.Cpus, running.Held.MemoryBytes));
            }
            foreach (var placement in plan.Placements)
            {
                bookings.Add((placement.Node, Now.UtcTicks, Now.UtcTicks + Duration(jobs[placement.JobId], defaultWalltime), placement.Resources.Cpus, placement.Resources.MemoryBytes));
            }
            foreach (var (id, start) in plan.ExpectedStarts)
            {
                Assert.DoesNotContain(id, placed);
                Assert.True(start >= Now, $"{at}: job {id} expected in the past");
                var node = ReservedOn().Match(plan.PendingReasons[id]);
                Assert.True(node.Success, $"{at}: job {id}: '{plan.PendingReasons[id]}' names no reserved node");
                Assert.Contains(start.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), plan.PendingReasons[id]);
                var job = jobs[id];
                bookings.Add((node.Groups[1].Value, start.UtcTicks, start.UtcTicks + Duration(job, defaultWalltime), job.Request.Cpus, job.Request.MemoryBytes));
            }
            foreach (var load in snapshot.Nodes)
            {
                var mine = bookings.Where(b => b.Node == load.Node.Name).ToList();
                foreach (var instant in mine.Select(b => b.From).Distinct())
                {
                    var holding = mine.Where(b => b.From <= instant && instant < b.To).ToList();
                    Assert.True(holding.Sum(b => b.Cpus) <= load.Node.Capacity.Cpus + CpuTolerance,
                        $"{at}: {holding.Sum(b => b.Cpus)} cpus booked on {load.Node.Name} of {load.Node.Capacity.Cpus} at {new DateTimeOffset(instant, TimeSpan.Zero):HH:mm:ss}");
                    Assert.True(holding.Sum(b => b.Memory) <= load.Node.Capacity.MemoryBytes, $"{at}: memory overbooked on {load.Node.Name}");
                }
            }

            // Every job neither placed nor rejected says why it waits.
            foreach (var job in snapshot.Pending.Where(j => !placed.Contains(j.Id)))
            {
                Assert.True(plan.PendingReasons.TryGetValue(job.Id, out var reason) && reason.Length > 0, $"{at}: job {job.Id} waits without a reason");
            }

            // A job placed after one that got a reservation was backfilled.
            var firstReserved = plan.Ranking.Select((r, i) => (r.Job.Id, i)).FirstOrDefault(x => plan.ExpectedStarts.ContainsKey(x.Id), (-1, int.MaxValue)).Item2;
            backfilled += plan.Ranking.Skip(firstReserved).Count(r => placed.Contains(r.Job.Id));
            reserved += plan.ExpectedStarts.Count;
        }

        Assert.True(backfilled >= 20, $"only {backfilled} backfilled placements: the generator proves little");
        Assert.True(reserved >= 50, $"only {reserved} reservations: the generator proves little");
    }

    /// <summary>
    /// The cycle caches the verdicts of filters that declare how (feasibility classes), and skips nodes for requests it
    /// knows every node refuses; a filter that declares nothing is asked node by node. Wrapping the built-ins must change
    /// nothing: the same placements, reasons, reservations and rejections.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RandomSnapshots_TheInlineFilters_DecideExactlyAsTheFiltersThemselves(bool backfill)
    {
        var options = new CycleOptions { Backfill = backfill, Reservations = 3, DefaultWalltime = TimeSpan.FromMinutes(45) };
        var inline = Cycle(new FifoOrder(), options: options);
        var asked = new SchedulingCycle(new FifoOrder(), SchedulingCycle.StandardAdmissions,
            [.. SchedulingCycle.StandardFilters.Select(f => new AskedFilter(f))], new SpreadScorer(), options);
        var random = new Random(backfill ? 77 : 78);
        var constrained = 0;

        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var snapshot = RandomBusySnapshot(random, constraints: true);
            var expected = asked.Run(snapshot);
            var actual = inline.Run(snapshot);
            var at = $"iteration {iteration}";

            Assert.True(expected.Placements.SequenceEqual(actual.Placements), $"{at}: placements differ");
            foreach (var (id, reason) in expected.PendingReasons)
            {
                Assert.True(actual.PendingReasons.TryGetValue(id, out var got), $"{at}: job {id} lost its reason '{reason}'");
                Assert.Equal(reason, got);
            }
            Assert.Equal(expected.PendingReasons.Count, actual.PendingReasons.Count);
            Assert.Equal(expected.ExpectedStarts.OrderBy(p => p.Key), actual.ExpectedStarts.OrderBy(p => p.Key));
            Assert.Equal(expected.Rejections.OrderBy(p => p.Key), actual.Rejections.OrderBy(p => p.Key));
            var placed = PlacedIds(actual).ToHashSet();
            constrained += snapshot.Pending.Any(j => j.Constraints.Count > 0 && placed.Contains(j.Id)) ? 1 : 0;
        }

        Assert.True(constrained > Iterations / 10, "constrained jobs were hardly ever placed: the generator proves little");
    }

    private static long Duration(PendingJob job, TimeSpan defaultWalltime) =>
        (job.WalltimeSeconds is { } s ? TimeSpan.FromSeconds(s) : defaultWalltime).Ticks;

    private static void CheckPlacements(SchedulingSnapshot snapshot, Plan plan, string at)
    {
        var jobs = snapshot.Pending.ToDictionary(j => j.Id);
        var nodes = snapshot.Nodes.ToDictionary(n => n.Node.Name);

        // Each job at most once, as it was read.
        Assert.True(plan.Placements.Select(p => p.JobId).Distinct().Count() == plan.Placements.Count, $"{at}: a job placed twice");
        Assert.Equal(snapshot.Pending.Select(j => j.Id).Order(), plan.Ranking.Select(r => r.Job.Id).Order());
        foreach (var placement in plan.Placements)
        {
            var job = jobs[placement.JobId];
            Assert.True(placement.Version == job.Version && placement.Resources == job.Request,
                $"{at}: placement {placement} does not match job {job}");
            Assert.True(nodes.TryGetValue(placement.Node, out var node) && node.Node.Schedulable,
                $"{at}: job {placement.JobId} placed on unknown or drained node {placement.Node}");
        }

        // Never more than a node has free.
        foreach (var group in plan.Placements.GroupBy(p => p.Node))
        {
            var node = nodes[group.Key];
            Assert.True(group.Sum(p => p.Resources.Cpus) <= node.Free.Cpus + CpuTolerance,
                $"{at}: {group.Sum(p => p.Resources.Cpus)} cpus placed on {node.Node.Name}, {node.Free.Cpus} free");
            Assert.True(group.Sum(p => p.Resources.MemoryBytes) <= node.Free.MemoryBytes,
                $"{at}: {group.Sum(p => p.Resources.MemoryBytes)} bytes placed on {node.Node.Name}, {node.Free.MemoryBytes} free");
            Assert.True(group.Sum(p => p.Resources.Gpus) <= node.Free.Gpus, $"{at}: gpus overbooked on {node.Node.Name}");
        }
    }

    private static SchedulingSnapshot RandomSnapshot(Random random)
    {
        var nodes = Enumerable.Range(1, random.Next(0, 5)).Select(i =>
        {
            var cpus = random.Next(1, 33) / 2.0;
            var memoryGiB = random.Next(1, 65);
            var node = Node($"n{i}").Cpus(cpus).Mem($"{memoryGiB}G")
                .Used(Math.Round(cpus * random.NextDouble(), 2), $"{random.Next(0, memoryGiB * 1024)}M");
            return random.Next(10) == 0 ? node.Drained() : node;
        }).ToList();
        var jobs = Enumerable.Range(1, random.Next(0, 31)).Select(i =>
            Job(i).Cpus(CpuSizes[random.Next(CpuSizes.Length)])
                .Mem(MemorySizes[random.Next(MemorySizes.Length)])
                .SubmittedAt(T0.AddSeconds(random.Next(0, 20)))).ToList();
        return Snapshot(jobs, nodes);
    }

    /// <summary>Nodes partly held by running jobs (some without walltime, some past it), and a queue of jobs with and without walltimes.</summary>
    private static SchedulingSnapshot RandomBusySnapshot(Random random, bool constraints = false)
    {
        string[] disks = ["ssd", "hdd"];
        var scene = Scene();
        var runningId = 1000;
        for (var i = 1; i <= random.Next(1, constraints ? 6 : 4); i++)
        {
            var cpus = random.Next(2, 9);
            var node = Node($"n{i}").Cpus(cpus).Mem("32G");
            if (constraints)
            {
                node = node.Label("disk", disks[random.Next(2)]).Gpus(random.Next(3));
            }
            scene.Nodes(random.Next(12) == 0 ? node.Drained() : node);
            var used = 0;
            while (used < cpus && random.Next(4) != 0)
            {
                var take = Math.Min(cpus - used, random.Next(1, 4));
                var job = Running(runningId++).On($"n{i}").Cpus(take).Mem($"{random.Next(1, 5)}G").StartedAgo(random.Next(0, 120));
                scene.Running(random.Next(5) == 0 ? job : job.Walltime(random.Next(10, 180)));
                used += take;
            }
        }
        for (var id = 1; id <= random.Next(1, 25); id++)
        {
            var job = Job(id).Cpus(random.Next(1, 7)).Mem($"{random.Next(1, 12)}G");
            if (constraints)
            {
                job = random.Next(3) switch
                {
                    0 => job.Constraint($"disk=={disks[random.Next(2)]}"),
                    1 => job.Constraint("disk!=hdd").Gpus(random.Next(2)),
                    _ => job,
                };
            }
            scene.Jobs(random.Next(4) == 0 ? job : job.Walltime(random.Next(5, 240)));
        }
        return scene.Build();
    }

    /// <summary>A built-in filter the cycle does not recognise as one, so it asks it node by node.</summary>
    private sealed class AskedFilter(IPlacementFilter inner) : IPlacementFilter
    {
        public string Name => inner.Name;
        public Verdict Filter(PendingJob job, NodeLoad node) => inner.Filter(job, node);
    }

    [GeneratedRegex(@" on (\S+) \(reserved\)$")]
    private static partial Regex ReservedOn();
}
