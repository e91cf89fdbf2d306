using GoDocker.Scheduling;

namespace GoDocker.Core.Tests.Scheduling;

/// <summary>
/// Which cpus a whole-cpu job is pinned to on its node (<see cref="CpuBinding"/>): only whole requests, ids the engine
/// knows, disjoint from what the node's other pinned jobs hold while the node has free cpus, and shared (said so) only
/// when the scheduler placed more whole cpus than the node has. No clock: a choice depends on what is held, not on when.
/// </summary>
public sealed class CpuBindingTests
{
    [Theory]
    [InlineData(1.0, 1)]
    [InlineData(2.0, 2)]
    [InlineData(16.0, 16)]
    [InlineData(3.0000000001, 3)]
    [InlineData(0.9999999999, 1)]
    public void WholeCpus_IsTheCount_ForAWholeRequest(double cpus, int expected) =>
        Assert.Equal(expected, CpuBinding.WholeCpus(cpus));

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.125)]
    [InlineData(1.5)]
    [InlineData(2.25)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e12)]
    public void WholeCpus_IsNull_ForAFractionOrNonsense(double cpus) =>
        Assert.Null(CpuBinding.WholeCpus(cpus));

    [Theory]
    [InlineData(2, null, new[] { 0, 1 })]
    [InlineData(8, 2.0, new[] { 0, 1 })]
    [InlineData(8, 2.5, new[] { 0, 1 })]
    [InlineData(8, 0.5, new int[0])]
    [InlineData(2, 4.0, new[] { 0, 1 })]
    [InlineData(0, null, new int[0])]
    public void Pool_IsTheEnginesIds_CutToTheConfiguredCount(int engineCpus, double? configured, int[] expected) =>
        Assert.Equal(expected, CpuBinding.Pool(engineCpus, configured));

    [Fact]
    public void Pool_FromTheEnginesOwnIds_TakesTheFirstOfThem()
    {
        Assert.Equal([2, 3, 6], CpuBinding.Pool([6, 2, 3], null));
        Assert.Equal([2, 3], CpuBinding.Pool([2, 3, 6], 2.0));
    }

    [Theory]
    [InlineData("Error response from daemon: Requested CPUs are not available - requested 0-1, available: 2-3", new[] { 2, 3 })]
    [InlineData("Requested CPUs are not available - requested 0, available: 1,4-5.", new[] { 1, 4, 5 })]
    public void TryReadAvailable_ReadsTheCpusTheEngineCanUse_FromItsRefusal(string message, int[] expected)
    {
        Assert.True(CpuBinding.TryReadAvailable(message, out var ids));
        Assert.Equal(expected, ids);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Invalid value 0-x for cpuset cpus")]
    [InlineData("Requested CPUs are not available - requested 0-1, available: ")]
    [InlineData("memory available: 0-1")]
    public void TryReadAvailable_IsFalse_ForAnyOtherRefusal(string? message) =>
        Assert.False(CpuBinding.TryReadAvailable(message, out _));

    [Fact]
    public void Choose_OnAnEmptyNode_TakesTheLowestIds()
    {
        var choice = CpuBinding.Choose(2, [0, 1, 2, 3], []);

        Assert.NotNull(choice);
        Assert.Equal([0, 1], choice.Cpus);
        Assert.False(choice.Shared);
        Assert.Equal("0-1", choice.ToString());
    }

    [Fact]
    public void Choose_TakesOnlyCpusNoOtherJobHolds()
    {
        var choice = CpuBinding.Choose(2, [0, 1, 2, 3], [[0], [2]]);

        Assert.NotNull(choice);
        Assert.Equal([1, 3], choice.Cpus);
        Assert.False(choice.Shared);
        Assert.Equal("1,3", choice.ToString());
    }

    [Fact]
    public void Choose_ACpuGivenBack_IsTakenAgain()
    {
        // Two 1-cpu jobs fill a 2-cpu node; the first ends: the next job gets its cpu.
        var first = CpuBinding.Choose(1, [0, 1], [])!;
        var second = CpuBinding.Choose(1, [0, 1], [first.Cpus.ToArray()])!;
        var third = CpuBinding.Choose(1, [0, 1], [second.Cpus.ToArray()])!;

        Assert.Equal([0], first.Cpus);
        Assert.Equal([1], second.Cpus);
        Assert.Equal([0], third.Cpus);
        Assert.False(third.Shared);
    }

    [Fact]
    public void Choose_OnAnOvercommittedNode_SharesTheLeastHeldCpus_AndSaysSo()
    {
        // Scheduler:CpuOvercommit 2 on a 2-cpu node: three 1-cpu jobs; the third shares, with the cpu fewest hold.
        var choice = CpuBinding.Choose(1, [0, 1], [[0], [1], [0]]);

        Assert.NotNull(choice);
        Assert.Equal([1], choice.Cpus);
        Assert.True(choice.Shared);
    }

    [Fact]
    public void Choose_IgnoresHeldIdsOutsideThePool()
    {
        // A job pinned to cpu 3 before the site offered only 2 of the host's 4: cpu 3 is not the pool's.
        var choice = CpuBinding.Choose(2, [0, 1], [[3]]);

        Assert.Equal([0, 1], choice!.Cpus);
        Assert.False(choice.Shared);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    public void Choose_IsNull_WhenNoSetOfThePoolCanHoldTheRequest(int count) =>
        Assert.Null(CpuBinding.Choose(count, [0, 1], []));

    [Fact]
    public void Choose_WhileTheNodeHasRoom_NeverGivesOneCpuToTwoJobs()
    {
        // A node's life as the scheduler makes it without overcommit: whole-cpu jobs start while their cpus fit the
        // node's count and end in any order. Every choice must be disjoint from every live one.
        var random = new Random(12);
        int[] pool = [0, 1, 2, 3, 4, 5, 6, 7];
        var live = new List<int[]>();
        for (var step = 0; step < 5_000; step++)
        {
            if (live.Count > 0 && random.Next(3) == 0)
            {
                live.RemoveAt(random.Next(live.Count));
                continue;
            }
            var count = random.Next(1, 5);
            if (live.Sum(set => set.Length) + count > pool.Length)
            {
                continue; // the scheduler would not place it here now
            }
            var choice = CpuBinding.Choose(count, pool, live);
            Assert.NotNull(choice);
            Assert.False(choice.Shared);
            Assert.Equal(count, choice.Cpus.Count);
            Assert.Empty(choice.Cpus.Intersect(live.SelectMany(set => set)));
            Assert.All(choice.Cpus, id => Assert.Contains(id, pool));
            live.Add([.. choice.Cpus]);
        }
    }

    [Theory]
    [InlineData(new[] { 0 }, "0")]
    [InlineData(new[] { 0, 1 }, "0-1")]
    [InlineData(new[] { 3, 0, 1, 2, 8, 10, 11 }, "0-3,8,10-11")]
    [InlineData(new[] { 1, 3, 5 }, "1,3,5")]
    [InlineData(new int[0], "")]
    public void Format_WritesTheListForm_AndParseReadsItBack(int[] ids, string text)
    {
        Assert.Equal(text, CpuBinding.Format(ids));
        if (ids.Length > 0)
        {
            Assert.True(CpuBinding.TryParse(text, out var parsed));
            Assert.Equal(ids.Order(), parsed);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a")]
    [InlineData("1-")]
    [InlineData("-1")]
    [InlineData("3-1")]
    [InlineData("0,,1")]
    [InlineData("0-70000")]
    [InlineData("+1")]
    public void TryParse_RefusesAnythingElse(string? text) =>
        Assert.False(CpuBinding.TryParse(text, out _));
}
