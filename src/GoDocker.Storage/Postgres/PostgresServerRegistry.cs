using Npgsql;
using static GoDocker.Storage.Postgres.PostgresCommands;

namespace GoDocker.Storage.Postgres;

/// <summary>The servers on one PostgreSQL, in the servers table; times by the database's clock, as the lease's.</summary>
public sealed class PostgresServerRegistry : IServerRegistry
{
    private const string Columns = "id, address, started_at, last_seen";
    private readonly NpgsqlDataSource database;

    private PostgresServerRegistry(NpgsqlDataSource database) => this.database = database;

    /// <summary>The registry on <paramref name="database"/> (owned by the caller), migrating the schema as needed.</summary>
    public static async Task<PostgresServerRegistry> OpenAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await PostgresSchema.MigrateAsync(database, cancellationToken);
        return new PostgresServerRegistry(database);
    }

    public async ValueTask<RegisteredServer> RegisterAsync(string id, string address, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection,
            $"""
            INSERT INTO servers (id, address, started_at, last_seen) VALUES ($1, $2, now(), now())
            ON CONFLICT (id) DO UPDATE SET address = EXCLUDED.address, started_at = now(), last_seen = now()
            RETURNING {Columns}
            """,
            id, address);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return Read(reader);
    }

    public async ValueTask<bool> HeartbeatAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, "UPDATE servers SET last_seen = now() WHERE id = $1", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async ValueTask<bool> UnregisterAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, "DELETE FROM servers WHERE id = $1", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async ValueTask<IReadOnlyList<RegisteredServer>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"""SELECT {Columns} FROM servers ORDER BY id COLLATE "C" """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var servers = new List<RegisteredServer>();
        while (await reader.ReadAsync(cancellationToken))
        {
            servers.Add(Read(reader));
        }
        return servers;
    }

    private static RegisteredServer Read(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3));
}
