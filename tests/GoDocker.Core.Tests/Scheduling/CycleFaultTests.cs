using GoDocker.Scheduling;
using static GoDocker.Core.Tests.Scheduling.SchedulingBuilders;

namespace GoDocker.Core.Tests.Scheduling;

/// <summary>
/// One job can never stop the scheduling of the others: a value that slipped past validation, a plugin that throws on
/// one job, or conditions the store could not read back end that job Rejected with the reason; the rest are placed.
/// </summary>
public sealed class CycleFaultTests
{
    [Fact]
    public void AWaitingJob_BehindARunningJobOf5000000Days_GetsAReason_AndTheOthersArePlaced()
    {
        // 5000000d was accepted at submit: its expected end lies past year 9999, and a job waiting for its cpus got an
        // expected start there, which no DateTimeOffset holds: every cycle threw, nobody's job started.
        var huge = Running(9).On("n1").Cpus(4).Build() with { WalltimeSeconds = 5_000_000L * 86400 };
        var snapshot = Scene().Jobs(Job(1).Constraint("zone==a"), Job(2)).Nodes(Node("n1").Label("zone", "a"), Node("n2")).Build();
        snapshot = snapshot with
        {
            Running = [huge],
            Nodes = [.. snapshot.Nodes.Select(n => n.Node.Name == "n1" ? n with { Used = n.Used with { Cpus = 4 } } : n)],
        };

        var plan = Cycle().Run(snapshot);

        Assert.Equal([2L], PlacedIds(plan));
        Assert.StartsWith("waiting for resources: expected to start by 9999-12-31", plan.PendingReasons[1]);
        Assert.Empty(plan.Rejections);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MaxValue / TimeSpan.TicksPerSecond + 1)]
    [InlineData(-1L)]
    public void AWalltimeNoValidationAllows_IsTakenAsTheLongestOrShortest_AndNeverThrows(long seconds)
    {
        foreach (var backfill in new[] { true, false })
        {
            var snapshot = Snapshot([Job(1), Job(2).Cpus(4), Job(3)], [Node("n1")]);
            snapshot = snapshot with
            {
                Pending = [.. snapshot.Pending.Select(j => j.Id == 2 ? j with { WalltimeSeconds = seconds } : j)],
                Running = [Running(9).On("n1").Cpus(0.5).Build() with { WalltimeSeconds = seconds }],
            };

            var plan = Cycle(options: new CycleOptions { Backfill = backfill }).Run(snapshot);

            // Job 2 (all of n1's cpus) waits; job 3 starts beside job 1 with backfill, is blocked behind job 2 without.
            Assert.Equal(backfill ? [1L, 3L] : [1L], PlacedIds(plan));
            Assert.Empty(plan.Faults);
            Assert.Empty(plan.Rejections);
        }
    }

    [Fact]
    public void AnAdmissionThatThrowsOnOneJob_RejectsThatJob_WithTheReason_AndPlacesTheOthers()
    {
        var cycle = new SchedulingCycle(new FifoOrder(), [new ThrowingAdmission(2)], SchedulingCycle.StandardFilters, new SpreadScorer(), new CycleOptions());

        var plan = cycle.Run(Snapshot([Job(1), Job(2), Job(3)], [Node("n1")]));

        Assert.Equal([1L, 3L], PlacedIds(plan));
        Assert.Equal("the scheduler cannot evaluate this job: Arithmetic operation resulted in an overflow.", plan.Rejections[2]);
        Assert.IsType<OverflowException>(Assert.Single(plan.Faults).Value);
        Assert.Equal(2, plan.Faults.Keys.Single());
        Assert.DoesNotContain(2L, plan.PendingReasons.Keys);
    }

    [Fact]
    public void AnOrderThatThrowsOnOneJob_RejectsThatJob_AndRanksThePlacesTheOthers()
    {
        var cycle = Cycle(new ThrowingOrder(2), options: new CycleOptions { Backfill = false });

        var plan = cycle.Run(Snapshot([Job(1), Job(2), Job(3)], [Node("n1")]));

        Assert.Equal([1L, 3L], PlacedIds(plan));
        Assert.Equal([1L, 3L], plan.Ranking.Select(r => r.Job.Id));
        Assert.StartsWith("the scheduler cannot evaluate this job: ", plan.Rejections[2]);
    }

    [Fact]
    public void AnOrderThatThrowsWhateverTheJobs_IsTheCyclesFault_NotAJobs()
    {
        var cycle = Cycle(new ThrowingOrder(null));

        Assert.Throws<OverflowException>(() => cycle.Run(Snapshot([Job(1), Job(2)], [Node("n1")])));
    }

    [Fact]
    public void AJobWhoseConditionsTheStoreCouldNotRead_IsRejectedSayingSo_EvenBehindABlocker()
    {
        var snapshot = Snapshot([Job(1).Cpus(8), Job(2), Job(3)], [Node("n1")]);
        snapshot = snapshot with
        {
            Pending = [.. snapshot.Pending.Select(j => j.Id == 3 ? j with { Unreadable = "its stored constraints 'x' cannot be read back" } : j)],
        };

        var plan = StrictFifo().Run(snapshot);

        Assert.Empty(plan.Placements);
        Assert.Equal("its stored constraints 'x' cannot be read back", plan.Rejections[3]);
        Assert.StartsWith("queued behind job 1", plan.PendingReasons[2]);
    }

    private sealed class ThrowingAdmission(long jobId) : IAdmission
    {
        public string Name => "throwing";

        public Verdict Admit(PendingJob job, CycleLedger ledger) =>
            job.Id == jobId ? throw new OverflowException() : Verdict.Ok;
    }

    /// <summary>FIFO, but throws when job <c>jobId</c> is in the queue (any job, when null).</summary>
    private sealed class ThrowingOrder(long? jobId) : IQueueOrder
    {
        public string Name => "throwing";

        public IReadOnlyList<RankedJob> Rank(SchedulingSnapshot snapshot) =>
            snapshot.Pending.Any(j => jobId is null || j.Id == jobId) ? throw new OverflowException() : new FifoOrder().Rank(snapshot);
    }
}
