using Npgsql;
using static GoDocker.Storage.Postgres.PostgresCommands;

namespace GoDocker.Storage.Postgres;

/// <summary>
/// The leader lease as a row of leader_lease, for servers that share one PostgreSQL. Expiry is judged by the
/// database's clock (now()), never a server's, so servers whose clocks disagree still agree on who leads.
/// A holder should renew well within the time to live (a third of it, say), timed from its own last renewal.
/// </summary>
public sealed class PostgresLeaderLease : ILeaderLease
{
    private readonly NpgsqlDataSource database;
    private readonly string name;
    private readonly TimeSpan timeToLive;

    private PostgresLeaderLease(NpgsqlDataSource database, string name, string holder, TimeSpan timeToLive)
    {
        this.database = database;
        this.name = name;
        Holder = holder;
        this.timeToLive = timeToLive;
    }

    public string Holder { get; }

    /// <summary>The lease <paramref name="name"/> acted on for <paramref name="holder"/>, migrating the schema as needed.</summary>
    public static async Task<PostgresLeaderLease> OpenAsync(
        NpgsqlDataSource database, string name, string holder, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        await PostgresSchema.MigrateAsync(database, cancellationToken);
        return new PostgresLeaderLease(database, name, holder, timeToLive);
    }

    public async ValueTask<Leadership?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // One statement: contenders queue on the row, and each sees the row as the one before it left it.
        // The SET expressions read the row as it was: a live lease of our own keeps its token, anything else
        // (free, expired, released) gets the next one.
        await using var command = Command(connection,
            """
            INSERT INTO leader_lease AS l (name, holder, token, acquired_at, expires_at)
            VALUES ($1, $2, 1, now(), now() + $3)
            ON CONFLICT (name) DO UPDATE SET
                token = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > now() THEN l.token ELSE l.token + 1 END,
                acquired_at = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > now() THEN l.acquired_at ELSE now() END,
                holder = EXCLUDED.holder,
                expires_at = EXCLUDED.expires_at
            WHERE l.holder = EXCLUDED.holder OR l.expires_at <= now()
            RETURNING token, expires_at
            """,
            name, Holder, timeToLive);
        return await ReadLeadershipAsync(command, Holder, cancellationToken);
    }

    /// <remarks>Only this holder's lease is renewed: a <paramref name="held"/> naming another holder is not.</remarks>
    public async ValueTask<Leadership?> RenewAsync(Leadership held, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // An expired lease is not renewed even when nobody took it: the holder stepped down the moment it expired.
        await using var command = Command(connection,
            """
            UPDATE leader_lease SET expires_at = now() + $4
            WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > now()
            RETURNING token, expires_at
            """,
            name, Holder, held.Token, timeToLive);
        return await ReadLeadershipAsync(command, Holder, cancellationToken);
    }

    public async ValueTask ReleaseAsync(Leadership held, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection,
            "UPDATE leader_lease SET expires_at = now() WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > now()",
            name, Holder, held.Token);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<Leadership?> CurrentAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT holder, token, expires_at FROM leader_lease WHERE name = $1 AND expires_at > now()", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Leadership(name, reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2))
            : null;
    }

    /// <summary>
    /// Inside <paramref name="tx"/>, which is about to write what the leader decided: true when
    /// <paramref name="held"/> is still the live lease, and then it stays so until <paramref name="tx"/> ends
    /// (the row is locked FOR SHARE: a takeover waits for the commit). False when another took over, or the lease
    /// expired: the caller must roll back, so a paused old leader's plan never commits.
    /// </summary>
    public static async Task<bool> FenceAsync(NpgsqlTransaction tx, Leadership held, CancellationToken cancellationToken)
    {
        // clock_timestamp(), not now(): now() is when tx began, and tx may have run for a while.
        await using var command = Command(tx,
            "SELECT 1 FROM leader_lease WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > clock_timestamp() FOR SHARE",
            held.Name, held.Holder, held.Token);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private async Task<Leadership?> ReadLeadershipAsync(NpgsqlCommand command, string holder, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Leadership(name, holder, reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1))
            : null;
    }
}
