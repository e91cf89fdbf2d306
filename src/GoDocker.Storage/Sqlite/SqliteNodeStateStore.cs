using Microsoft.Data.Sqlite;
using static GoDocker.Storage.Sqlite.SqliteCommands;

namespace GoDocker.Storage.Sqlite;

/// <summary>
/// Node drains in the same SQLite file as the jobs, in a table of their own (created if absent, outside the job
/// store's migrations: it is read once at start and written only by administrators).
/// </summary>
public sealed class SqliteNodeStateStore : INodeStateStore
{
    private readonly string connectionString;

    private SqliteNodeStateStore(string connectionString) => this.connectionString = connectionString;

    public static async Task<SqliteNodeStateStore> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var connectionString = SqliteSchema.SharedFile(path).ToString();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var create = Command(connection,
            "CREATE TABLE IF NOT EXISTS node_drains (node TEXT PRIMARY KEY, drained_by TEXT NOT NULL, drained_at INTEGER NOT NULL)");
        await create.ExecuteNonQueryAsync(cancellationToken);
        return new SqliteNodeStateStore(connectionString);
    }

    public async ValueTask<IReadOnlyList<NodeDrain>> ListDrainsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT node, drained_by, drained_at FROM node_drains ORDER BY node");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var drains = new List<NodeDrain>();
        while (await reader.ReadAsync(cancellationToken))
        {
            drains.Add(new NodeDrain(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
        }
        return drains;
    }

    public async ValueTask<NodeDrain> DrainAsync(NodeDrain drain, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // One statement: a concurrent drain of the same node cannot slip in between the insert and the read.
        await using var command = Command(connection,
            """
            INSERT INTO node_drains (node, drained_by, drained_at) VALUES ($node, $by, $at)
            ON CONFLICT (node) DO UPDATE SET node = node
            RETURNING drained_by, drained_at
            """,
            ("$node", drain.Node), ("$by", drain.By), ("$at", drain.At.ToUnixTimeMilliseconds()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new NodeDrain(drain.Node, reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
    }

    public async ValueTask<bool> ResumeAsync(string node, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "DELETE FROM node_drains WHERE node = $node", ("$node", node));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
