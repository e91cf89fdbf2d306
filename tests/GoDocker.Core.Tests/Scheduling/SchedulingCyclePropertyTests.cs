using GoDocker.Scheduling;
using static GoDocker.Core.Tests.Scheduling.SchedulingBuilders;

namespace GoDocker.Core.Tests.Scheduling;

/// <summary>Invariants that hold for any snapshot, checked over seeded random ones.</summary>
public sealed class SchedulingCyclePropertyTests
{
    private const int Iterations = 200;
    private const double CpuTolerance = 1e-6;

    private static readonly double[] CpuSizes = [0.1, 0.25, 0.5, 1, 1.5, 2, 4, 8];
    private static readonly string[] MemorySizes = ["16M", "256M", "512M", "1G", "2G", "4G", "8G", "16G"];

    [Fact]
    public void RandomSnapshots_NeverOverfillANode_PlaceEachJobAtMostOnce_AndExplainEveryWaitingJob()
    {
        var cycle = new SchedulingCycle(new FifoOrder(), [new ResourceFitFilter()], new LeastLoadedScorer());
        var random = new Random(20250101);
        var placedSomething = 0;
        var blockedSomething = 0;

        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var snapshot = RandomSnapshot(random);
            var plan = cycle.Run(snapshot);
            var at = $"iteration {iteration}";

            var jobs = snapshot.Pending.ToDictionary(j => j.Id);
            var nodes = snapshot.Nodes.ToDictionary(n => n.Node.Name);

            // Each job at most once, as it was read.
            Assert.True(plan.Placements.Select(p => p.JobId).Distinct().Count() == plan.Placements.Count, $"{at}: a job placed twice");
            foreach (var placement in plan.Placements)
            {
                var job = jobs[placement.JobId];
                Assert.True(placement.Version == job.Version && placement.Cpus == job.Cpus && placement.MemoryBytes == job.MemoryBytes,
                    $"{at}: placement {placement} does not match job {job}");
                Assert.True(nodes.TryGetValue(placement.Node, out var node) && node.Node.Schedulable,
                    $"{at}: job {placement.JobId} placed on unknown or drained node {placement.Node}");
            }

            // Never more than a node has free.
            foreach (var group in plan.Placements.GroupBy(p => p.Node))
            {
                var node = nodes[group.Key];
                Assert.True(group.Sum(p => p.Cpus) <= node.FreeCpus + CpuTolerance,
                    $"{at}: {group.Sum(p => p.Cpus)} cpus placed on {node.Node.Name}, {node.FreeCpus} free");
                Assert.True(group.Sum(p => p.MemoryBytes) <= node.FreeMemoryBytes,
                    $"{at}: {group.Sum(p => p.MemoryBytes)} bytes placed on {node.Node.Name}, {node.FreeMemoryBytes} free");
            }

            // No backfill: what is placed is a prefix of the FIFO order.
            var order = new FifoOrder().Order(snapshot).Select(j => j.Id).ToList();
            var placed = plan.Placements.Select(p => p.JobId).ToList();
            Assert.True(order.Take(placed.Count).SequenceEqual(placed), $"{at}: placements are not a FIFO prefix");

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
}
