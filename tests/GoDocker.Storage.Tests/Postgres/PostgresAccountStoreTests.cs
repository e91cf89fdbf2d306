using GoDocker.Storage.Postgres;
using GoDocker.Storage.Tests.Contracts;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>The account store contract on a fresh PostgreSQL database.</summary>
public sealed class PostgresAccountStoreTests : AccountStoreContract
{
    private TestDatabase database = null!;

    public override async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public override async Task DisposeAsync() => await database.DisposeAsync();

    protected override async Task<IAccountStore> OpenAccountsAsync() => await PostgresAccountStore.OpenAsync(database.DataSource, Time, Ct);
}
