using GoDocker.Storage.Sqlite;

namespace GoDocker.Storage.Tests.Sqlite;

/// <summary>Node drains beside the jobs in the same file: kept across a reopen, first drainer kept, resume forgets.</summary>
public sealed class NodeStateStoreTests : StoreTest
{
    private Task<SqliteNodeStateStore> OpenNodesAsync() => SqliteNodeStateStore.OpenAsync(DatabasePath, Ct);

    [Fact]
    public async Task Drain_IsKeptAcrossAReopen_BesideTheJobs()
    {
        var nodes = await OpenNodesAsync();
        var job = await SubmitAsync();

        await nodes.DrainAsync(new NodeDrain("n1", "admin", Start), Ct);
        await ReopenAsync();
        var reopened = await OpenNodesAsync();

        Assert.Equal([new NodeDrain("n1", "admin", Start)], await reopened.ListDrainsAsync(Ct));
        Assert.Equal(job.Id, (await GetAsync(job)).Id);
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
