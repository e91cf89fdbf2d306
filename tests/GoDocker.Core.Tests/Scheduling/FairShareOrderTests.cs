using GoDocker.Scheduling;
using GoDocker.Usage;
using static GoDocker.Core.Tests.Scheduling.SchedulingBuilders;

namespace GoDocker.Core.Tests.Scheduling;

public sealed class FairShareOrderTests
{
    private const double Tolerance = 1e-9;
    private static readonly PriorityWeights Zero = new() { Age = 0, FairShareUser = 0, FairShareProject = 0, JobSize = 0, User = 0, Project = 0 };

    /// <summary>An order whose priority is the one factor <paramref name="weights"/> keeps.</summary>
    private static FairShareOrder Order(PriorityWeights weights, TimeSpan? halfLife = null, bool favorSmall = false) => new(new FairShareOptions
    {
        Weights = weights,
        MaxAge = TimeSpan.FromHours(10),
        HalfLife = halfLife ?? TimeSpan.FromDays(7),
        FavorSmall = favorSmall,
    });

    private static Dictionary<long, RankedJob> Rank(FairShareOrder order, SnapshotBuilder scene) =>
        order.Rank(scene.Build()).ToDictionary(r => r.Job.Id);

    private static DecayedUsage Used(double cpuSeconds, DateTimeOffset? asOf = null) => new(cpuSeconds, 0, 0, asOf ?? Now);

    public static TheoryData<double, double> Ages() => new()
    {
        { 0, 0 },           // just submitted
        { 2.5, 0.25 },
        { 5, 0.5 },
        { 10, 1 },          // MaxAge
        { 40, 1 },          // saturated
        { -1, 0 },          // submitted "after" now (clock skew): never negative
    };

    [Theory]
    [MemberData(nameof(Ages))]
    public void Age_GrowsLinearly_AndSaturatesAtMaxAge(double hoursPending, double expected)
    {
        var ranked = Rank(Order(Zero with { Age = 1000 }), Scene().Jobs(Job(1).SubmittedAt(Now.AddHours(-hoursPending))));

        Assert.Equal(expected, ranked[1].Factors!.Age, Tolerance);
        Assert.Equal(1000 * expected, ranked[1].Priority, 1e-6);
    }

    [Fact]
    public void Age_WithoutMaxAge_IsAlwaysOne()
    {
        var order = new FairShareOrder(new FairShareOptions { MaxAge = TimeSpan.Zero });

        Assert.Equal(1, Rank(order, Scene().Jobs(Job(1).SubmittedAt(Now))).Single().Value.Factors!.Age);
    }

    public static TheoryData<double, double, double, double> FairShares() => new()
    {
        // alice's usage, bob's usage (cpu-seconds), equal shares: alice's and bob's factor = 2^(-usage share / 0.5)
        { 0, 0, 1, 1 },                                            // nobody used anything
        { 100, 0, 0.25, 1 },                                        // alice used everything, bob nothing
        { 100, 100, 0.5, 0.5 },                                     // each exactly at their share
        { 300, 100, Math.Pow(2, -1.5), Math.Pow(2, -0.5) },         // alice above her share, bob below
        { 1, 999, Math.Pow(2, -0.002), Math.Pow(2, -1.998) },
    };

    [Theory]
    [MemberData(nameof(FairShares))]
    public void UserFairShare_Is1WithNoUsage_HalfAtItsShare_AndLowerAbove(double alice, double bob, double expectedAlice, double expectedBob)
    {
        var ranked = Rank(Order(Zero with { FairShareUser = 1 }), Scene()
            .Jobs(Job(1).Owner("alice"), Job(2).Owner("bob"))
            .User("alice", usage: Used(alice))
            .User("bob", usage: Used(bob)));

        Assert.Equal(expectedAlice, ranked[1].Factors!.FairShareUser, Tolerance);
        Assert.Equal(expectedBob, ranked[2].Factors!.FairShareUser, Tolerance);
        Assert.Equal(expectedBob, ranked[2].Priority, Tolerance);
    }

    [Fact]
    public void FairShare_IsRelativeToConfiguredShares()
    {
        // 70/30 shares: usage 70/30 puts both exactly at their share.
        var ranked = Rank(Order(Zero with { FairShareProject = 1 }), Scene()
            .Jobs(Job(1).Project("big"), Job(2).Project("small"), Job(3).Project("idle"))
            .Project("big", shares: 70, usage: Used(700))
            .Project("small", shares: 30, usage: Used(300))
            .Project("idle", shares: 0));

        Assert.Equal(0.5, ranked[1].Factors!.FairShareProject, Tolerance);
        Assert.Equal(0.5, ranked[2].Factors!.FairShareProject, Tolerance);
        // No shares but no usage either: 1; the first job it runs drops it to 0.
        Assert.Equal(1, ranked[3].Factors!.FairShareProject, Tolerance);
    }

    [Fact]
    public void FairShare_WithoutShares_IsZeroOnceTheAccountUsedAnything()
    {
        var ranked = Rank(Order(Zero with { FairShareUser = 1 }), Scene()
            .Jobs(Job(1).Owner("guest"), Job(2).Owner("alice"))
            .User("guest", shares: 0, usage: Used(10))
            .User("alice", usage: Used(10)));

        Assert.Equal(0, ranked[1].Factors!.FairShareUser);
        Assert.Equal(Math.Pow(2, -0.5), ranked[2].Factors!.FairShareUser, Tolerance);
    }

    [Fact]
    public void FairShare_CountsWhatRunningJobsConsumedSoFar()
    {
        // alice runs 2 cpus and 4 GiB for 100 s: 200 cpu-s + 0.25 x 400 GiB-s = 300 billed; bob has only past usage of 100.
        var ranked = Rank(Order(Zero with { FairShareUser = 1 }), Scene()
            .Jobs(Job(1).Owner("alice"), Job(2).Owner("bob"))
            .Running(Running(9).Owner("alice").Cpus(2).Mem("4G").StartedAt(Now.AddSeconds(-100)))
            .User("bob", usage: Used(100)));

        Assert.Equal(Math.Pow(2, -0.75 / 0.5), ranked[1].Factors!.FairShareUser, Tolerance);
        Assert.Equal(Math.Pow(2, -0.25 / 0.5), ranked[2].Factors!.FairShareUser, Tolerance);
    }

    [Fact]
    public void FairShare_ARunningJobMakesItsOwnerActive_AnIdleAccountDoesNotDiluteShares()
    {
        // carol has a running job (300 cpu-s so far) but nothing pending; dave has 1000 shares but neither runs nor waits.
        // alice: a quarter of the active usage against half of the active shares.
        var ranked = Rank(Order(Zero with { FairShareUser = 1 }), Scene()
            .Jobs(Job(1).Owner("alice"))
            .Running(Running(9).Owner("carol").Cpus(3).Mem("0").StartedAt(Now.AddSeconds(-100)))
            .User("alice", usage: Used(100))
            .User("dave", shares: 1000, usage: Used(1_000_000)));

        Assert.Equal(Math.Pow(2, -0.25 / 0.5), ranked[1].Factors!.FairShareUser, Tolerance);
    }

    [Fact]
    public void FairShare_DecaysPastUsageByTheHalfLife()
    {
        // alice's 200 cpu-s were recorded one half-life ago: they count 100, as much as bob's 100 recorded now.
        var halfLife = TimeSpan.FromHours(6);
        var order = Order(Zero with { FairShareUser = 1 }, halfLife);
        var ranked = Rank(order, Scene()
            .Jobs(Job(1).Owner("alice"), Job(2).Owner("bob"))
            .User("alice", usage: Used(200, Now - halfLife))
            .User("bob", usage: Used(100)));

        Assert.Equal(0.5, ranked[1].Factors!.FairShareUser, Tolerance);
        Assert.Equal(0.5, ranked[2].Factors!.FairShareUser, Tolerance);

        // Two half-lives: alice's counts 50 against bob's 100.
        var later = Rank(order, Scene()
            .Jobs(Job(1).Owner("alice"), Job(2).Owner("bob"))
            .User("alice", usage: Used(200, Now - 2 * halfLife))
            .User("bob", usage: Used(100)));
        Assert.Equal(Math.Pow(2, -(50.0 / 150) / 0.5), later[1].Factors!.FairShareUser, Tolerance);
    }

    [Fact]
    public void FairShare_BillsMemoryAndGpus_ByTheConfiguredWeights()
    {
        // alice: 1 gpu-second x 10; bob: 40 GiB-seconds x 0.25: both bill 10.
        var ranked = Rank(Order(Zero with { FairShareUser = 1 }), Scene()
            .Jobs(Job(1).Owner("alice"), Job(2).Owner("bob"))
            .User("alice", usage: new DecayedUsage(0, 0, 1, Now))
            .User("bob", usage: new DecayedUsage(0, 40, 0, Now)));

        Assert.Equal(0.5, ranked[1].Factors!.FairShareUser, Tolerance);
        Assert.Equal(0.5, ranked[2].Factors!.FairShareUser, Tolerance);
    }

    [Fact]
    public void UserAndProjectPriority_AreNormalisedByTheLargestAmongActiveAccounts()
    {
        var ranked = Rank(Order(Zero with { User = 1, Project = 10 }), Scene()
            .Jobs(Job(1).Owner("alice").Project("p"), Job(2).Owner("bob").Project("q"), Job(3).Owner("eve").Project("r"))
            .User("alice", priority: 10).User("bob", priority: 5).User("eve", priority: -3).User("idle", priority: 1000)
            .Project("p", priority: 0).Project("q", priority: 4).Project("r", priority: 2));

        Assert.Equal([1, 0.5, 0], new[] { ranked[1], ranked[2], ranked[3] }.Select(r => r.Factors!.UserPriority));
        Assert.Equal([0, 1, 0.5], new[] { ranked[1], ranked[2], ranked[3] }.Select(r => r.Factors!.ProjectPriority));
        Assert.Equal(1 + 0, ranked[1].Priority, Tolerance);
        Assert.Equal(0.5 + 10, ranked[2].Priority, Tolerance);
    }

    [Fact]
    public void Priorities_AllZero_GiveFactorZero()
    {
        var ranked = Rank(Order(Zero with { User = 1 }), Scene().Jobs(Job(1).Owner("alice"), Job(2).Owner("bob")));

        Assert.All(ranked.Values, r => Assert.Equal(0, r.Factors!.UserPriority));
    }

    [Fact]
    public void TheAdministratorsAdjustment_IsAddedToTheWeightedSum()
    {
        var order = Order(new PriorityWeights());
        var ranked = order.Rank(Scene().Jobs(Job(1).SubmittedAt(Now.AddHours(-10)), Job(2).SubmittedAt(Now).Adjust(20_000), Job(3).SubmittedAt(Now).Adjust(-5)).Build());

        Assert.Equal([2L, 1L, 3L], ranked.Select(r => r.Job.Id));
        var factors = ranked[0].Factors!;
        Assert.Equal(20_000, factors.Adjustment);
        Assert.Equal(factors.Total, ranked[0].Priority);
        Assert.Equal(ranked[1].Priority - 5 - 1000, ranked[2].Priority, 1e-3); // job 1 also has full age (1000)
    }

    [Fact]
    public void TheTotal_IsTheWeightedSumOfTheFactors()
    {
        var weights = new PriorityWeights { Age = 1, FairShareUser = 10, FairShareProject = 100, JobSize = 1000, User = 10_000, Project = 100_000 };
        var factors = new PriorityFactors(0.5, 0.25, 0.125, 0.5, 1, 0.5, weights, 7);

        Assert.Equal(0.5 + 2.5 + 12.5 + 500 + 10_000 + 50_000 + 7, factors.Total, Tolerance);
    }

    [Fact]
    public void Ties_AreBrokenBySubmitTime_ThenId()
    {
        var ranked = Order(new PriorityWeights { Age = 0 }).Rank(Scene()
            .Jobs(Job(5).SubmittedAt(T0), Job(3).SubmittedAt(T0.AddSeconds(1)), Job(4).SubmittedAt(T0), Job(1).SubmittedAt(T0.AddSeconds(2)))
            .Build());

        Assert.Equal([4L, 5L, 3L, 1L], ranked.Select(r => r.Job.Id));
    }

    [Fact]
    public void JobSize_IsCpusOverTheLargestNode_OrItsComplementWithFavorSmall()
    {
        var scene = Scene().Jobs(Job(1).Cpus(2), Job(2).Cpus(8), Job(3).Cpus(32)).Nodes(Node("small").Cpus(4), Node("big").Cpus(8));

        var large = Rank(Order(Zero with { JobSize = 1 }), scene);
        var small = Rank(Order(Zero with { JobSize = 1 }, favorSmall: true), scene);

        Assert.Equal([0.25, 1, 1], new[] { 1L, 2, 3 }.Select(id => large[id].Factors!.JobSize));
        Assert.Equal([0.75, 0, 0], new[] { 1L, 2, 3 }.Select(id => small[id].Factors!.JobSize));
        Assert.Equal(2L, Order(Zero with { JobSize = 1 }).Rank(scene.Build())[0].Job.Id);
        Assert.Equal(1L, Order(Zero with { JobSize = 1 }, favorSmall: true).Rank(scene.Build())[0].Job.Id);
    }

    [Fact]
    public void AUserBelowHerShare_GoesAheadOfOlderJobsOfAUserAboveHis()
    {
        var ranked = new FairShareOrder(new FairShareOptions()).Rank(Scene()
            .Jobs(Job(1).Owner("heavy").SubmittedAt(Now.AddDays(-1)), Job(2).Owner("heavy"), Job(3).Owner("light").SubmittedAt(Now))
            .User("heavy", usage: Used(100_000))
            .Build());

        Assert.Equal([3L, 1L, 2L], ranked.Select(r => r.Job.Id));
        Assert.Equal("fairshare", new FairShareOrder(new FairShareOptions()).Name);
    }

    [Fact]
    public void EveryPendingJob_IsRankedExactlyOnce()
    {
        var scene = Scene().Jobs([.. Enumerable.Range(1, 50).Select(i => Job(i).Owner($"u{i % 7}").Project($"p{i % 3}"))]);

        var ranked = new FairShareOrder(new FairShareOptions()).Rank(scene.Build());

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), ranked.Select(r => r.Job.Id).Order());
    }
}
