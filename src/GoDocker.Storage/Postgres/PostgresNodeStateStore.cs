using Npgsql;
using static GoDocker.Storage.Postgres.PostgresCommands;

namespace GoDocker.Storage.Postgres;

/// <summary>Node drains in PostgreSQL, shared by every server on the database; the same behaviour as <c>SqliteNodeStateStore</c>.</summary>
public sealed class PostgresNodeStateStore : INodeStateStore
{
    private readonly NpgsqlDataSource database;

    private PostgresNodeStateStore(NpgsqlDataSource database) => this.database = database;

    /// <summary>The store on <paramref name="database"/> (owned by the caller), migrating the schema as needed.</summary>
    public static async Task<PostgresNodeStateStore> OpenAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await PostgresSchema.MigrateAsync(database, cancellationToken);
        return new PostgresNodeStateStore(database);
    }

    public async ValueTask<IReadOnlyList<NodeDrain>> ListDrainsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, """SELECT node, drained_by, drained_at FROM node_drains ORDER BY node COLLATE "C" """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var drains = new List<NodeDrain>();
        while (await reader.ReadAsync(cancellationToken))
        {
            drains.Add(new NodeDrain(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }
        return drains;
    }

    public async ValueTask<NodeDrain> DrainAsync(NodeDrain drain, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // One statement: a concurrent drain of the same node (from any server) waits on the row, then keeps the first.
        await using var command = Command(connection,
            """
            INSERT INTO node_drains (node, drained_by, drained_at) VALUES ($1, $2, $3)
            ON CONFLICT (node) DO UPDATE SET node = node_drains.node
            RETURNING drained_by, drained_at
            """,
            drain.Node, drain.By, drain.At);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new NodeDrain(drain.Node, reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1));
    }

    public async ValueTask<bool> ResumeAsync(string node, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, "DELETE FROM node_drains WHERE node = $1", node);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }
}
