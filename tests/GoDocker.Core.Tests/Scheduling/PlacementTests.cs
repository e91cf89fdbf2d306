using GoDocker.Scheduling;
using static GoDocker.Core.Tests.Scheduling.SchedulingBuilders;

namespace GoDocker.Core.Tests.Scheduling;

/// <summary>Constraints, the placement filters and the pack and spread scorers.</summary>
public sealed class PlacementTests
{
    public static TheoryData<string, string, string, bool> Parsed() => new()
    {
        { "disk==ssd", "disk", "ssd", true },
        { "gpu!=k80", "gpu", "k80", false },
        { " disk == ssd ", "disk", "ssd", true },
        { "node.zone!=eu-west-1", "node.zone", "eu-west-1", false },
    };

    [Theory]
    [MemberData(nameof(Parsed))]
    public void Constraint_Parses_LabelEqualsOrNotEqualsValue(string text, string label, string value, bool equal)
    {
        Assert.True(Constraint.TryParse(text, out var constraint, out var error));

        Assert.Null(error);
        Assert.Equal(new Constraint(label, value, equal), constraint);
        Assert.Equal($"{label}{(equal ? "==" : "!=")}{value}", constraint.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("disk")]
    [InlineData("disk=ssd")]
    [InlineData("==ssd")]
    [InlineData("disk==")]
    [InlineData("disk==  ")]
    [InlineData("  !=k80")]
    [InlineData("disk<>ssd")]
    public void Constraint_RejectsAnythingElse(string text)
    {
        Assert.False(Constraint.TryParse(text, out _, out var error));

        Assert.Equal($"'{text}' is not LABEL==VALUE or LABEL!=VALUE", error);
    }

    [Theory]
    [InlineData("disk==ssd", true)]
    [InlineData("disk==hdd", false)]
    [InlineData("disk==SSD", false)]   // values are case-sensitive
    [InlineData("gpu==k80", false)]    // absent label: never equal
    [InlineData("disk!=hdd", true)]
    [InlineData("disk!=ssd", false)]
    [InlineData("gpu!=k80", true)]     // absent label: always different
    public void Constraint_IsMetBy_TheNodesLabels(string text, bool met)
    {
        Assert.True(Constraint.TryParse(text, out var constraint, out _));
        var node = Node("n1").Label("disk", "ssd").Label("zone", "eu").Build().Node;

        Assert.Equal(met, constraint.IsMetBy(node));
    }

    [Fact]
    public void ConstraintFilter_NamesTheFirstUnmetConstraint()
    {
        var node = Node("n1").Label("disk", "ssd").Build();
        var filter = new ConstraintFilter();

        Assert.Equal(Verdict.Ok, filter.Filter(Job(1).Build(), node));
        Assert.Equal(Verdict.Ok, filter.Filter(Job(1).Constraint("disk==ssd").Constraint("gpu!=k80").Build(), node));
        Assert.Equal(Verdict.Unschedulable("n1 does not meet zone==eu"), filter.Filter(Job(1).Constraint("disk==ssd").Constraint("zone==eu").Constraint("disk==hdd").Build(), node));
        Assert.Equal("constraints", filter.Name);
    }

    [Fact]
    public void AConstrainedJob_GoesToAMatchingNode_EvenIfBusier()
    {
        var plan = Cycle().Run(Scene()
            .Jobs(Job(1).Constraint("disk==ssd"), Job(2))
            .Nodes(Node("empty"), Node("ssd").Label("disk", "ssd").Used(3))
            .Build());

        Assert.Equal([("ssd", 1L), ("empty", 2L)], plan.Placements.Select(p => (p.Node, p.JobId)));
    }

    [Fact]
    public void AConstrainedJob_WaitsForAMatchingNode_WithTheReasonOfEach()
    {
        var plan = StrictFifo().Run(Scene()
            .Jobs(Job(1).Constraint("disk==ssd"))
            .Nodes(Node("a").Label("disk", "hdd"), Node("b").Label("disk", "ssd").Used(4))
            .Build());

        Assert.Empty(plan.Placements);
        Assert.Equal("waiting for 1 cpus, 1 GiB on any node (a does not meet disk==ssd; 0 of 4 cpus free on b)", plan.PendingReasons[1]);
    }

    [Fact]
    public void WithBackfill_AJobNoNodeCanEverRun_SaysSo_AndDoesNotBlockOthers()
    {
        var plan = Cycle().Run(Scene()
            .Jobs(Job(1).Constraint("disk==ssd"), Job(2).Cpus(16), Job(3))
            .Nodes(Node("a").Label("disk", "hdd"), Node("b").Drained("unreachable: connection refused"))
            .Build());

        Assert.Equal([3L], PlacedIds(plan));
        Assert.Equal("no node can run it now or later (a does not meet disk==ssd)", plan.PendingReasons[1]);
        Assert.Equal("no node can run it now or later (4 of 4 cpus free on a)", plan.PendingReasons[2]);
        Assert.Empty(plan.ExpectedStarts);
    }

    [Fact]
    public void WithBackfill_AJobOnlyANodeThatTakesNoJobsNowCouldRun_WaitsForIt_NotNever()
    {
        var plan = Cycle().Run(Scene()
            .Jobs(Job(1).Constraint("disk==ssd"), Job(2).Constraint("disk==ssd"), Job(3).Constraint("disk==nvme"))
            .Nodes(Node("a").Label("disk", "hdd"), Node("b").Label("disk", "ssd").Drained("in error (swarm node b is pause in the swarm)"))
            .Build());

        Assert.Empty(plan.Placements);
        Assert.All([plan.PendingReasons[1], plan.PendingReasons[2]], reason => Assert.Equal(
            "waiting for a node that takes no jobs now (node b is not accepting jobs: in error (swarm node b is pause in the swarm))", reason));
        Assert.Equal("no node can run it now or later (a does not meet disk==nvme)", plan.PendingReasons[3]);
    }

    public static TheoryData<NodeLoad, PendingJob, string?> Fits() => new()
    {
        { Node("n1").Build(), Job(1).Cpus(4).Mem("16G").Build(), null },
        { Node("n1").Used(3.5).Build(), Job(1).Cpus(0.5).Build(), null },
        { Node("n1").Used(3.5).Build(), Job(1).Cpus(1).Build(), "0.5 of 4 cpus free on n1" },
        { Node("n1").Used(5).Build(), Job(1).Cpus(1).Build(), "0 of 4 cpus free on n1" },          // overcommitted: never a negative amount
        { Node("n1").Used(0, "15G").Build(), Job(1).Cpus(1).Mem("2G").Build(), "1 GiB of 16 GiB memory free on n1" },
        { Node("n1").Gpus(2).Used(0, "0", 1).Build(), Job(1).Gpus(1).Build(), null },
        { Node("n1").Gpus(2).Used(0, "0", 2).Build(), Job(1).Gpus(1).Build(), "0 of 2 gpus free on n1" },
        { Node("n1").Build(), Job(1).Gpus(1).Build(), "0 of 0 gpus free on n1" },
        { Node("n1").Drained().Build(), Job(1).Build(), "node n1 is not accepting jobs" },
        { Node("n1").Drained("drained by admin").Build(), Job(1).Build(), "node n1 is not accepting jobs: drained by admin" },
    };

    [Theory]
    [MemberData(nameof(Fits))]
    public void ANode_TakesWhatIsFreeNow_OrNamesWhatIsShort(NodeLoad node, PendingJob job, string? reason)
    {
        Assert.Equal(reason, node.Refusal(job.Request));
        Assert.Equal(reason is null, node.Takes(job.Request));
    }

    [Fact]
    public void AFilterOfAPlugin_IsAskedForEveryNode_AndItsReasonShown()
    {
        var cycle = new SchedulingCycle(new FifoOrder(), SchedulingCycle.StandardAdmissions,
            [.. SchedulingCycle.StandardFilters, new NoNodeNamed("n1", "n1 is for the night shift")], new SpreadScorer(), new CycleOptions { Backfill = false });

        var plan = cycle.Run(Snapshot([Job(1), Job(2).Cpus(3)], [Node("n1"), Node("n2").Cpus(2)]));

        Assert.Equal([("n2", 1L)], plan.Placements.Select(p => (p.Node, p.JobId)));
        Assert.Equal("waiting for 3 cpus, 1 GiB on any node (n1 is for the night shift; 1 of 2 cpus free on n2)", plan.PendingReasons[2]);
    }

    private sealed class NoNodeNamed(string name, string reason) : IPlacementFilter
    {
        public string Name => "no-" + name;
        public Verdict Filter(PendingJob job, NodeLoad node) => node.Node.Name == name ? Verdict.Unschedulable(reason) : Verdict.Ok;
    }

    [Fact]
    public void Spread_And_Pack_PickOppositeNodes()
    {
        NodeLoadBuilder[] nodes = [Node("busy").Cpus(8).Used(6), Node("idle").Cpus(8).Used(2)];

        var spread = Cycle(scorer: new SpreadScorer()).Run(Snapshot([Job(1)], nodes));
        var pack = Cycle(scorer: new PackScorer()).Run(Snapshot([Job(1)], nodes));

        Assert.Equal("idle", Assert.Single(spread.Placements).Node);
        Assert.Equal("busy", Assert.Single(pack.Placements).Node);
        Assert.Equal(("spread", "pack"), (new SpreadScorer().Name, new PackScorer().Name));
    }

    [Fact]
    public void Pack_FillsANodeBeforeTheNext_Spread_Alternates()
    {
        var jobs = Enumerable.Range(1, 4).Select(i => Job(i)).ToArray();
        NodeLoadBuilder[] nodes = [Node("n1"), Node("n2")];

        Assert.Equal(["n1", "n1", "n1", "n1"], Cycle(scorer: new PackScorer()).Run(Snapshot(jobs, nodes)).Placements.Select(p => p.Node));
        Assert.Equal(["n1", "n2", "n1", "n2"], Cycle(scorer: new SpreadScorer()).Run(Snapshot(jobs, nodes)).Placements.Select(p => p.Node));
    }

    [Fact]
    public void Pack_KeepsAWholeNodeFree_ForALargeJob_WhereSpreadDoesNot()
    {
        PendingJobBuilder[] jobs = [Job(1).Cpus(2), Job(2).Cpus(2), Job(3).Cpus(4)];
        NodeLoadBuilder[] nodes = [Node("n1"), Node("n2")];

        Assert.Equal([1L, 2L, 3L], PlacedIds(Cycle(scorer: new PackScorer()).Run(Snapshot(jobs, nodes))));
        Assert.Equal([1L, 2L], PlacedIds(Cycle(scorer: new SpreadScorer()).Run(Snapshot(jobs, nodes))));
    }

    [Fact]
    public void Spread_ScoresTheShareOfCpusLeft_ThenMemory()
    {
        var job = Job(1).Cpus(1).Mem("4G").Build();
        var scorer = new SpreadScorer();

        Assert.Equal(0.75 + 1e-3 * 0.75, scorer.Score(job, Node("n1").Build()), 1e-12);
        Assert.Equal(0.25 + 1e-3 * 0.5, scorer.Score(job, Node("n1").Used(2, "4G").Build()), 1e-12);
        Assert.Equal(-scorer.Score(job, Node("n1").Used(2, "4G").Build()), new PackScorer().Score(job, Node("n1").Used(2, "4G").Build()));
    }
}
