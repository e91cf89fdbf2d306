using GoDocker.Usage;

namespace GoDocker.Storage.Tests.Contracts;

/// <summary>
/// What every <see cref="IUsageStore"/> does, run against each store (SQLite, PostgreSQL) by a subclass: points kept across
/// a reopen, a write replaces its attempt's points from its index only, reads by attempt and since.
/// </summary>
public abstract class UsageStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    protected static readonly CancellationToken Ct = CancellationToken.None;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>Opens a store on the test's database: each call a new one, as a restarted server would.</summary>
    protected abstract Task<IUsageStore> OpenUsageAsync();

    private static UsagePoint Point(int second, double cpu = 1, long rss = 100) =>
        new(Start.AddSeconds(second), 1, cpu, rss, 7, 3, 10, 20, 30, 40);

    [Fact]
    public async Task Points_AreKeptAcrossAReopen_InAttemptAndIndexOrder()
    {
        var usage = await OpenUsageAsync();
        await usage.WriteUsageAsync([new UsageWrite(1, 2, 0, [Point(5), Point(10, cpu: 2.5, rss: long.MaxValue / 2)])], Ct);
        await usage.WriteUsageAsync([new UsageWrite(1, 1, 0, [Point(1)])], Ct);

        var reopened = await OpenUsageAsync();

        Assert.Equal(
            [new AttemptUsagePoint(1, 0, Point(1)), new AttemptUsagePoint(2, 0, Point(5)), new AttemptUsagePoint(2, 1, Point(10, cpu: 2.5, rss: long.MaxValue / 2))],
            await reopened.ReadUsageAsync(1, null, null, Ct));
    }

    [Fact]
    public async Task AWrite_ReplacesItsAttemptsPointsFromItsIndex_AndNothingElse()
    {
        var usage = await OpenUsageAsync();
        await usage.WriteUsageAsync(
        [
            new UsageWrite(1, 1, 0, [Point(1), Point(2), Point(3)]),
            new UsageWrite(1, 2, 0, [Point(4)]),
            new UsageWrite(2, 1, 0, [Point(5)]),
        ], Ct);

        // The last point updated, then the series compacted to one point (a rewrite from 0), in one round.
        await usage.WriteUsageAsync([new UsageWrite(1, 1, 2, [Point(9)]), new UsageWrite(2, 1, 0, [Point(6, cpu: 3)])], Ct);
        await usage.WriteUsageAsync([new UsageWrite(1, 1, 1, [Point(10)])], Ct);

        Assert.Equal([Point(1), Point(10)], (await usage.ReadUsageAsync(1, 1, null, Ct)).Select(p => p.Point));
        Assert.Equal([Point(4)], (await usage.ReadUsageAsync(1, 2, null, Ct)).Select(p => p.Point));
        Assert.Equal([new AttemptUsagePoint(1, 0, Point(6, cpu: 3))], await usage.ReadUsageAsync(2, null, null, Ct));
    }

    [Fact]
    public async Task ReadSince_GivesOnlyLaterPoints()
    {
        var usage = await OpenUsageAsync();
        await usage.WriteUsageAsync([new UsageWrite(1, 1, 0, [Point(1), Point(2), Point(3)])], Ct);

        var later = await usage.ReadUsageAsync(1, 1, Start.AddSeconds(2), Ct);
        var none = await usage.ReadUsageAsync(1, 7, null, Ct);
        var otherJob = await usage.ReadUsageAsync(99, null, null, Ct);

        Assert.Equal([new AttemptUsagePoint(1, 2, Point(3))], later);
        Assert.Empty(none);
        Assert.Empty(otherJob);
    }

    [Fact]
    public async Task AnEmptyRound_WritesNothing()
    {
        var usage = await OpenUsageAsync();

        await usage.WriteUsageAsync([], Ct);

        Assert.Empty(await usage.ReadUsageAsync(1, null, null, Ct));
    }
}
