using GoDocker.Storage.Postgres;
using GoDocker.Storage.Tests.Contracts;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>The node state store contract on a fresh PostgreSQL database; each open is a new data source, as a restarted server has.</summary>
public sealed class PostgresNodeStateStoreTests : NodeStateStoreContract
{
    private TestDatabase database = null!;

    public override async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public override async Task DisposeAsync() => await database.DisposeAsync();

    protected override async Task<INodeStateStore> OpenNodesAsync() => await PostgresNodeStateStore.OpenAsync(database.OpenDataSource(), Ct);
}
