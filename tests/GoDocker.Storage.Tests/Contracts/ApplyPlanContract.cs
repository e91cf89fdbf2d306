using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Storage;
using static GoDocker.Storage.Tests.Contracts.SpecBuilder;

namespace GoDocker.Storage.Tests.Contracts;

public abstract class ApplyPlanContract(IJobStoreProvider provider) : JobStoreTest(provider)
{
    [Fact]
    public async Task APlacement_MakesThePendingJobScheduled_AsAttempt1()
    {
        var job = await SubmitAsync();
        Time.Advance(TimeSpan.FromSeconds(5));

        var applied = await ApplyAsync(Place(job, "n2"));

        Assert.Equal([new AppliedPlacement(job.Id, 1, "n2")], applied);
        var stored = await GetAsync(job);
        Assert.Equal(JobState.Scheduled, stored.State);
        Assert.Equal("n2", stored.Node);
        Assert.Equal(1, stored.Attempt);
        Assert.Equal(2, stored.Version);
        Assert.Equal(Start.AddSeconds(5), stored.ScheduledAt);
        Assert.Null(stored.Reason);
        var scheduled = (await Store.GetEventsAsync(job.Id, Ct))[^1];
        Assert.Equal("scheduled", scheduled.Kind);
        Assert.Contains("n2", scheduled.Message);
    }

    [Fact]
    public async Task APlacementReadAtAStaleVersion_IsRefused_AndTheJobStaysPending()
    {
        var readByTheScheduler = await SubmitAsync();
        // Meanwhile the job was scheduled and given back: Pending again, at version 3.
        var requeued = await MoveAsync(await ScheduleAsync(readByTheScheduler), JobState.Pending, "requeued");
        var eventsBefore = await EventKindsAsync(requeued);

        var applied = await ApplyAsync(Place(readByTheScheduler, "n1"));

        Assert.Empty(applied);
        var stored = await GetAsync(requeued);
        Assert.Equal((JobState.Pending, 3L, 1), (stored.State, stored.Version, stored.Attempt));
        Assert.Equal(eventsBefore, await EventKindsAsync(requeued));
    }

    [Fact]
    public async Task ThePlanAppliedTwice_SchedulesOnce()
    {
        var job = await SubmitAsync();
        var plan = PlanOf(Place(job, "n1"));

        Assert.Single(await Store.ApplyPlanAsync(plan, Nodes, Ct));
        Assert.Empty(await Store.ApplyPlanAsync(plan, Nodes, Ct));

        Assert.Equal(1, (await GetAsync(job)).Attempt);
    }

    [Fact]
    public async Task APlacementForAJobNoLongerPending_IsRefused()
    {
        var killed = await JobInStateAsync(JobState.Killed);

        Assert.Empty(await ApplyAsync(Place(killed, "n1") with { Version = killed.Version }));
        Assert.Equal(JobState.Killed, (await GetAsync(killed)).State);
    }

    [Theory]
    [InlineData(JobState.Scheduled)]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Suspended)]
    public async Task APlacementThatWouldOverfillTheNode_GivenWhatItAlreadyHolds_IsRefused(JobState holder)
    {
        await JobInStateAsync(holder, ASpec().Cpus(3), node: "n1");
        var late = await SubmitAsync(ASpec().Cpus(2));

        // A plan made from an older snapshot, when n1 still looked empty.
        Assert.Empty(await ApplyAsync(Place(late, "n1")));

        Assert.Equal(JobState.Pending, (await GetAsync(late)).State);
    }

    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Archived)]
    public async Task AnEndedJob_HoldsNothing(JobState ended)
    {
        await JobInStateAsync(ended, ASpec().Cpus(3).Mem("12G"), node: "n1");
        var next = await SubmitAsync(ASpec().Cpus(4).Mem("16G"));

        Assert.Single(await ApplyAsync(Place(next, "n1")));
    }

    [Fact]
    public async Task MemoryIsReChecked_Too()
    {
        await JobInStateAsync(JobState.Running, ASpec().Cpus(1).Mem("12G"), node: "n1");
        var late = await SubmitAsync(ASpec().Cpus(1).Mem("5G"));
        var fits = await SubmitAsync(ASpec().Cpus(1).Mem("4G"));

        var applied = await ApplyAsync(Place(late, "n1"), Place(fits, "n1"));

        Assert.Equal([fits.Id], applied.Select(a => a.JobId));
    }

    [Fact]
    public async Task PlacementsInOnePlan_CountAgainstEachOther()
    {
        var first = await SubmitAsync(ASpec().Cpus(3));
        var second = await SubmitAsync(ASpec().Cpus(3));
        var elsewhere = await SubmitAsync(ASpec().Cpus(3));

        var applied = await ApplyAsync(Place(first, "n1"), Place(second, "n1"), Place(elsewhere, "n2"));

        Assert.Equal([first.Id, elsewhere.Id], applied.Select(a => a.JobId));
        Assert.Equal(JobState.Pending, (await GetAsync(second)).State);
    }

    [Fact]
    public async Task ANodeFilledExactlyByFractionalCpus_StillTakesTheLastJob()
    {
        // Summed in binary floating point, 19 x 0.1 leaves a hair less than 0.1 of 2 cpus free.
        var jobs = new List<Job>();
        for (var i = 0; i < 21; i++)
        {
            jobs.Add(await SubmitAsync(ASpec().Cpus(0.1).Mem("64M")));
        }

        var applied = await Store.ApplyPlanAsync(PlanOf([.. jobs.Select(j => Place(j, "n1"))]), [new NodeInfo("n1", new Resources(2, 16 * GiB, 0))], Ct);

        Assert.Equal(jobs.Take(20).Select(j => j.Id), applied.Select(a => a.JobId));
    }

    [Fact]
    public async Task APlacementOnAnUnknownOrDrainedNode_IsRefused()
    {
        var toUnknown = await SubmitAsync();
        var toDrained = await SubmitAsync();
        IReadOnlyList<NodeInfo> nodes = [new("n1", new Resources(4, 16 * GiB, 0)) { Schedulable = false }];

        var applied = await Store.ApplyPlanAsync(PlanOf(Place(toUnknown, "n9"), Place(toDrained, "n1")), nodes, Ct);

        Assert.Empty(applied);
        Assert.Equal(JobState.Pending, (await GetAsync(toUnknown)).State);
        Assert.Equal(JobState.Pending, (await GetAsync(toDrained)).State);
    }

    [Fact]
    public async Task PendingReasons_AreRecorded_OnlyOnJobsStillPending()
    {
        var waiting = await SubmitAsync();
        var running = await JobInStateAsync(JobState.Running);
        var reasons = new Dictionary<long, string>
        {
            [waiting.Id] = "waiting for 8 cpus, 1 GiB on any node (4 of 4 cpus free on n1)",
            [running.Id] = "should not land",
        };

        await Store.ApplyPlanAsync(new Plan([], reasons), Nodes, Ct);

        Assert.Equal(reasons[waiting.Id], (await GetAsync(waiting)).Reason);
        Assert.Null((await GetAsync(running)).Reason);
    }

    [Fact]
    public async Task APlanFromTheCycle_AppliesAsPlanned()
    {
        // The real pairing: the store's snapshot, the pure cycle, the store's applier.
        var big = await SubmitAsync(ASpec().Cpus(3));
        var small = await SubmitAsync(ASpec().Cpus(2));
        var behind = await SubmitAsync(ASpec().Cpus(1));
        var input = await Store.ReadSchedulingInputAsync(Ct);
        IReadOnlyList<NodeInfo> nodes = [new("n1", new Resources(4, 16 * GiB, 0))];
        var loads = nodes.Select(n => new NodeLoad(n, input.UsageByNode.GetValueOrDefault(n.Name))).ToList();
        var cycle = new SchedulingCycle(new FifoOrder(), SchedulingCycle.StandardAdmissions, SchedulingCycle.StandardFilters, new SpreadScorer(), new CycleOptions { Backfill = false });

        var plan = cycle.Run(new SchedulingSnapshot(input.Pending, loads, Time.GetUtcNow()));
        var applied = await Store.ApplyPlanAsync(plan, nodes, Ct);

        Assert.Equal([big.Id], applied.Select(a => a.JobId));
        Assert.StartsWith("waiting for 2 cpus", (await GetAsync(small)).Reason);
        Assert.Equal($"queued behind job {small.Id}, which waits for resources", (await GetAsync(behind)).Reason);
    }

    [Fact]
    public async Task AnEmptyPlan_WritesNothing()
    {
        var job = await SubmitAsync();

        Assert.Empty(await Store.ApplyPlanAsync(Plan.Empty, Nodes, Ct));
        Assert.Equal(job with { Spec = null! }, (await GetAsync(job)) with { Spec = null! });
    }
}
