namespace GoDocker.Storage.Tests.Contracts;

/// <summary>
/// What every <see cref="INodeStateStore"/> does, run against each store (SQLite, PostgreSQL) by a subclass:
/// drains kept across a reopen, first drainer kept, resume forgets.
/// </summary>
public abstract class NodeStateStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    protected static readonly CancellationToken Ct = CancellationToken.None;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>Opens a store on the test's database: each call a new one, as a restarted server would.</summary>
    protected abstract Task<INodeStateStore> OpenNodesAsync();

    [Fact]
    public async Task Drain_IsKeptAcrossAReopen()
    {
        var nodes = await OpenNodesAsync();

        await nodes.DrainAsync(new NodeDrain("n1", "admin", Start), Ct);
        var reopened = await OpenNodesAsync();

        Assert.Equal([new NodeDrain("n1", "admin", Start)], await reopened.ListDrainsAsync(Ct));
    }

    [Fact]
    public async Task DrainingADrainedNode_KeepsTheFirstDrainer()
    {
        var nodes = await OpenNodesAsync();

        var first = await nodes.DrainAsync(new NodeDrain("n1", "alice", Start), Ct);
        var second = await nodes.DrainAsync(new NodeDrain("n1", "bob", Start.AddHours(1)), Ct);

        Assert.Equal(first, second);
        Assert.Equal("alice", Assert.Single(await nodes.ListDrainsAsync(Ct)).By);
    }

    [Fact]
    public async Task Resume_ForgetsTheDrain_AndSaysWhetherThereWasOne()
    {
        var nodes = await OpenNodesAsync();
        await nodes.DrainAsync(new NodeDrain("n1", "admin", Start), Ct);
        await nodes.DrainAsync(new NodeDrain("n2", "admin", Start), Ct);

        var resumed = await nodes.ResumeAsync("n1", Ct);
        var again = await nodes.ResumeAsync("n1", Ct);

        Assert.True(resumed);
        Assert.False(again);
        Assert.Equal(["n2"], (await nodes.ListDrainsAsync(Ct)).Select(d => d.Node));
    }
}
