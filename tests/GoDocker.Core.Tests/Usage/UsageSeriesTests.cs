using GoDocker.Usage;

namespace GoDocker.Core.Tests.Usage;

public sealed class UsageSeriesTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A sample at <paramref name="second"/> with <paramref name="cpuSeconds"/> of cpu so far and the given gauges.</summary>
    private static UsageSample Sample(double second, double cpuSeconds, long rss = 100, long pids = 1, long io = 0, long cache = 0) =>
        new(T0.AddSeconds(second), (long)(cpuSeconds * 1e9), rss, cache, io, 2 * io, 3 * io, 4 * io, pids);

    private static UsageSeries Series(int capacity = UsageSeries.DefaultCapacity) => new(7, 1, capacity, T0);

    [Fact]
    public void NoSample_MeasuresNothing()
    {
        Assert.Null(Series().Measured());
        Assert.Null(Series().Live);
    }

    [Fact]
    public void Measured_HasTheLastTotals_ThePeaks_AndTheSampleCount()
    {
        var series = Series();
        series.Add(Sample(5, 4, rss: 300, pids: 2, io: 10));
        series.Add(Sample(10, 9, rss: 900, pids: 7, io: 20));
        series.Add(Sample(15, 14, rss: 200, pids: 3, io: 30));

        Assert.Equal(new MeasuredUsage(14, 900, 7, 30, 60, 90, 120, 3, T0.AddSeconds(15)), series.Measured());
    }

    public static TheoryData<string, double[], double[], double> Resets() => new()
    {
        // case, sample seconds, raw cpu seconds (the engine's counter), total cpu expected
        { "steady", [5, 10, 15], [5, 10, 15], 15 },
        { "restarted from zero", [5, 10, 15], [5, 10, 2], 12 },
        { "restarted twice", [5, 10, 15, 20], [5, 1, 0.5, 3], 9 },
        { "idle", [5, 10], [1, 1], 1 },
    };

    [Theory]
    [MemberData(nameof(Resets))]
    public void ACounterReset_IsCarriedOver_SoTotalsNeverGoDown(string name, double[] seconds, double[] rawCpu, double expectedTotal)
    {
        var series = Series();
        for (var i = 0; i < seconds.Length; i++)
        {
            series.Add(Sample(seconds[i], rawCpu[i]));
        }

        Assert.Equal(expectedTotal, series.Measured()!.CpuSeconds, 1e-9);
        var rates = series.Points.Select((p, i) => p.CpuCoresSince(i > 0 ? series.Points[i - 1] : null, T0)!.Value);
        Assert.All(rates, r => Assert.True(r >= 0, $"{name}: negative rate {r}"));
    }

    [Fact]
    public void ASampleNotLaterThanTheLast_AddsNothing()
    {
        var series = Series();
        series.Add(Sample(10, 5));

        Assert.Null(series.Add(Sample(10, 6)));
        Assert.Null(series.Add(Sample(9, 6)));
        Assert.Equal(1, series.Measured()!.Samples);
    }

    [Fact]
    public void Live_IsTheCoresSinceTheSampleBefore_AndTheFirstCountsFromTheStart()
    {
        var series = Series();
        series.Add(Sample(4, 2, rss: 50));
        var first = series.Live;
        series.Add(Sample(6, 5, rss: 70));

        Assert.Equal(0.5, first!.CpuCores!.Value, 1e-9);
        Assert.Equal(new LiveUsage(T0.AddSeconds(6), 1.5, 70, 0, 1), series.Live);
    }

    [Fact]
    public void UntilFull_EachSampleAppendsOnePoint()
    {
        var series = Series(capacity: 4);

        var writes = Enumerable.Range(1, 4).Select(i => series.Add(Sample(i, i))!).ToList();

        Assert.Equal([0, 1, 2, 3], writes.Select(w => w.FromIndex));
        Assert.All(writes, w => Assert.Single(w.Points));
        Assert.Equal([1, 1, 1, 1], series.Points.Select(p => p.Samples));
    }

    [Fact]
    public void WhenFull_AdjacentPointsMergeInPairs_TotalsFromTheLater_PeaksTheMax_AndTheSeriesIsRewritten()
    {
        var series = Series(capacity: 4);
        series.Add(Sample(1, 1, rss: 500, pids: 1, cache: 11));
        series.Add(Sample(2, 2, rss: 100, pids: 9, cache: 22));
        series.Add(Sample(3, 3, rss: 300, pids: 2, cache: 33));
        series.Add(Sample(4, 4, rss: 400, pids: 1, cache: 44));

        var write = series.Add(Sample(5, 5, rss: 1, pids: 1, cache: 55))!;

        Assert.Equal(0, write.FromIndex);
        Assert.Equal(
        [
            new UsagePoint(T0.AddSeconds(2), 2, 2, 500, 22, 9, 0, 0, 0, 0),
            new UsagePoint(T0.AddSeconds(4), 2, 4, 400, 44, 2, 0, 0, 0, 0),
            new UsagePoint(T0.AddSeconds(5), 1, 5, 1, 55, 1, 0, 0, 0, 0),
        ], write.Points);
        Assert.Equal(write.Points, series.Points);
    }

    [Fact]
    public void AfterACompaction_TheNewestPointTakesSamplesUntilItHoldsAStep()
    {
        var series = Series(capacity: 4);
        for (var i = 1; i <= 5; i++)
        {
            series.Add(Sample(i, i));
        }

        var joined = series.Add(Sample(6, 6))!;
        var appended = series.Add(Sample(7, 7))!;

        Assert.Equal((2, 2), (joined.FromIndex, joined.Points.Single().Samples));
        Assert.Equal((3, 1), (appended.FromIndex, appended.Points.Single().Samples));
    }

    [Fact]
    public void ALongJob_KeepsItsWholeHistory_WithinCapacity_AtAnEvenResolution()
    {
        // 30 days at one sample every 5 s.
        var series = Series();
        const int samples = 30 * 24 * 720;
        var maxPoints = 0;
        for (var i = 1; i <= samples; i++)
        {
            series.Add(Sample(5.0 * i, 2.5 * i, rss: i == 1000 ? 999_999 : 100));
            maxPoints = Math.Max(maxPoints, series.Points.Count);
        }

        var measured = series.Measured()!;
        Assert.True(maxPoints <= UsageSeries.DefaultCapacity, $"{maxPoints} points");
        Assert.Equal(samples, measured.Samples);
        Assert.Equal(2.5 * samples, measured.CpuSeconds, 1e-3);
        Assert.Equal(999_999, measured.MaxRssBytes);
        Assert.Equal(T0.AddSeconds(5.0 * samples), measured.LastSampleAt);
        Assert.Single(series.Points.Select(p => p.Samples).SkipLast(1).Distinct());
        Assert.All(series.Points.Select((p, i) => p.CpuCoresSince(i > 0 ? series.Points[i - 1] : null, T0)!.Value), r => Assert.Equal(0.5, r, 1e-6));
    }

    [Fact]
    public void Resume_ContinuesTheKeptTotals_AndAResetCounterAddsNothingForTheGap()
    {
        var first = Series();
        first.Add(Sample(5, 5, io: 100));
        first.Add(Sample(10, 10, io: 200));

        var continued = UsageSeries.Resume(7, 1, UsageSeries.DefaultCapacity, T0, first.Points);
        var write = continued.Add(Sample(20, 20, io: 300))!;
        var reset = UsageSeries.Resume(7, 1, UsageSeries.DefaultCapacity, T0, first.Points);
        reset.Add(Sample(20, 3, io: 5));
        reset.Add(Sample(25, 4, io: 6));

        Assert.Equal((2, 20.0, 300L), (write.FromIndex, continued.Measured()!.CpuSeconds, continued.Measured()!.BlockReadBytes));
        Assert.Equal((11.0, 201L), (reset.Measured()!.CpuSeconds, reset.Measured()!.BlockReadBytes));
        Assert.Equal(4, reset.Measured()!.Samples);
    }

    [Fact]
    public void Resume_OverASmallerCapacity_CompactsAndRewritesAtTheNextSample()
    {
        var first = Series(capacity: 8);
        for (var i = 1; i <= 8; i++)
        {
            first.Add(Sample(i, i));
        }

        var resumed = UsageSeries.Resume(7, 1, 4, T0, first.Points);
        var write = resumed.Add(Sample(9, 9))!;

        Assert.Equal(0, write.FromIndex);
        Assert.True(write.Points.Count <= 4);
        Assert.Equal(9, resumed.Measured()!.Samples);
        Assert.Equal(9, resumed.Measured()!.CpuSeconds, 1e-9);
    }
}
