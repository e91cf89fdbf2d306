using GoDocker.Storage.Sqlite;
using GoDocker.Storage.Tests.Contracts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace GoDocker.Storage.Tests.Sqlite;

/// <summary>The node state store contract on a SQLite file, where the drains sit beside the jobs.</summary>
public sealed class SqliteNodeStateStoreTests : NodeStateStoreContract
{
    private readonly TempDirectory directory = new();

    private string DatabasePath => directory.Combine("godocker.db");

    public override Task InitializeAsync() => Task.CompletedTask;

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        directory.Dispose();
        return Task.CompletedTask;
    }

    protected override async Task<INodeStateStore> OpenNodesAsync() => await SqliteNodeStateStore.OpenAsync(DatabasePath, Ct);

    [Fact]
    public async Task Drain_IsKeptAcrossAReopen_BesideTheJobs()
    {
        var time = new FakeTimeProvider(Start);
        var store = await SqliteJobStore.OpenAsync(DatabasePath, time, Ct);
        var nodes = await OpenNodesAsync();
        var job = await store.SubmitAsync(SpecBuilder.ASpec().Build(), "alice", Ct);

        await nodes.DrainAsync(new NodeDrain("n1", "admin", Start), Ct);
        await store.DisposeAsync();
        await using var reopenedStore = await SqliteJobStore.OpenAsync(DatabasePath, time, Ct);
        var reopened = await OpenNodesAsync();

        Assert.Equal([new NodeDrain("n1", "admin", Start)], await reopened.ListDrainsAsync(Ct));
        Assert.Equal(job.Id, (await reopenedStore.GetAsync(job.Id, Ct))!.Id);
    }
}
