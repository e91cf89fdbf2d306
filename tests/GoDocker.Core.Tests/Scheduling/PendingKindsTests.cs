using GoDocker.Jobs;
using GoDocker.Scheduling;
using static GoDocker.Core.Tests.Scheduling.SchedulingBuilders;

namespace GoDocker.Core.Tests.Scheduling;

public sealed class PendingKindsTests
{
    /// <summary>Every sentence a pending job can carry, as its producer writes it (the cycle tests assert these exactly).</summary>
    public static TheoryData<string?, PendingKind> Reasons => new()
    {
        { null, PendingKind.Scheduler },
        { JobLifecycle.SubmittedReason, PendingKind.Scheduler },
        { JobLifecycle.ReleasedReason, PendingKind.Scheduler },
        { JobLifecycle.RequeuedReason, PendingKind.Scheduler },
        { "requeued by alice", PendingKind.Scheduler },
        { "requeued: node n1 down (unreachable since 2025-01-01 08:00:00 UTC)", PendingKind.Scheduler },
        { JobLifecycle.HeldReason("admin"), PendingKind.Held },
        { "held by user (godocker release 1)", PendingKind.Held },
        { "dependency afterok:2 not satisfied yet (job 2 is Running)", PendingKind.Dependency },
        { "user quota: 2/2 jobs running", PendingKind.Quota },
        { "project quota (ml): 5/5 cpus running, this job asks 2", PendingKind.Quota },
        { "user quota: 10/10 cpu-hours used in the last 30 days", PendingKind.Quota },
        { "array 100: 3/3 tasks running (%3)", PendingKind.ArrayLimit },
        { "queued behind job 1, which waits for resources", PendingKind.Priority },
        { "queued behind an earlier job of another user or project, which waits for resources", PendingKind.Priority },
        { "waiting for resources: expected to start by 2025-01-01 09:30:00Z on n1 (reserved)", PendingKind.Resources },
        { "waiting for 4 cpus, 1 GiB on any node (0 of 4 cpus free on n1)", PendingKind.Resources },
        { "waiting for 2 cpus, 1 GiB on any node (n1 is reserved for an earlier job from 2025-01-01 09:30:00Z)", PendingKind.Resources },
        { "waiting for 1 cpus, 1 GiB on any node (a does not meet disk==ssd; 0 of 4 cpus free on b)", PendingKind.Resources },
        { "no node can run it now or later (a does not meet disk==ssd)", PendingKind.Unplaceable },
        { "waiting for a node that takes no jobs now (b: unreachable: connection refused)", PendingKind.NodeUnavailable },
        { "waiting for 1 cpus, 1 GiB: no node is configured", PendingKind.NodeUnavailable },
        { "node n1 unreachable (connection refused); waiting for a node to take it", PendingKind.NodeUnavailable },
        { "node n1 down (unreachable since 2025-01-01 08:00:00 UTC): placement returned, waiting for a node to take it", PendingKind.NodeUnavailable },
        { "waiting: job directories' filesystem has 1 GiB free, below Server:MinFreeSpace 2 GiB", PendingKind.DiskSpace },
        { "the site's own plugin says no", PendingKind.Other },
    };

    [Theory]
    [MemberData(nameof(Reasons))]
    public void Of_ReadsTheKind_FromTheReasonsOpening(string? reason, PendingKind kind) => Assert.Equal(kind, PendingKinds.Of(reason));

    [Fact]
    public void Of_KnowsTheReasons_ARealCycleWrites()
    {
        var plan = StrictFifo().Run(Scene()
            .Jobs(
                Job(1).HeldBy("user"),
                Job(2).After("afterok:90"),
                Job(3).Array(100, 1),
                Job(4).Cpus(3),
                Job(5),
                Job(6).Constraint("disk==ssd"))
            .Running(Running(50).Array(100).Cpus(2))
            .Dependency(90, JobState.Running)
            .Nodes(Node("n1").Label("disk", "hdd"))
            .Build());

        Assert.Empty(plan.Placements);
        Assert.Equal(
            new Dictionary<long, PendingKind>
            {
                [1] = PendingKind.Held, [2] = PendingKind.Dependency, [3] = PendingKind.ArrayLimit, [4] = PendingKind.Resources,
                [5] = PendingKind.Priority, [6] = PendingKind.Priority,
            },
            plan.PendingReasons.ToDictionary(r => r.Key, r => PendingKinds.Of(r.Value)));
    }

    [Fact]
    public void Count_TakesThePlansReason_OrTheOneKept_AndLeavesOutPlacedAndRejectedJobs()
    {
        var pending = Scene().Jobs(Job(1).Reason("held by user"), Job(2).Reason(JobLifecycle.SubmittedReason), Job(3), Job(4), Job(5).Reason("user quota: 1/1 jobs running")).Build().Pending;
        var plan = new Plan([new Placement(3, 1, "n1", new Resources(1, 1, 0))], new Dictionary<long, string> { [2] = "queued behind job 1, which waits for resources" })
        {
            Rejections = new Dictionary<long, string> { [4] = "dependency never satisfied: afterok:9 (no such job)" },
        };

        var counts = PendingKinds.Count(pending, plan);

        Assert.Equal(new Dictionary<PendingKind, int> { [PendingKind.Held] = 1, [PendingKind.Priority] = 1, [PendingKind.Quota] = 1 }, counts);
    }

    [Fact]
    public void Label_IsSnakeCase_AndDistinctPerKind()
    {
        Assert.Equal("node_unavailable", PendingKind.NodeUnavailable.Label());
        Assert.Equal(Enum.GetValues<PendingKind>().Length, Enum.GetValues<PendingKind>().Select(k => k.Label()).Distinct().Count());
    }
}
