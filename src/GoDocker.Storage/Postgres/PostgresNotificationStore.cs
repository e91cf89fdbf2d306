using System.Text.Json;
using GoDocker.Contracts;
using GoDocker.Notifications;
using Npgsql;
using static GoDocker.Storage.Postgres.PostgresCommands;

namespace GoDocker.Storage.Postgres;

/// <summary>The notification outbox and users' webhooks in PostgreSQL, shared by every server; the same behaviour as <c>SqliteNotificationStore</c>.</summary>
public sealed class PostgresNotificationStore : INotificationStore
{
    private const string OutboxColumns = "id, notice, attempts, next_try_at, done_at, last_error";

    private readonly NpgsqlDataSource database;

    private PostgresNotificationStore(NpgsqlDataSource database) => this.database = database;

    /// <summary>The store on <paramref name="database"/> (owned by the caller), migrating the schema as needed.</summary>
    public static async Task<PostgresNotificationStore> OpenAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await PostgresSchema.MigrateAsync(database, cancellationToken);
        return new PostgresNotificationStore(database);
    }

    /// <summary>Puts <paramref name="notice"/> in the outbox, due at once, in the job change's transaction <paramref name="tx"/>.</summary>
    internal static async Task InsertAsync(NpgsqlTransaction tx, JobNotice notice, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var insert = Command(tx,
            "INSERT INTO notification_outbox (job_id, notice, created_at, next_try_at) VALUES ($1, $2, $3, $3)",
            notice.JobId, JsonSerializer.Serialize(notice, GoDockerJson.Default.JobNotice), at);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<IReadOnlyList<OutboxNotice>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        await ReadNoticesAsync(
            $"SELECT {OutboxColumns} FROM notification_outbox WHERE next_try_at IS NOT NULL AND next_try_at <= $1 ORDER BY next_try_at, id LIMIT $2",
            [now, limit], cancellationToken);

    public async ValueTask<IReadOnlyList<OutboxNotice>> ListForJobAsync(long jobId, CancellationToken cancellationToken) =>
        await ReadNoticesAsync($"SELECT {OutboxColumns} FROM notification_outbox WHERE job_id = $1 ORDER BY id", [jobId], cancellationToken);

    public async ValueTask RecordDeliveredAsync(long id, string target, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var insert = Command(connection,
            "INSERT INTO notification_deliveries (notice_id, target, delivered_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", id, target, at);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask RecordTryAsync(long id, int attempts, DateTimeOffset? nextTry, string? error, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var update = Command(connection,
            "UPDATE notification_outbox SET attempts = $1, next_try_at = $2::timestamptz, done_at = $3::timestamptz, last_error = $4::text WHERE id = $5",
            attempts, nextTry, nextTry is null ? at : null, error, id);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask AddWebhookAsync(UserWebhook webhook, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var insert = Command(connection,
            "INSERT INTO webhooks (id, owner, url, events, created_at) VALUES ($1, $2, $3, $4, $5)",
            webhook.Id, webhook.Owner, webhook.Url, MailTypeList.Format(webhook.Events), webhook.CreatedAt);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<IReadOnlyList<UserWebhook>> ListWebhooksAsync(string? owner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var select = Command(connection,
            "SELECT id, owner, url, events, created_at FROM webhooks WHERE $1::text IS NULL OR owner = $1::text ORDER BY created_at, id", owner);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var webhooks = new List<UserWebhook>();
        while (await reader.ReadAsync(cancellationToken))
        {
            webhooks.Add(new UserWebhook(reader.GetString(0), reader.GetString(1), reader.GetString(2), MailTypeList.ParseStored(reader.GetString(3)), reader.GetFieldValue<DateTimeOffset>(4)));
        }
        return webhooks;
    }

    public async ValueTask<bool> RemoveWebhookAsync(string owner, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var delete = Command(connection, "DELETE FROM webhooks WHERE id = $1 AND owner = $2", id, owner);
        return await delete.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<IReadOnlyList<OutboxNotice>> ReadNoticesAsync(string sql, object?[] values, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = new List<(long Id, string Notice, int Attempts, DateTimeOffset? Next, DateTimeOffset? Done, string? Error)>();
        await using (var select = Command(connection, sql, values))
        {
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2),
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5)));
            }
        }
        var delivered = rows.ToDictionary(r => r.Id, _ => new HashSet<string>());
        if (rows.Count > 0)
        {
            await using var select = Command(connection, "SELECT notice_id, target FROM notification_deliveries WHERE notice_id = ANY($1)", rows.Select(r => r.Id).ToArray());
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                delivered[reader.GetInt64(0)].Add(reader.GetString(1));
            }
        }
        return [.. rows.Select(r => new OutboxNotice(r.Id, JsonSerializer.Deserialize(r.Notice, GoDockerJson.Default.JobNotice)!, r.Attempts, delivered[r.Id])
        {
            NextTry = r.Next,
            DoneAt = r.Done,
            LastError = r.Error,
        })];
    }
}
