using GoDocker.Usage;
using Npgsql;
using NpgsqlTypes;
using static GoDocker.Storage.Postgres.PostgresCommands;

namespace GoDocker.Storage.Postgres;

/// <summary>Kept usage series in PostgreSQL, shared by every server on the database; the same behaviour as <c>SqliteUsageStore</c>.</summary>
public sealed class PostgresUsageStore : IUsageStore
{
    private const string PointColumns =
        "attempt, idx, at, samples, cpu_seconds, max_rss_bytes, cache_bytes, max_pids, block_read_bytes, block_write_bytes, network_received_bytes, network_sent_bytes";

    private readonly NpgsqlDataSource database;

    private PostgresUsageStore(NpgsqlDataSource database) => this.database = database;

    /// <summary>The store on <paramref name="database"/> (owned by the caller), migrating the schema as needed.</summary>
    public static async Task<PostgresUsageStore> OpenAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await PostgresSchema.MigrateAsync(database, cancellationToken);
        return new PostgresUsageStore(database);
    }

    public async ValueTask WriteUsageAsync(IReadOnlyList<UsageWrite> writes, CancellationToken cancellationToken)
    {
        if (writes.Count == 0)
        {
            return;
        }
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // One round trip for the whole round: the deletes, then every point through arrays.
        var points = writes.SelectMany(w => w.Points.Select((p, i) => (w.JobId, w.Attempt, Index: w.FromIndex + i, Point: p))).ToList();
        await using var batch = new NpgsqlBatch(connection, tx);
        batch.BatchCommands.Add(Batched(
            """
            DELETE FROM usage_points u USING unnest($1::bigint[], $2::integer[], $3::integer[]) AS w (job_id, attempt, idx)
            WHERE u.job_id = w.job_id AND u.attempt = w.attempt AND u.idx >= w.idx
            """,
            writes.Select(w => w.JobId).ToArray(), writes.Select(w => w.Attempt).ToArray(), writes.Select(w => w.FromIndex).ToArray()));
        batch.BatchCommands.Add(Batched(
            $"""
            INSERT INTO usage_points (job_id, {PointColumns})
            SELECT * FROM unnest($1::bigint[], $2::integer[], $3::integer[], $4::timestamptz[], $5::integer[], $6::double precision[],
                $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[])
            """,
            points.Select(p => p.JobId).ToArray(), points.Select(p => p.Attempt).ToArray(), points.Select(p => p.Index).ToArray(),
            points.Select(p => Stored(p.Point.At)).ToArray(), points.Select(p => p.Point.Samples).ToArray(),
            points.Select(p => p.Point.CpuSeconds).ToArray(), points.Select(p => p.Point.MaxRssBytes).ToArray(),
            points.Select(p => p.Point.CacheBytes).ToArray(), points.Select(p => p.Point.MaxPids).ToArray(),
            points.Select(p => p.Point.BlockReadBytes).ToArray(), points.Select(p => p.Point.BlockWriteBytes).ToArray(),
            points.Select(p => p.Point.NetworkReceivedBytes).ToArray(), points.Select(p => p.Point.NetworkSentBytes).ToArray()));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public async ValueTask<IReadOnlyList<AttemptUsagePoint>> ReadUsageAsync(long jobId, int? attempt, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection,
            $"""
            SELECT {PointColumns} FROM usage_points
            WHERE job_id = $1 AND ($2::integer IS NULL OR attempt = $2) AND ($3::timestamptz IS NULL OR at > $3)
            ORDER BY attempt, idx
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = (object?)attempt ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = since is { } s ? Stored(s) : DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var points = new List<AttemptUsagePoint>();
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new AttemptUsagePoint(reader.GetInt32(0), reader.GetInt32(1), new UsagePoint(
                reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt32(3), reader.GetDouble(4), reader.GetInt64(5),
                reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10), reader.GetInt64(11))));
        }
        return points;
    }

    private static NpgsqlBatchCommand Batched(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return command;
    }
}
