using GoDocker.Scheduling;
using static GoDocker.Core.Tests.Scheduling.SchedulingBuilders;

namespace GoDocker.Core.Tests.Scheduling;

/// <summary>
/// The filter contract: a filter says how its verdicts may be reused (<see cref="FilterCaching"/> and a job signature),
/// and the cycle reuses them exactly so far, for any filter, its own and third-party ones alike.
/// </summary>
public sealed class FilterCachingTests
{
    private static SchedulingCycle CycleWith(IPlacementFilter filter, bool backfill = false) =>
        new(new FifoOrder(), SchedulingCycle.StandardAdmissions, [.. SchedulingCycle.StandardFilters, filter], new SpreadScorer(),
            new CycleOptions { Backfill = backfill });

    /// <summary>Twelve jobs of two projects, on three nodes with room for all: every job starts, no reason is written.</summary>
    private static SchedulingSnapshot TwelveJobsOfTwoProjects() =>
        Snapshot([.. Enumerable.Range(1, 12).Select(i => Job(i).Project(i % 2 == 0 ? "even" : "odd"))],
            [Node("n1").Cpus(64).Mem("256G"), Node("n2").Cpus(64).Mem("256G"), Node("n3").Cpus(64).Mem("256G")]);

    [Fact]
    public void AThirdPartyFilterOnNodeAttributes_IsAskedOncePerSignatureAndNode()
    {
        var filter = new ProjectZoneFilter(FilterCaching.NodeAttributes, signs: true);

        var plan = CycleWith(filter).Run(TwelveJobsOfTwoProjects());

        Assert.Equal(12, plan.Placements.Count);
        Assert.Equal(2 * 3, filter.Asked);
    }

    [Fact]
    public void AFilterThatDeclaresNothing_IsAskedForEveryJobOnEveryNode_AndDecidesTheSame()
    {
        var cached = new ProjectZoneFilter(FilterCaching.NodeAttributes, signs: true);
        var declaresNothing = new ProjectZoneFilter(FilterCaching.None, signs: true);

        var expected = CycleWith(cached).Run(TwelveJobsOfTwoProjects());
        var plan = CycleWith(declaresNothing).Run(TwelveJobsOfTwoProjects());

        Assert.Equal(12 * 3, declaresNothing.Asked);
        Assert.Equal(expected.Placements, plan.Placements);
    }

    [Fact]
    public void AJobAFilterCannotSign_IsAskedAboutEveryNode()
    {
        var filter = new ProjectZoneFilter(FilterCaching.NodeAttributes, signs: false);

        var plan = CycleWith(filter).Run(TwelveJobsOfTwoProjects());

        Assert.Equal(12, plan.Placements.Count);
        Assert.Equal(12 * 3, filter.Asked);
    }

    [Fact]
    public void AFilterOnNodeAttributes_RefusesTheSameNodesForEveryJobOfASignature()
    {
        var filter = new ProjectZoneFilter(FilterCaching.NodeAttributes, signs: true) { OddOnlyOn = "n2" };

        var plan = CycleWith(filter).Run(TwelveJobsOfTwoProjects());

        Assert.All(plan.Placements.Where(p => p.JobId % 2 == 1), p => Assert.Equal("n2", p.Node));
        Assert.Equal(12, plan.Placements.Count);
    }

    [Fact]
    public void AFilterOnNodeLoad_SeesEachPlacementOfTheCycle()
    {
        // One job per node: a cached "yes" for an idle node must not outlive the job placed there.
        var filter = new IdleNodesOnly();
        var cycle = CycleWith(filter);

        var plan = cycle.Run(Snapshot([Job(1), Job(2), Job(3)], [Node("n1").Cpus(8), Node("n2").Cpus(8)]));

        Assert.Equal([("n1", 1L), ("n2", 2L)], plan.Placements.Select(p => (p.Node, p.JobId)));
        Assert.Equal("waiting for 1 cpus, 1 GiB on any node (n1 is busy; n2 is busy)", plan.PendingReasons[3]);
    }

    [Fact]
    public void AFilterOnNodeLoad_IsAskedAgainOnlyOnTheNodeWhoseLoadChanged()
    {
        var filter = new IdleNodesOnly { Limit = 100 };

        var plan = CycleWith(filter).Run(Snapshot([.. Enumerable.Range(1, 10).Select(i => Job(i))],
            [Node("n1").Cpus(64).Mem("256G"), Node("n2").Cpus(64).Mem("256G")]));

        // Spread alternates the nodes: the first job asks both, each later one only the node the job before it took.
        Assert.Equal(10, plan.Placements.Count);
        Assert.Equal(2 + 9, filter.Asked);
    }

    [Fact]
    public void AFilterOnNodeLoad_WithoutSignature_IsAskedEveryTime()
    {
        var filter = new IdleNodesOnly { Limit = 100, Signs = false };

        CycleWith(filter).Run(Snapshot([.. Enumerable.Range(1, 10).Select(i => Job(i))],
            [Node("n1").Cpus(64).Mem("256G"), Node("n2").Cpus(64).Mem("256G")]));

        Assert.Equal(10 * 2, filter.Asked);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheConstraintFilter_DecidesTheSame_CachedOrAsked(bool backfill)
    {
        var snapshot = Scene()
            .Jobs(Job(1).Cpus(4).Constraint("disk==ssd"), Job(2).Constraint("disk==ssd"), Job(3).Constraint("disk!=ssd"), Job(4).Cpus(3),
                Job(5).Constraint("zone==z9"), Job(6).Cpus(2).Constraint("disk==ssd").Walltime(30))
            .Nodes(Node("a").Label("disk", "ssd"), Node("b").Label("disk", "hdd"), Node("c").Label("disk", "ssd").Cpus(2))
            .Running(Running(9).On("a").Cpus(2).Walltime(60))
            .Build();
        var options = new CycleOptions { Backfill = backfill };
        var asked = new SchedulingCycle(new FifoOrder(), SchedulingCycle.StandardAdmissions, [new Undeclared(new ConstraintFilter())], new SpreadScorer(), options);

        var expected = asked.Run(snapshot);
        var plan = Cycle(options: options).Run(snapshot);

        Assert.Equal(expected.Placements, plan.Placements);
        Assert.Equal(expected.PendingReasons.OrderBy(r => r.Key), plan.PendingReasons.OrderBy(r => r.Key));
        Assert.Equal(expected.ExpectedStarts.OrderBy(r => r.Key), plan.ExpectedStarts.OrderBy(r => r.Key));
        Assert.Equal(expected.Rejections.OrderBy(r => r.Key), plan.Rejections.OrderBy(r => r.Key));
        Assert.Equal(FilterCaching.NodeAttributes, new ConstraintFilter().Caching);
    }

    /// <summary>Odd jobs may go only on <see cref="OddOnlyOn"/> (when set); counts how often it is asked.</summary>
    private sealed class ProjectZoneFilter(FilterCaching caching, bool signs) : IPlacementFilter
    {
        public int Asked { get; private set; }
        public string? OddOnlyOn { get; init; }
        public string Name => "project-zone";
        public FilterCaching Caching => caching;

        public object? Signature(PendingJob job) => signs ? job.Project : null;

        public Verdict Filter(PendingJob job, NodeLoad node)
        {
            Asked++;
            return job.Project == "odd" && OddOnlyOn is { } only && node.Node.Name != only
                ? Verdict.Unschedulable($"{node.Node.Name} is not for odd jobs")
                : Verdict.Ok;
        }
    }

    /// <summary>A node takes a job while it runs fewer than <see cref="Limit"/> jobs' worth of cpus (1 by default: idle nodes only).</summary>
    private sealed class IdleNodesOnly : IPlacementFilter
    {
        public int Asked { get; private set; }
        public int Limit { get; init; } = 1;
        public bool Signs { get; init; } = true;
        public string Name => "idle-only";
        public FilterCaching Caching => FilterCaching.NodeLoad;

        public object? Signature(PendingJob job) => Signs ? "any job" : null;

        public Verdict Filter(PendingJob job, NodeLoad node)
        {
            Asked++;
            return node.Used.Cpus < Limit ? Verdict.Ok : Verdict.Unschedulable($"{node.Node.Name} is busy");
        }
    }

    /// <summary>A filter behind a wrapper that declares nothing, so the cycle asks it for every job on every node.</summary>
    private sealed class Undeclared(IPlacementFilter inner) : IPlacementFilter
    {
        public string Name => inner.Name;
        public Verdict Filter(PendingJob job, NodeLoad node) => inner.Filter(job, node);
    }
}
