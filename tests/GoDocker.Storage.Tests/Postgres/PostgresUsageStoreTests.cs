using GoDocker.Storage.Postgres;
using GoDocker.Storage.Tests.Contracts;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>The usage store contract on a fresh PostgreSQL database; each open is a new data source, as a restarted server has.</summary>
public sealed class PostgresUsageStoreTests : UsageStoreContract
{
    private TestDatabase database = null!;

    public override async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public override async Task DisposeAsync() => await database.DisposeAsync();

    protected override async Task<IUsageStore> OpenUsageAsync() => await PostgresUsageStore.OpenAsync(database.OpenDataSource(), Ct);
}
