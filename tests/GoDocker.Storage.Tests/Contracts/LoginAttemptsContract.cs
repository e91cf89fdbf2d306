namespace GoDocker.Storage.Tests.Contracts;

/// <summary>
/// What every <see cref="ILoginAttempts"/> does, run against each (in-process, PostgreSQL) by a subclass. The rule is
/// the caller's; these tests pass simple ones and check what the store shows them and records.
/// </summary>
public abstract class LoginAttemptsContract : IAsyncLifetime
{
    protected static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LongAgo = T0.AddDays(-1);

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>The store; each call on PostgreSQL is another instance on the same database, as another server's.</summary>
    protected abstract Task<ILoginAttempts> OpenAsync();

    private static Func<LoginCounts, LoginDecision> Admit(List<LoginCounts>? seen = null) => counts =>
    {
        seen?.Add(counts);
        return new LoginDecision(TimeSpan.Zero, (counts.Pair?.Failures ?? 0) + 1);
    };

    [Fact]
    public async Task AnAdmittedAttempt_CountsForItsPair_ItsAddress_AndItsLogin()
    {
        var store = await OpenAsync();
        await store.ReserveAsync("alice", "192.0.2.1", T0, LongAgo, LongAgo, Admit(), Ct);
        await store.ReserveAsync("bob", "192.0.2.1", T0.AddSeconds(1), LongAgo, LongAgo, Admit(), Ct);
        await store.ReserveAsync("alice", "192.0.2.2", T0.AddSeconds(2), LongAgo, LongAgo, Admit(), Ct);
        var seen = new List<LoginCounts>();

        var reserved = await store.ReserveAsync("alice", "192.0.2.1", T0.AddSeconds(3), LongAgo, LongAgo, Admit(seen), Ct);

        var counts = Assert.Single(seen);
        Assert.Equal(new LoginPair(1, T0), counts.Pair);
        Assert.Equal([T0, T0.AddSeconds(1)], counts.ByAddress);
        Assert.Equal([T0, T0.AddSeconds(2)], counts.ByLogin);
        Assert.Equal(new LoginAttempt(reserved.Attempt!.Id, "alice", "192.0.2.1", T0.AddSeconds(3)), reserved.Attempt);
        Assert.Equal(TimeSpan.Zero, reserved.RetryAfter);
    }

    [Fact]
    public async Task ARefusal_RecordsNothing_AndSaysTheWait()
    {
        var store = await OpenAsync();
        await store.ReserveAsync("alice", "192.0.2.1", T0, LongAgo, LongAgo, Admit(), Ct);

        var refused = await store.ReserveAsync("alice", "192.0.2.1", T0.AddSeconds(1), LongAgo, LongAgo, _ => new LoginDecision(TimeSpan.FromSeconds(30), 7), Ct);
        var seen = new List<LoginCounts>();
        await store.ReserveAsync("alice", "192.0.2.1", T0.AddSeconds(2), LongAgo, LongAgo, Admit(seen), Ct);

        Assert.Equal(new LoginReservation(null, TimeSpan.FromSeconds(30)), refused);
        Assert.Equal(new LoginPair(1, T0), seen[0].Pair);
        Assert.Equal([T0], seen[0].ByLogin);
    }

    [Fact]
    public async Task ASuccess_ForgetsThePair_AndTheAttempt_ButNotTheOthers()
    {
        var store = await OpenAsync();
        await store.ReserveAsync("alice", "192.0.2.1", T0, LongAgo, LongAgo, Admit(), Ct);
        var right = (await store.ReserveAsync("alice", "192.0.2.1", T0.AddSeconds(1), LongAgo, LongAgo, Admit(), Ct)).Attempt!;

        await (await OpenAsync()).SucceededAsync(right, Ct);
        var seen = new List<LoginCounts>();
        await store.ReserveAsync("alice", "192.0.2.1", T0.AddSeconds(2), LongAgo, LongAgo, Admit(seen), Ct);

        Assert.Null(seen[0].Pair);
        Assert.Equal([T0], seen[0].ByAddress);
        Assert.Equal([T0], seen[0].ByLogin);
    }

    [Fact]
    public async Task AnAbandonedAttempt_NoLongerCounts_AndThePairHasOneFailureLess()
    {
        var store = await OpenAsync();
        await store.ReserveAsync("alice", "192.0.2.1", T0, LongAgo, LongAgo, Admit(), Ct);
        var unchecked1 = (await store.ReserveAsync("alice", "192.0.2.1", T0.AddSeconds(1), LongAgo, LongAgo, Admit(), Ct)).Attempt!;

        await store.AbandonedAsync(unchecked1, Ct);
        var seen = new List<LoginCounts>();
        var only = (await store.ReserveAsync("bob", "192.0.2.9", T0.AddSeconds(2), LongAgo, LongAgo, Admit(), Ct)).Attempt!;
        await store.AbandonedAsync(only, Ct);
        await store.ReserveAsync("alice", "192.0.2.1", T0.AddSeconds(3), LongAgo, LongAgo, Admit(seen), Ct);
        await store.ReserveAsync("bob", "192.0.2.9", T0.AddSeconds(4), LongAgo, LongAgo, Admit(seen), Ct);

        Assert.Equal(new LoginPair(1, T0.AddSeconds(1)), seen[0].Pair); // one failure less; the last one's time stays
        Assert.Equal([T0], seen[0].ByLogin);
        Assert.Null(seen[1].Pair);
        Assert.Empty(seen[1].ByLogin);
    }

    [Fact]
    public async Task AttemptsAndPairsBeforeTheirSince_AreNotShown()
    {
        var store = await OpenAsync();
        await store.ReserveAsync("alice", "192.0.2.1", T0, LongAgo, LongAgo, Admit(), Ct);
        await store.ReserveAsync("alice", "192.0.2.2", T0.AddMinutes(5), LongAgo, LongAgo, Admit(), Ct);
        var seen = new List<LoginCounts>();

        await store.ReserveAsync("alice", "192.0.2.1", T0.AddMinutes(10), T0.AddMinutes(1), T0.AddMinutes(1), Admit(seen), Ct);

        Assert.Null(seen[0].Pair);
        Assert.Empty(seen[0].ByAddress);
        Assert.Equal([T0.AddMinutes(5)], seen[0].ByLogin);
    }

    [Fact]
    public async Task ParallelReservations_OnEveryInstance_SeeEachOther_SoALimitHolds()
    {
        var stores = new[] { await OpenAsync(), await OpenAsync() };
        Func<LoginCounts, LoginDecision> upToFive = counts => new LoginDecision(counts.ByLogin.Count < 5 ? TimeSpan.Zero : TimeSpan.FromSeconds(30), 1);

        var reservations = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
            await stores[i % 2].ReserveAsync("alice", $"192.0.2.{i}", T0, LongAgo, LongAgo, upToFive, Ct))));

        Assert.Equal(5, reservations.Count(r => r.Attempt is not null));
        Assert.Equal(5, reservations.Where(r => r.Attempt is not null).Select(r => r.Attempt!.Id).Distinct().Count());
    }
}
