using GoDocker.Storage.Postgres;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>
/// The leader lease on a real PostgreSQL, with servers as separate pools: one holder at a time, takeover after
/// expiry with a greater token, and the fence that keeps an old leader's writes out.
/// Expiry is the database's clock, so the short-lived leases here expire in real time.
/// </summary>
public sealed class PostgresLeaderLeaseTests : IAsyncLifetime
{
    private const string Name = "scheduler";
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(600);
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    private Task<PostgresLeaderLease> ServerAsync(string holder, TimeSpan timeToLive) =>
        PostgresLeaderLease.OpenAsync(database.OpenDataSource(), Name, holder, timeToLive, Ct);

    [Fact]
    public async Task AmongConcurrentContenders_ExactlyOneHolds()
    {
        var servers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => ServerAsync($"server-{i}", Long)));

        var results = await Task.WhenAll(servers.Select(s => s.TryAcquireAsync(Ct).AsTask()));

        var winner = Assert.Single(results, r => r is not null)!;
        Assert.Equal(1, winner.Token);
        Assert.Equal(winner, await servers[0].CurrentAsync(Ct));
        Assert.All(await Task.WhenAll(servers.Select(s => s.TryAcquireAsync(Ct).AsTask())),
            (r, i) => Assert.Equal(servers[i].Holder == winner.Holder, r is not null));
    }

    [Fact]
    public async Task TheHolder_AcquiringAgain_KeepsItsToken_AndRenewExtendsIt()
    {
        var a = await ServerAsync("a", Long);
        var first = (await a.TryAcquireAsync(Ct))!;

        var again = (await a.TryAcquireAsync(Ct))!;
        var renewed = (await a.RenewAsync(again, Ct))!;

        Assert.Equal(first.Token, again.Token);
        Assert.Equal(first.Token, renewed.Token);
        Assert.True(renewed.ExpiresAt >= first.ExpiresAt);
    }

    [Fact]
    public async Task AnExpiredLease_IsTakenOver_WithAGreaterToken_AndTheOldHolderCannotRenew()
    {
        // Held first on a long lease, so b's refusal never meets a lapse; then a's short one (same holder, same token).
        var aLong = await ServerAsync("a", Long);
        var a = await ServerAsync("a", Short);
        var b = await ServerAsync("b", Long);
        var first = (await aLong.TryAcquireAsync(Ct))!;
        Assert.Null(await b.TryAcquireAsync(Ct));
        var held = (await a.TryAcquireAsync(Ct))!;
        Assert.Equal(first.Token, held.Token);

        var taken = await EventuallyAcquireAsync(b);

        Assert.Equal("b", taken.Holder);
        Assert.True(taken.Token > held.Token);
        Assert.Null(await a.RenewAsync(held, Ct));
        Assert.Null(await a.TryAcquireAsync(Ct));
        Assert.Equal(taken, await a.CurrentAsync(Ct));
    }

    [Fact]
    public async Task RenewByANonHolder_Fails_EvenWithTheHoldersToken()
    {
        var a = await ServerAsync("a", Long);
        var b = await ServerAsync("b", Long);
        var held = (await a.TryAcquireAsync(Ct))!;

        Assert.Null(await b.RenewAsync(held, Ct));
        Assert.Null(await b.RenewAsync(held with { Holder = "b" }, Ct));
        await b.ReleaseAsync(held, Ct);
        Assert.Equal("a", (await b.CurrentAsync(Ct))!.Holder);
        Assert.NotNull(await a.RenewAsync(held, Ct));
    }

    [Fact]
    public async Task Release_LetsAnotherTakeOverAtOnce_WithAGreaterToken()
    {
        var a = await ServerAsync("a", Long);
        var b = await ServerAsync("b", Long);
        var held = (await a.TryAcquireAsync(Ct))!;

        await a.ReleaseAsync(held, Ct);
        var taken = await b.TryAcquireAsync(Ct);

        Assert.Equal(held.Token + 1, taken!.Token);
        Assert.Null(await a.RenewAsync(held, Ct));
    }

    [Fact]
    public async Task AStaleToken_IsRefusedByTheFence_AfterATakeover()
    {
        var a = await ServerAsync("a", Short);
        var b = await ServerAsync("b", Long);
        var old = (await a.TryAcquireAsync(Ct))!;
        var current = await EventuallyAcquireAsync(b);

        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        await using var tx = await connection.BeginTransactionAsync(Ct);

        Assert.False(await PostgresLeaderLease.FenceAsync(tx, old, Ct));
        Assert.True(await PostgresLeaderLease.FenceAsync(tx, current, Ct));
    }

    [Fact]
    public async Task AStaleToken_IsRefusedByTheFence_EvenWhenTheSameServerLeadsAgain()
    {
        // A server paused past its lease that then leads again: its plans from before carry the old token.
        var a = await ServerAsync("a", Short);
        var old = (await a.TryAcquireAsync(Ct))!;
        await Task.Delay(Short * 2);
        var again = (await a.TryAcquireAsync(Ct))!;

        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        await using var tx = await connection.BeginTransactionAsync(Ct);

        Assert.True(again.Token > old.Token);
        Assert.False(await PostgresLeaderLease.FenceAsync(tx, old, Ct));
        Assert.True(await PostgresLeaderLease.FenceAsync(tx, again, Ct));
    }

    [Fact]
    public async Task AFencedTransaction_HoldsOffATakeover_UntilItEnds()
    {
        var a = await ServerAsync("a", Short);
        var b = await ServerAsync("b", Long);
        // The transaction opened first, so the fence runs right after the lease is taken; on a loaded machine the 600 ms
        // lease may still lapse before it does (the fence then rightly refuses): taken again in a new transaction.
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        var tx = await connection.BeginTransactionAsync(Ct);
        var held = (await a.TryAcquireAsync(Ct))!;
        for (var attempt = 1; !await PostgresLeaderLease.FenceAsync(tx, held, Ct); attempt++)
        {
            Assert.True(attempt < 20, "the lease lapsed before the fence ran, 20 times");
            await tx.DisposeAsync();
            tx = await connection.BeginTransactionAsync(Ct);
            held = (await a.TryAcquireAsync(Ct))!;
        }
        await using var fenced = tx;

        // The lease expires while the leader's transaction is open: the contender waits for that transaction.
        await Task.Delay(Short * 2);
        var takeover = b.TryAcquireAsync(Ct).AsTask();
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.False(takeover.IsCompleted);
        await tx.CommitAsync(Ct);

        var taken = await takeover.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(taken!.Token > held.Token);
    }

    /// <summary>Tries until the lease held by another expires (in at most a few seconds here).</summary>
    private static async Task<Leadership> EventuallyAcquireAsync(PostgresLeaderLease lease)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            if (await lease.TryAcquireAsync(Ct) is { } taken)
            {
                return taken;
            }
        }
        throw new TimeoutException($"{lease.Holder} never acquired the lease");
    }
}
