using GoDocker.Storage.Postgres;
using GoDocker.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>Migrations: idempotent, once when servers start together, and the same tables and columns as the SQLite store.</summary>
public sealed class PostgresSchemaTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    /// <summary>What only several servers need: no SQLite counterpart.</summary>
    private static readonly string[] PostgresOnly = ["leader_lease", "login_attempts", "login_pairs", "schema_migrations", "servers"];
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Migrate_Twice_AppliesEveryMigrationOnce()
    {
        await PostgresSchema.MigrateAsync(database.DataSource, Ct);
        var tables = await TablesAsync();

        await PostgresSchema.MigrateAsync(database.DataSource, Ct);

        Assert.Equal(Enumerable.Range(1, PostgresSchema.Version), await AppliedAsync());
        Assert.Equal(tables, await TablesAsync());
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(*) FROM projects WHERE name = 'default'"));
    }

    [Fact]
    public async Task ServersStartingTogether_MigrateOnce()
    {
        // Each its own pool, as separate servers: they meet only in the database.
        var servers = Enumerable.Range(0, 6).Select(_ => database.OpenDataSource()).ToList();

        await Task.WhenAll(servers.Select(s => PostgresSchema.MigrateAsync(s, Ct)));

        Assert.Equal(Enumerable.Range(1, PostgresSchema.Version), await AppliedAsync());
        Assert.Contains("jobs", await TablesAsync());
    }

    [Fact]
    public async Task ADatabaseMigratedByANewerBuild_IsRefused_NotDowngraded()
    {
        await PostgresSchema.MigrateAsync(database.DataSource, Ct);
        await ScalarAsync<int>($"INSERT INTO schema_migrations (version) VALUES ({PostgresSchema.Version + 1}) RETURNING version");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.MigrateAsync(database.DataSource, Ct));

        Assert.Contains($"version {PostgresSchema.Version + 1}", refused.Message);
    }

    [Fact]
    public async Task Tables_AreTheSqliteStoresTables_ColumnForColumn()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("godocker.db");
        await using (await SqliteJobStore.OpenAsync(path, new FakeTimeProvider(), Ct))
        {
            await SqliteNodeStateStore.OpenAsync(path, Ct);
        }
        var sqlite = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText =
                """
                SELECT m.name, group_concat(c.name, ',') FROM sqlite_master m, pragma_table_info(m.name) c
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' GROUP BY m.name
                """;
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                sqlite[reader.GetString(0)] = string.Join(',', reader.GetString(1).Split(',').Order(StringComparer.Ordinal));
            }
        }
        SqliteConnection.ClearAllPools();
        await PostgresSchema.MigrateAsync(database.DataSource, Ct);

        var postgres = await ColumnsAsync();

        Assert.Equal(sqlite, new SortedDictionary<string, string>(
            postgres.Where(t => !PostgresOnly.Contains(t.Key)).ToDictionary(), StringComparer.Ordinal));
        Assert.Equal(PostgresOnly, postgres.Keys.Where(PostgresOnly.Contains));
    }

    private async Task<List<int>> AppliedAsync()
    {
        await using var command = database.DataSource.CreateCommand("SELECT version FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var versions = new List<int>();
        while (await reader.ReadAsync(Ct))
        {
            versions.Add(reader.GetInt32(0));
        }
        return versions;
    }

    private async Task<List<string>> TablesAsync() => [.. (await ColumnsAsync()).Keys];

    /// <summary>Each table of the public schema with its columns, sorted, comma-separated.</summary>
    private async Task<SortedDictionary<string, string>> ColumnsAsync()
    {
        await using var command = database.DataSource.CreateCommand(
            """
            SELECT table_name, string_agg(column_name, ',' ORDER BY column_name COLLATE "C")
            FROM information_schema.columns WHERE table_schema = 'public' GROUP BY table_name
            """);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var tables = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(Ct))
        {
            tables[reader.GetString(0)] = reader.GetString(1);
        }
        return tables;
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using NpgsqlCommand command = database.DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }
}
