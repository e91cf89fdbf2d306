using Npgsql;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>
/// A fresh, empty database on the tests' PostgreSQL (GODOCKER_TEST_POSTGRES, or the one scripts/postgres.sh
/// starts when that is not set), dropped on dispose: every test starts from nothing, whatever runs beside it.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly Lazy<Task<string>> Server = new(StartServerAsync);
    private readonly string serverConnectionString;
    private readonly List<NpgsqlDataSource> dataSources = [];

    private TestDatabase(string serverConnectionString, string name, string connectionString)
    {
        this.serverConnectionString = serverConnectionString;
        Name = name;
        ConnectionString = connectionString;
        DataSource = OpenDataSource();
    }

    public string Name { get; }
    public string ConnectionString { get; }

    /// <summary>A data source on the database, as a server would have one.</summary>
    public NpgsqlDataSource DataSource { get; }

    public static async Task<TestDatabase> CreateAsync() => await CreateAsync(await Server.Value);

    /// <summary>A fresh database on the server <paramref name="serverConnectionString"/> connects to.</summary>
    public static async Task<TestDatabase> CreateAsync(string serverConnectionString)
    {
        var name = "godocker_test_" + Guid.NewGuid().ToString("N");
        await using (var server = NpgsqlDataSource.Create(serverConnectionString))
        await using (var create = server.CreateCommand($"CREATE DATABASE {name}"))
        {
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
        return new TestDatabase(serverConnectionString, name, connectionString);
    }

    /// <summary>
    /// Another data source on the database (its own pool), as a second server would have; disposed with the database.
    /// Its connections show <paramref name="applicationName"/> in pg_stat_activity.
    /// </summary>
    public NpgsqlDataSource OpenDataSource(string applicationName = "godocker-tests")
    {
        var dataSource = NpgsqlDataSource.Create(
            new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName }.ConnectionString);
        dataSources.Add(dataSource);
        return dataSource;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var dataSource in dataSources)
        {
            await dataSource.DisposeAsync();
        }
        await using var server = NpgsqlDataSource.Create(serverConnectionString);
        await using var drop = server.CreateCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        // FORCE may not end an autovacuum worker busy in the database (it is the superuser's): wait for it to finish.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 20)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
        }
    }

    private static async Task<string> StartServerAsync()
    {
        var given = Environment.GetEnvironmentVariable("GODOCKER_TEST_POSTGRES");
        return string.IsNullOrWhiteSpace(given) ? await PostgresScript.RunAsync("start") : given;
    }
}
