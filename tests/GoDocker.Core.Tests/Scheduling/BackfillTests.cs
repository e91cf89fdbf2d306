using GoDocker.Scheduling;
using static GoDocker.Core.Tests.Scheduling.SchedulingBuilders;

namespace GoDocker.Core.Tests.Scheduling;

/// <summary>
/// Conservative backfill: the first jobs that do not fit get a reservation at the earliest time running jobs' walltimes
/// free enough room; a later job starts now only if it fits around every reservation for its whole walltime.
/// Every snapshot here is taken at <see cref="SchedulingBuilders.Now"/>, 09:00:00Z.
/// </summary>
public sealed class BackfillTests
{
    private static DateTimeOffset At(int hour, int minute) => new(2025, 1, 1, hour, minute, 0, TimeSpan.Zero);

    private static SchedulingCycle Backfill(int reservations = 50, TimeSpan? defaultWalltime = null) =>
        Cycle(options: new CycleOptions { Reservations = reservations, DefaultWalltime = defaultWalltime ?? TimeSpan.FromHours(1) });

    /// <summary>n1 (4 cpus) half held until 09:30 by job 100; job 1 wants the whole node for an hour.</summary>
    private static SnapshotBuilder HalfBusyUntil0930(params PendingJobBuilder[] behind) => Scene()
        .Nodes(Node("n1"))
        .Running(Running(100).Cpus(2).StartedAgo(30).Walltime(60))
        .Jobs(Job(1).Cpus(4).Walltime(60))
        .Jobs(behind);

    [Fact]
    public void TheBlockedHead_GetsAReservation_WhenTheRunningJobsFreeEnoughRoom()
    {
        var plan = Backfill().Run(HalfBusyUntil0930().Build());

        Assert.Empty(plan.Placements);
        Assert.Equal(At(9, 30), plan.ExpectedStarts[1]);
        Assert.Equal("waiting for resources: expected to start by 2025-01-01 09:30:00Z on n1 (reserved)", plan.PendingReasons[1]);
    }

    [Theory]
    [InlineData(20, true)]
    [InlineData(30, true)]    // ends exactly when the reservation begins
    [InlineData(31, false)]
    [InlineData(600, false)]
    public void ASmallJob_StartsAheadOfTheHead_OnlyIfItEndsBeforeTheReservation(int walltimeMinutes, bool backfilled)
    {
        var plan = Backfill().Run(HalfBusyUntil0930(Job(2).Cpus(2).Walltime(walltimeMinutes)).Build());

        Assert.Equal(backfilled ? [2L] : [], PlacedIds(plan));
        Assert.Equal(At(9, 30), plan.ExpectedStarts[1]);
        if (!backfilled)
        {
            // It waits for the head's hour to end.
            Assert.Equal(At(10, 30), plan.ExpectedStarts[2]);
        }
    }

    [Fact]
    public void WithoutBackfill_TheSameSmallJob_QueuesBehindTheHead()
    {
        var plan = StrictFifo().Run(HalfBusyUntil0930(Job(2).Cpus(2).Walltime(20)).Build());

        Assert.Empty(plan.Placements);
        Assert.Equal("queued behind job 1, which waits for resources", plan.PendingReasons[2]);
        Assert.Empty(plan.ExpectedStarts);
    }

    [Theory]
    [InlineData(20, true)]
    [InlineData(60, false)]
    public void AJobWithoutWalltime_IsAssumedToRunForTheDefaultWalltime(int defaultMinutes, bool backfilled)
    {
        var plan = Backfill(defaultWalltime: TimeSpan.FromMinutes(defaultMinutes)).Run(HalfBusyUntil0930(Job(2).Cpus(2)).Build());

        Assert.Equal(backfilled ? [2L] : [], PlacedIds(plan));
    }

    [Fact]
    public void ARunningJobWithoutWalltime_IsExpectedToEndAfterTheDefaultWalltime()
    {
        var scene = Scene().Nodes(Node("n1")).Running(Running(100).Cpus(4).StartedAgo(30)).Jobs(Job(1).Cpus(4));

        Assert.Equal(At(9, 30), Backfill(defaultWalltime: TimeSpan.FromHours(1)).Run(scene.Build()).ExpectedStarts[1]);
        Assert.Equal(At(10, 30), Backfill(defaultWalltime: TimeSpan.FromHours(2)).Run(scene.Build()).ExpectedStarts[1]);
    }

    [Fact]
    public void ARunningJobPastItsWalltime_IsExpectedToGiveItsRoomBackAtOnce()
    {
        var plan = Backfill().Run(Scene().Nodes(Node("n1")).Running(Running(100).Cpus(4).StartedAgo(120).Walltime(60)).Jobs(Job(1).Cpus(4)).Build());

        Assert.Equal(Now.AddTicks(1), plan.ExpectedStarts[1]);
    }

    [Fact]
    public void ALongJob_StartsBesideTheReservation_WhenTheNodeHasRoomForBoth()
    {
        // n1: 8 cpus, 4 held until 09:30; the head takes 6 from 09:30, which leaves 2 beside it for as long as needed.
        var plan = Backfill().Run(Scene()
            .Nodes(Node("n1").Cpus(8))
            .Running(Running(100).Cpus(4).StartedAgo(30).Walltime(60))
            .Jobs(Job(1).Cpus(6).Walltime(60), Job(2).Cpus(2).Walltime(600), Job(3).Cpus(1).Walltime(600))
            .Build());

        Assert.Equal([2L], PlacedIds(plan));
        Assert.Equal(At(9, 30), plan.ExpectedStarts[1]);
        // Job 3 would take the head's room at 09:30: it waits for the head to end.
        Assert.Equal(At(10, 30), plan.ExpectedStarts[3]);
    }

    [Fact]
    public void AGpuReservation_LeavesTheCpusFreeForOthers()
    {
        var plan = Backfill().Run(Scene()
            .Nodes(Node("g1").Cpus(8).Gpus(2))
            .Running(Running(100).On("g1").Gpus(2).StartedAgo(15).Walltime(60))
            .Jobs(Job(1).Gpus(2).Walltime(60), Job(2).Cpus(6).Walltime(600), Job(3).Cpus(1).Gpus(1).Walltime(10))
            .Build());

        Assert.Equal([2L], PlacedIds(plan));
        Assert.Equal(At(9, 45), plan.ExpectedStarts[1]);
        Assert.Equal(At(10, 45), plan.ExpectedStarts[3]);
    }

    [Theory]
    [InlineData(1, 9, 10)]   // 09:10: job 101 ends
    [InlineData(2, 9, 10)]
    [InlineData(3, 9, 40)]   // 09:40: jobs 101 and 102 have ended
    [InlineData(6, 9, 40)]
    [InlineData(7, 10, 0)]   // 10:00: the node is empty
    [InlineData(8, 10, 0)]
    public void TheExpectedStart_IsWhenTheRunningJobsHaveFreedEnoughRoom(double cpus, int hour, int minute)
    {
        var plan = Backfill().Run(Scene()
            .Nodes(Node("n1").Cpus(8))
            .Running(Running(101).Cpus(2).StartedAgo(50).Walltime(60), Running(102).Cpus(4).StartedAgo(20).Walltime(60), Running(103).Cpus(2).Walltime(60))
            .Jobs(Job(1).Cpus(cpus))
            .Build());

        Assert.Equal(At(hour, minute), plan.ExpectedStarts[1]);
    }

    [Fact]
    public void TheReservation_IsOnTheNodeThatFreesUpFirst()
    {
        var plan = Backfill().Run(Scene()
            .Nodes(Node("n1"), Node("n2"))
            .Running(Running(101).On("n1").Cpus(4).StartedAgo(10).Walltime(60), Running(102).On("n2").Cpus(3).StartedAgo(40).Walltime(60))
            .Jobs(Job(1).Cpus(2), Job(2).Cpus(4).Walltime(15))
            .Build());

        Assert.Empty(plan.Placements);
        Assert.Equal(At(9, 20), plan.ExpectedStarts[1]);
        Assert.EndsWith("on n2 (reserved)", plan.PendingReasons[1]);
        // n2 is taken from 09:20 by job 1, so job 2 (4 cpus) waits for n1 at 09:50.
        Assert.Equal(At(9, 50), plan.ExpectedStarts[2]);
        Assert.EndsWith("on n1 (reserved)", plan.PendingReasons[2]);
    }

    [Fact]
    public void OnlyTheFirstBlockedJobs_GetAReservation_UpToTheLimit()
    {
        var plan = Backfill(reservations: 2).Run(Scene()
            .Nodes(Node("n1"))
            .Running(Running(100).Cpus(4).StartedAgo(30).Walltime(60))
            .Jobs(Job(1).Cpus(4).Walltime(60), Job(2).Cpus(4).Walltime(60), Job(3).Cpus(4).Walltime(60))
            .Build());

        Assert.Equal([1L, 2L], plan.ExpectedStarts.Keys.Order());
        Assert.Equal([At(9, 30), At(10, 30)], [plan.ExpectedStarts[1], plan.ExpectedStarts[2]]);
        Assert.Equal("waiting for 4 cpus, 1 GiB on any node (0 of 4 cpus free on n1)", plan.PendingReasons[3]);
    }

    [Fact]
    public void BeyondTheLimit_AJobKeptOutByAReservation_SaysWhichJobHoldsTheNode()
    {
        var plan = Backfill(reservations: 1).Run(HalfBusyUntil0930(Job(2).Cpus(2).Walltime(60)).Build());

        Assert.Equal([1L], plan.ExpectedStarts.Keys);
        Assert.Equal("waiting for 2 cpus, 1 GiB on any node (n1 is reserved for an earlier job from 2025-01-01 09:30:00Z)", plan.PendingReasons[2]);
    }

    [Fact]
    public void BeyondTheLimit_JobsOfTheSameShape_GetTheSameReason()
    {
        var plan = Backfill(reservations: 1).Run(HalfBusyUntil0930(Job(2).Cpus(2).Walltime(60), Job(3).Cpus(2).Walltime(60)).Build());

        Assert.Equal(plan.PendingReasons[2], plan.PendingReasons[3]);
    }

    [Fact]
    public void WithNoReservations_NothingIsPromised_AndSmallJobsStillStart()
    {
        var plan = Backfill(reservations: 0).Run(HalfBusyUntil0930(Job(2).Cpus(2).Walltime(600)).Build());

        Assert.Equal([2L], PlacedIds(plan));
        Assert.Empty(plan.ExpectedStarts);
        Assert.StartsWith("waiting for 4 cpus, 1 GiB", plan.PendingReasons[1]);
    }

    [Fact]
    public void HeldAndDependentJobs_GetNoReservation_AndDoNotBlockBackfill()
    {
        var plan = Backfill(reservations: 1).Run(HalfBusyUntil0930()
            .Jobs(Job(0).Cpus(4).HeldBy("admin").SubmittedAt(T0.AddHours(-1)), Job(2).Cpus(2).Walltime(10))
            .Build());

        Assert.Equal([1L], plan.ExpectedStarts.Keys);
        Assert.Equal([2L], PlacedIds(plan));
    }

    [Fact]
    public void AJobQueuedBehindMany_IsPromisedTheStartAfterThemAll()
    {
        // Four one-hour whole-node jobs ahead on a full node that frees at 09:30: the fifth starts at 13:30.
        var jobs = Enumerable.Range(1, 5).Select(i => Job(i).Cpus(4).Walltime(60)).ToArray();
        var plan = Backfill().Run(Scene().Nodes(Node("n1")).Running(Running(100).Cpus(4).StartedAgo(30).Walltime(60)).Jobs(jobs).Build());

        Assert.Equal([At(9, 30), At(10, 30), At(11, 30), At(12, 30), At(13, 30)], Enumerable.Range(1, 5).Select(i => plan.ExpectedStarts[i]));
    }

    [Fact]
    public void AFitJob_IsPlacedWithoutAReservation()
    {
        var plan = Backfill().Run(Scene().Nodes(Node("n1")).Jobs(Job(1).Cpus(4).Walltime(60)).Build());

        Assert.Equal([1L], PlacedIds(plan));
        Assert.Empty(plan.ExpectedStarts);
        Assert.Empty(plan.PendingReasons);
    }
}
