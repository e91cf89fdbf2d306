using GoDocker.Storage.Postgres;
using GoDocker.Storage.Tests.Contracts;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>The failed-logins contract on a fresh PostgreSQL database; each open is another server's instance.</summary>
public sealed class PostgresLoginAttemptsTests : LoginAttemptsContract
{
    private TestDatabase database = null!;

    public override async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public override async Task DisposeAsync() => await database.DisposeAsync();

    protected override async Task<ILoginAttempts> OpenAsync() => await PostgresLoginAttempts.OpenAsync(database.DataSource, Ct);
}
