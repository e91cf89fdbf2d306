using GoDocker.Jobs;
using GoDocker.Scheduling;
using static GoDocker.Core.Tests.Scheduling.SchedulingBuilders;

namespace GoDocker.Core.Tests.Scheduling;

/// <summary>The cycle as strict FIFO (no backfill): order, capacity, reasons. Backfill has its own tests.</summary>
public sealed class SchedulingCycleTests
{
    // SchedulingCycle.Pass.TryPlaceNow returns false before asking any node when the request exceeds the largest free
    // amount (maxFree) or an equal shape failed earlier in the pass (failedShapes); the reason must still name each
    // node's shortage as the full walk does (these tests found it did not, at first).
    private static readonly SchedulingCycle Fifo = StrictFifo();

    private static Plan Run(PendingJobBuilder[] jobs, NodeLoadBuilder[] nodes) => Fifo.Run(Snapshot(jobs, nodes));

    [Fact]
    public void NoPendingJobs_GiveTheEmptyPlan()
    {
        Assert.Same(Plan.Empty, Run([], [Node("n1")]));
        Assert.Same(Plan.Empty, Run([], []));
    }

    [Fact]
    public void FifoOrder_IsSubmitTime_ThenId()
    {
        var snapshot = Snapshot(
            [Job(3).SubmittedAt(T0), Job(1).SubmittedAt(T0.AddMinutes(1)), Job(2).SubmittedAt(T0), Job(4).SubmittedAt(T0.AddSeconds(-1))],
            []);

        var order = new FifoOrder().Rank(snapshot);

        Assert.Equal([4L, 2L, 3L, 1L], order.Select(r => r.Job.Id));
        Assert.All(order, r => Assert.Null(r.Factors));
        Assert.Equal("fifo", new FifoOrder().Name);
    }

    [Fact]
    public void FifoOrder_AnAdministratorsAdjustment_MovesAJobAhead_AndIsItsPriority()
    {
        var snapshot = Snapshot([Job(1), Job(2), Job(3).Adjust(5), Job(4).Adjust(-1), Job(5).Adjust(5)], []);

        var order = new FifoOrder().Rank(snapshot);

        Assert.Equal([3L, 5L, 1L, 2L, 4L], order.Select(r => r.Job.Id));
        Assert.Equal([5d, 5, 0, 0, -1], order.Select(r => r.Priority));
    }

    [Fact]
    public void TheRanking_IsInThePlan()
    {
        var plan = Run([Job(2), Job(1).Adjust(1)], [Node("n1")]);

        Assert.Equal([1L, 2L], plan.Ranking.Select(r => r.Job.Id));
        Assert.Equal([1L, 2L], PlacedIds(plan));
    }

    [Fact]
    public void TheEarliestSubmittedJob_GetsTheLastSlot_EvenWithAHigherId()
    {
        var plan = Run([Job(1).SubmittedAt(T0.AddMinutes(5)), Job(2).SubmittedAt(T0)], [Node("n1").Cpus(1)]);

        Assert.Equal([2L], PlacedIds(plan));
        Assert.StartsWith("waiting for 1 cpus, 1 GiB", plan.PendingReasons[1]);
    }

    [Fact]
    public void APlacement_CarriesTheJobsVersionAndRequest()
    {
        var plan = Run([Job(7).Version(5).Cpus(1.5).Mem("3G").Gpus(1)], [Node("n1").Gpus(2)]);

        var placement = Assert.Single(plan.Placements);
        Assert.Equal(new Placement(7, 5, "n1", new Resources(1.5, 3L << 30, 1)), placement);
        Assert.Empty(plan.PendingReasons);
    }

    [Fact]
    public void AJobThatDoesNotFit_BlocksTheOnesBehindIt_EvenIfTheyWouldFit()
    {
        // Slurm's main scheduler: no backfill, so job 2 (3 cpus) is not starved by job 3 (1 cpu).
        var plan = Run([Job(1).Cpus(2), Job(2).Cpus(3), Job(3).Cpus(1), Job(4).Cpus(0.5)], [Node("n1").Cpus(4)]);

        Assert.Equal([1L], PlacedIds(plan));
        Assert.StartsWith("waiting for 3 cpus, 1 GiB", plan.PendingReasons[2]);
        Assert.Equal("queued behind job 2, which waits for resources", plan.PendingReasons[3]);
        Assert.Equal("queued behind job 2, which waits for resources", plan.PendingReasons[4]);
        Assert.Empty(plan.ExpectedStarts);
    }

    [Fact]
    public void QueuedBehind_NamesTheBlocker_OnlyWhenItHasTheSameOwnerAndProject()
    {
        // Whoever may see job 3 or 4 (bob, his project's managers) may not see alice's job 2: it is not named.
        var plan = Run(
            [Job(1).Cpus(2), Job(2).Owner("alice").Cpus(3), Job(3).Owner("bob").Cpus(1), Job(4).Owner("alice").Project("genomics").Cpus(1), Job(5).Owner("alice").Cpus(1)],
            [Node("n1").Cpus(4)]);

        Assert.Equal("queued behind an earlier job of another user or project, which waits for resources", plan.PendingReasons[3]);
        Assert.Equal("queued behind an earlier job of another user or project, which waits for resources", plan.PendingReasons[4]);
        Assert.Equal("queued behind job 2, which waits for resources", plan.PendingReasons[5]);
    }

    [Fact]
    public void HeldAndWaitingJobs_DoNotBlockTheQueue()
    {
        var plan = Run([Job(1).HeldBy("admin"), Job(2).Cpus(8), Job(3)], [Node("n1").Cpus(4)]);

        Assert.Empty(plan.Placements);
        Assert.StartsWith("held by admin", plan.PendingReasons[1]);
        Assert.Equal("queued behind job 2, which waits for resources", plan.PendingReasons[3]);

        var unblocked = Run([Job(1).HeldBy("user"), Job(2)], [Node("n1").Cpus(4)]);
        Assert.Equal([2L], PlacedIds(unblocked));
    }

    [Fact]
    public void ABlockedJobsReason_NamesTheFreeMemory_WhenMemoryIsShort()
    {
        var plan = Run([Job(1).Cpus(1).Mem("6G")], [Node("n1").Cpus(4).Mem("8G").Used(1, "4G")]);

        Assert.Empty(plan.Placements);
        Assert.Equal("waiting for 1 cpus, 6 GiB on any node (4 GiB of 8 GiB memory free on n1)", plan.PendingReasons[1]);
    }

    [Fact]
    public void ABlockedJobsReason_NamesEveryNodesShortage()
    {
        var plan = Run([Job(1).Cpus(4)], [Node("b").Cpus(8).Used(6), Node("a").Cpus(2)]);

        Assert.Equal("waiting for 4 cpus, 1 GiB on any node (2 of 2 cpus free on a; 2 of 8 cpus free on b)", plan.PendingReasons[1]);
    }

    [Fact]
    public void WithNoNodes_TheReasonSaysSo()
    {
        var plan = Run([Job(1).Cpus(0.5).Mem("512M")], []);

        Assert.Contains("no node is configured", plan.PendingReasons[1]);
    }

    [Fact]
    public void AnUnschedulableNode_IsNamedInTheReason_WhenNothingElseFits()
    {
        var plan = Run([Job(1)], [Node("n1").Drained(), Node("n2").Cpus(0.5)]);

        Assert.Empty(plan.Placements);
        Assert.Equal("waiting for 1 cpus, 1 GiB on any node (node n1 is not accepting jobs; 0.5 of 0.5 cpus free on n2)", plan.PendingReasons[1]);
    }

    [Fact]
    public void WhenNoNodeHasEnoughOfAnything_TheReasonSaysSo()
    {
        var plan = Run([Job(1).Cpus(4)], [Node("b").Cpus(8).Used(6), Node("a").Cpus(2)]);

        Assert.Equal("waiting for 4 cpus, 1 GiB on any node (2 of 2 cpus free on a; 2 of 8 cpus free on b)", plan.PendingReasons[1]);
    }

    [Fact]
    public void WhenEachResourceIsFreeSomewhere_ButNotTogether_TheReasonNamesEachNodesShortage()
    {
        // a has the cpus but not the memory, b the memory but not the cpus.
        var plan = Run([Job(1).Cpus(2).Mem("8G")], [Node("b").Used(3), Node("a").Mem("2G")]);

        Assert.Empty(plan.Placements);
        Assert.Equal("waiting for 2 cpus, 8 GiB on any node (2 GiB of 2 GiB memory free on a; 1 of 4 cpus free on b)", plan.PendingReasons[1]);
    }

    [Fact]
    public void ARefusalReason_ListsAtMostThreeNodes()
    {
        var nodes = Enumerable.Range(1, 5).Select(i => Node($"n{i}").Cpus(2).Mem("1G").Used(0, "512M")).Append(Node("n6").Cpus(1)).ToArray();

        var reason = Run([Job(1).Cpus(2).Mem("1G")], nodes).PendingReasons[1];

        Assert.Equal(
            "waiting for 2 cpus, 1 GiB on any node (512 MiB of 1 GiB memory free on n1; 512 MiB of 1 GiB memory free on n2; 512 MiB of 1 GiB memory free on n3; …)",
            reason);
    }

    [Fact]
    public void ADrainedNode_IsNamedWithItsCause_WhenTheJobCouldOtherwiseGoThere()
    {
        var plan = Run([Job(1).Cpus(2).Mem("8G")], [Node("n1").Drained("drained by admin"), Node("n2").Cpus(8).Mem("4G"), Node("n3").Cpus(1)]);

        Assert.Equal(
            "waiting for 2 cpus, 8 GiB on any node (node n1 is not accepting jobs: drained by admin; 4 GiB of 4 GiB memory free on n2; 1 of 1 cpus free on n3)",
            plan.PendingReasons[1]);
    }

    [Fact]
    public void PlacementsConsumeCapacity_WithinOneCycle()
    {
        var jobs = Enumerable.Range(1, 9).Select(i => Job(i).Cpus(0.25).Mem("64M")).ToArray();

        var plan = Run(jobs, [Node("n1").Cpus(2)]);

        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], PlacedIds(plan));
        Assert.StartsWith("waiting for 0.25 cpus, 64 MiB", plan.PendingReasons[9]);
    }

    [Fact]
    public void FractionalCpus_FillANodeExactly_DespiteRounding()
    {
        // Summed in binary floating point, 19 x 0.1 leaves a hair less than 0.1 of 2 cpus free:
        // the twentieth must still fit, the twenty-first not.
        var jobs = Enumerable.Range(1, 21).Select(i => Job(i).Cpus(0.1).Mem("64M")).ToArray();

        var plan = Run(jobs, [Node("n1").Cpus(2)]);

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), PlacedIds(plan));
        Assert.True(plan.PendingReasons.ContainsKey(21));
    }

    [Fact]
    public void MemoryIsConsumedWithinOneCycle_Too()
    {
        var plan = Run([Job(1).Cpus(0.1).Mem("3G"), Job(2).Cpus(0.1).Mem("3G"), Job(3).Cpus(0.1).Mem("3G")], [Node("n1").Mem("8G")]);

        Assert.Equal([1L, 2L], PlacedIds(plan));
        Assert.StartsWith("waiting for 0.1 cpus, 3 GiB", plan.PendingReasons[3]);
    }

    [Fact]
    public void GpusAreConsumedWithinOneCycle_AndNamedInTheReason()
    {
        var plan = Run([Job(1).Gpus(1), Job(2).Gpus(1), Job(3).Gpus(1)], [Node("n1").Gpus(2), Node("n2").Cpus(16)]);

        Assert.Equal([1L, 2L], PlacedIds(plan));
        Assert.All(plan.Placements, p => Assert.Equal("n1", p.Node));
        Assert.StartsWith("waiting for 1 cpus, 1 GiB, 1 gpus", plan.PendingReasons[3]);
    }

    [Fact]
    public void AJobWithoutGpus_StillUsesAGpuNode()
    {
        var plan = Run([Job(1)], [Node("gpu").Gpus(4)]);

        Assert.Equal("gpu", Assert.Single(plan.Placements).Node);
    }

    [Fact]
    public void Spread_PicksTheLeastLoadedNode()
    {
        var plan = Run([Job(1)], [Node("n1").Cpus(8).Used(6), Node("n2").Cpus(8).Used(2)]);

        Assert.Equal("n2", Assert.Single(plan.Placements).Node);
    }

    [Fact]
    public void Spread_ComparesLoadRelativeToNodeSize()
    {
        // n1 has more cpus free (4 of 16) but is 75% loaded; n2 has 3 of 4 free, 25% loaded.
        var plan = Run([Job(1)], [Node("n1").Cpus(16).Used(12), Node("n2").Cpus(4).Used(1)]);

        Assert.Equal("n2", Assert.Single(plan.Placements).Node);
    }

    [Fact]
    public void Spread_AlternatesAcrossEqualNodes_AsPlacementsConsumeCapacity()
    {
        var plan = Run([Job(1), Job(2), Job(3), Job(4)], [Node("n2"), Node("n1")]);

        Assert.Equal(["n1", "n2", "n1", "n2"], plan.Placements.Select(p => p.Node));
    }

    [Fact]
    public void Spread_OnEqualCpus_PrefersMoreFreeMemory()
    {
        var plan = Run([Job(1)], [Node("n1").Used(0, "8G"), Node("n2").Used(0, "2G")]);

        Assert.Equal("n2", Assert.Single(plan.Placements).Node);
    }

    [Fact]
    public void AnUnschedulableNode_IsSkipped()
    {
        var plan = Run([Job(1)], [Node("n1").Cpus(64).Drained(), Node("n2").Cpus(2).Used(1)]);

        Assert.Equal("n2", Assert.Single(plan.Placements).Node);
    }

    [Fact]
    public void UnchangedReasons_AreNotEmittedAgain()
    {
        PendingJobBuilder[] jobs = [Job(1).Cpus(2), Job(2).Cpus(3), Job(3).Cpus(1)];
        NodeLoadBuilder[] nodes = [Node("n1").Cpus(4)];
        var first = Run(jobs, nodes);
        Assert.Equal([2L, 3L], first.PendingReasons.Keys.Order());

        // Next cycle: job 1 now runs; jobs 2 and 3 carry the reasons the first cycle gave them.
        var second = Run(
            [Job(2).Cpus(3).Reason(first.PendingReasons[2]), Job(3).Cpus(1).Reason(first.PendingReasons[3])],
            [Node("n1").Cpus(4).Used(2)]);

        Assert.Empty(second.Placements);
        Assert.Empty(second.PendingReasons);
    }

    [Fact]
    public void ChangedReasons_AreEmitted()
    {
        var plan = Run([Job(1).Cpus(8).Reason("submitted, waiting for the scheduler"), Job(2).Reason("stale")], [Node("n1")]);

        Assert.StartsWith("waiting for 8 cpus, 1 GiB", plan.PendingReasons[1]);
        Assert.Equal("queued behind job 1, which waits for resources", plan.PendingReasons[2]);
    }

    [Fact]
    public void APlacedJob_GetsNoPendingReason()
    {
        var plan = Run([Job(1).Reason("waiting for 1 cpus, 1 GiB on any node (0 of 4 cpus free on n1)")], [Node("n1")]);

        Assert.Single(plan.Placements);
        Assert.Empty(plan.PendingReasons);
    }

    [Fact]
    public void Run_DoesNotChangeTheSnapshot()
    {
        var snapshot = Snapshot([Job(1).Cpus(2), Job(2).Cpus(2)], [Node("n1").Cpus(4).Used(0)]);

        Fifo.Run(snapshot);
        var again = Fifo.Run(snapshot);

        Assert.Equal(0, snapshot.Nodes[0].Used.Cpus);
        Assert.Equal(2, again.Placements.Count);
    }
}
