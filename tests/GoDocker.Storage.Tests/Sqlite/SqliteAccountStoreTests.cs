using GoDocker.Storage.Sqlite;
using GoDocker.Storage.Tests.Contracts;
using Microsoft.Data.Sqlite;

namespace GoDocker.Storage.Tests.Sqlite;

/// <summary>The account store contract on a SQLite file in a fresh temp folder.</summary>
public sealed class SqliteAccountStoreTests : AccountStoreContract
{
    private readonly TempDirectory directory = new();
    private SqliteAccountStore? store;

    public override Task InitializeAsync() => Task.CompletedTask;

    public override async Task DisposeAsync()
    {
        if (store is not null)
        {
            await store.DisposeAsync();
        }
        SqliteConnection.ClearAllPools();
        directory.Dispose();
    }

    protected override async Task<IAccountStore> OpenAccountsAsync() =>
        store = await SqliteAccountStore.OpenAsync(directory.Combine("godocker.db"), Time, Ct);
}
