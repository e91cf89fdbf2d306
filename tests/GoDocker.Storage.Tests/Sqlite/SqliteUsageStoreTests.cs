using GoDocker.Storage.Sqlite;
using GoDocker.Storage.Tests.Contracts;
using Microsoft.Data.Sqlite;

namespace GoDocker.Storage.Tests.Sqlite;

/// <summary>The usage store contract on a SQLite file, where the series sit beside the jobs.</summary>
public sealed class SqliteUsageStoreTests : UsageStoreContract
{
    private readonly TempDirectory directory = new();

    public override Task InitializeAsync() => Task.CompletedTask;

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        directory.Dispose();
        return Task.CompletedTask;
    }

    protected override async Task<IUsageStore> OpenUsageAsync() => await SqliteUsageStore.OpenAsync(directory.Combine("godocker.db"), Ct);
}
