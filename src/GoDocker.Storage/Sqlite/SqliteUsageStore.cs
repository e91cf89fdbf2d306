using GoDocker.Usage;
using Microsoft.Data.Sqlite;
using static GoDocker.Storage.Sqlite.SqliteCommands;

namespace GoDocker.Storage.Sqlite;

/// <summary>
/// Kept usage series in the same SQLite file as the jobs (its own connection; WAL serialises writers). A sampling round
/// is one short transaction, so the job store's writer waits for it at most a few milliseconds.
/// </summary>
public sealed class SqliteUsageStore : IUsageStore
{
    private const string PointColumns =
        "attempt, idx, at, samples, cpu_seconds, max_rss_bytes, cache_bytes, max_pids, block_read_bytes, block_write_bytes, network_received_bytes, network_sent_bytes";

    private readonly string connectionString;

    private SqliteUsageStore(string connectionString) => this.connectionString = connectionString;

    /// <summary>Opens the store in <paramref name="path"/>, migrating the schema as needed.</summary>
    public static async Task<SqliteUsageStore> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var connectionString = await SqliteSchema.OpenMigratedAsync(SqliteSchema.SharedFile(path), cancellationToken);
        return new SqliteUsageStore(connectionString);
    }

    public async ValueTask WriteUsageAsync(IReadOnlyList<UsageWrite> writes, CancellationToken cancellationToken)
    {
        if (writes.Count == 0)
        {
            return;
        }
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = connection.BeginTransaction();
        await using var delete = Command(tx, "DELETE FROM usage_points WHERE job_id = $job AND attempt = $attempt AND idx >= $from",
            ("$job", 0L), ("$attempt", 0), ("$from", 0));
        await using var insert = Command(tx,
            $"""
            INSERT INTO usage_points (job_id, {PointColumns})
            VALUES ($job, $attempt, $idx, $at, $samples, $cpu, $rss, $cache, $pids, $read, $write, $rx, $tx)
            """,
            ("$job", 0L), ("$attempt", 0), ("$idx", 0), ("$at", 0L), ("$samples", 0), ("$cpu", 0.0), ("$rss", 0L), ("$cache", 0L),
            ("$pids", 0L), ("$read", 0L), ("$write", 0L), ("$rx", 0L), ("$tx", 0L));
        foreach (var write in writes)
        {
            delete.Parameters["$job"].Value = write.JobId;
            delete.Parameters["$attempt"].Value = write.Attempt;
            delete.Parameters["$from"].Value = write.FromIndex;
            await delete.ExecuteNonQueryAsync(cancellationToken);
            for (var i = 0; i < write.Points.Count; i++)
            {
                var p = write.Points[i];
                insert.Parameters["$job"].Value = write.JobId;
                insert.Parameters["$attempt"].Value = write.Attempt;
                insert.Parameters["$idx"].Value = write.FromIndex + i;
                insert.Parameters["$at"].Value = p.At.ToUnixTimeMilliseconds();
                insert.Parameters["$samples"].Value = p.Samples;
                insert.Parameters["$cpu"].Value = p.CpuSeconds;
                insert.Parameters["$rss"].Value = p.MaxRssBytes;
                insert.Parameters["$cache"].Value = p.CacheBytes;
                insert.Parameters["$pids"].Value = p.MaxPids;
                insert.Parameters["$read"].Value = p.BlockReadBytes;
                insert.Parameters["$write"].Value = p.BlockWriteBytes;
                insert.Parameters["$rx"].Value = p.NetworkReceivedBytes;
                insert.Parameters["$tx"].Value = p.NetworkSentBytes;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await tx.CommitAsync(cancellationToken);
    }

    public async ValueTask<IReadOnlyList<AttemptUsagePoint>> ReadUsageAsync(long jobId, int? attempt, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            $"""
            SELECT {PointColumns} FROM usage_points
            WHERE job_id = $job AND ($attempt IS NULL OR attempt = $attempt) AND ($since IS NULL OR at > $since)
            ORDER BY attempt, idx
            """,
            ("$job", jobId), ("$attempt", attempt), ("$since", since?.ToUnixTimeMilliseconds()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var points = new List<AttemptUsagePoint>();
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new AttemptUsagePoint(reader.GetInt32(0), reader.GetInt32(1), new UsagePoint(
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetInt32(3), reader.GetDouble(4), reader.GetInt64(5),
                reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10), reader.GetInt64(11))));
        }
        return points;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
