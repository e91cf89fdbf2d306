using System.Text.Json;
using GoDocker.Contracts;
using GoDocker.Notifications;
using Microsoft.Data.Sqlite;
using static GoDocker.Storage.Sqlite.SqliteCommands;

namespace GoDocker.Storage.Sqlite;

/// <summary>
/// The notification outbox and users' webhooks in the same SQLite file as the jobs (its own connection; WAL serialises
/// writers). The job store inserts notices in its own transactions (<see cref="InsertAsync"/>); this store reads and marks them.
/// </summary>
public sealed class SqliteNotificationStore : INotificationStore
{
    private const string OutboxColumns = "id, notice, attempts, next_try_at, done_at, last_error";

    private readonly string connectionString;

    private SqliteNotificationStore(string connectionString) => this.connectionString = connectionString;

    /// <summary>Opens the store in <paramref name="path"/>, migrating the schema as needed.</summary>
    public static async Task<SqliteNotificationStore> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var connectionString = await SqliteSchema.OpenMigratedAsync(SqliteSchema.SharedFile(path), cancellationToken);
        return new SqliteNotificationStore(connectionString);
    }

    /// <summary>Puts <paramref name="notice"/> in the outbox, due at once, in the job change's transaction <paramref name="tx"/>.</summary>
    internal static async Task InsertAsync(SqliteTransaction tx, JobNotice notice, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var insert = Command(tx,
            "INSERT INTO notification_outbox (job_id, notice, created_at, next_try_at) VALUES ($job, $notice, $at, $at)",
            ("$job", notice.JobId), ("$notice", JsonSerializer.Serialize(notice, GoDockerJson.Default.JobNotice)), ("$at", at.ToUnixTimeMilliseconds()));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<IReadOnlyList<OutboxNotice>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        await ReadNoticesAsync(
            $"SELECT {OutboxColumns} FROM notification_outbox WHERE next_try_at IS NOT NULL AND next_try_at <= $now ORDER BY next_try_at, id LIMIT $limit",
            [("$now", now.ToUnixTimeMilliseconds()), ("$limit", limit)], cancellationToken);

    public async ValueTask<IReadOnlyList<OutboxNotice>> ListForJobAsync(long jobId, CancellationToken cancellationToken) =>
        await ReadNoticesAsync($"SELECT {OutboxColumns} FROM notification_outbox WHERE job_id = $job ORDER BY id", [("$job", jobId)], cancellationToken);

    public async ValueTask RecordDeliveredAsync(long id, string target, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var insert = Command(connection,
            "INSERT OR IGNORE INTO notification_deliveries (notice_id, target, delivered_at) VALUES ($id, $target, $at)",
            ("$id", id), ("$target", target), ("$at", at.ToUnixTimeMilliseconds()));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask RecordTryAsync(long id, int attempts, DateTimeOffset? nextTry, string? error, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var update = Command(connection,
            "UPDATE notification_outbox SET attempts = $attempts, next_try_at = $next, done_at = $done, last_error = $error WHERE id = $id",
            ("$attempts", attempts), ("$next", nextTry?.ToUnixTimeMilliseconds()), ("$done", nextTry is null ? at.ToUnixTimeMilliseconds() : null),
            ("$error", error), ("$id", id));
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask AddWebhookAsync(UserWebhook webhook, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var insert = Command(connection,
            "INSERT INTO webhooks (id, owner, url, events, created_at) VALUES ($id, $owner, $url, $events, $at)",
            ("$id", webhook.Id), ("$owner", webhook.Owner), ("$url", webhook.Url), ("$events", MailTypeList.Format(webhook.Events)),
            ("$at", webhook.CreatedAt.ToUnixTimeMilliseconds()));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<IReadOnlyList<UserWebhook>> ListWebhooksAsync(string? owner, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = Command(connection,
            "SELECT id, owner, url, events, created_at FROM webhooks WHERE $owner IS NULL OR owner = $owner ORDER BY created_at, id", ("$owner", owner));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var webhooks = new List<UserWebhook>();
        while (await reader.ReadAsync(cancellationToken))
        {
            webhooks.Add(new UserWebhook(reader.GetString(0), reader.GetString(1), reader.GetString(2), MailTypeList.ParseStored(reader.GetString(3)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }
        return webhooks;
    }

    public async ValueTask<bool> RemoveWebhookAsync(string owner, string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var delete = Command(connection, "DELETE FROM webhooks WHERE id = $id AND owner = $owner", ("$id", id), ("$owner", owner));
        return await delete.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<IReadOnlyList<OutboxNotice>> ReadNoticesAsync(string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = connection.BeginTransaction();
        var notices = new List<OutboxNotice>();
        await using (var select = Command(tx, sql, parameters))
        {
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                notices.Add(new OutboxNotice(reader.GetInt64(0), JsonSerializer.Deserialize(reader.GetString(1), GoDockerJson.Default.JobNotice)!,
                    reader.GetInt32(2), new HashSet<string>())
                {
                    NextTry = reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                    DoneAt = reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                    LastError = reader.IsDBNull(5) ? null : reader.GetString(5),
                });
            }
        }
        if (notices.Count == 0)
        {
            return notices;
        }
        await using var delivered = Command(tx, "SELECT target FROM notification_deliveries WHERE notice_id = $id", ("$id", 0L));
        foreach (var notice in notices)
        {
            delivered.Parameters["$id"].Value = notice.Id;
            await using var reader = await delivered.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ((HashSet<string>)notice.Delivered).Add(reader.GetString(0));
            }
        }
        return notices;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
