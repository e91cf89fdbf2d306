using GoDocker.Storage.Postgres;
using GoDocker.Storage.Tests.Contracts;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>The server registry contract on a fresh PostgreSQL database, whose clock moves in real time.</summary>
public sealed class PostgresServerRegistryTests : ServerRegistryContract
{
    private TestDatabase database = null!;

    public override async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public override async Task DisposeAsync() => await database.DisposeAsync();

    protected override async Task<IServerRegistry> OpenRegistryAsync() => await PostgresServerRegistry.OpenAsync(database.DataSource, Ct);

    protected override Task PassTimeAsync() => Task.Delay(TimeSpan.FromMilliseconds(20));
}
