using Npgsql;
using static GoDocker.Storage.Postgres.PostgresCommands;

namespace GoDocker.Storage.Postgres;

/// <summary>
/// Failed logins in the login_attempts and login_pairs tables, shared by every server on the database. A reservation
/// reads and writes under one transaction-scoped advisory lock, so reservations on all servers follow one another
/// (logins are rare; one short transaction each). Times are the callers' clocks, as the throttle's rule reads them.
/// </summary>
public sealed class PostgresLoginAttempts : ILoginAttempts
{
    /// <summary>The advisory lock key of reservations ("GDLogins" in ASCII), taken by no other code.</summary>
    private const long ReservationLock = 0x47444C6F67696E73;
    private readonly NpgsqlDataSource database;

    private PostgresLoginAttempts(NpgsqlDataSource database) => this.database = database;

    /// <summary>The failed logins on <paramref name="database"/> (owned by the caller), migrating the schema as needed.</summary>
    public static async Task<PostgresLoginAttempts> OpenAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await PostgresSchema.MigrateAsync(database, cancellationToken);
        return new PostgresLoginAttempts(database);
    }

    public async ValueTask<LoginReservation> ReserveAsync(
        string login, string address, DateTimeOffset now, DateTimeOffset attemptsSince, DateTimeOffset pairsSince,
        Func<LoginCounts, LoginDecision> decide, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await RunAsync(Command(tx, "SELECT pg_advisory_xact_lock($1)", ReservationLock), cancellationToken);
        // What the rule has forgotten goes first: the tables hold only what can still count.
        await RunAsync(Command(tx, "DELETE FROM login_attempts WHERE at < $1", attemptsSince), cancellationToken);
        await RunAsync(Command(tx, "DELETE FROM login_pairs WHERE last_failure < $1", pairsSince), cancellationToken);
        LoginPair? pair = null;
        await using (var read = Command(tx, "SELECT failures, last_failure FROM login_pairs WHERE login = $1 AND address = $2", login, address))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                pair = new LoginPair(reader.GetInt32(0), reader.GetFieldValue<DateTimeOffset>(1));
            }
        }
        var byAddress = await TimesAsync(tx, "address", address, cancellationToken);
        var byLogin = await TimesAsync(tx, "login", login, cancellationToken);
        var decision = decide(new LoginCounts(pair, byAddress, byLogin));
        if (decision.Wait > TimeSpan.Zero)
        {
            await tx.RollbackAsync(cancellationToken);
            return new LoginReservation(null, decision.Wait);
        }
        await RunAsync(Command(tx,
            """
            INSERT INTO login_pairs (login, address, failures, last_failure) VALUES ($1, $2, $3, $4)
            ON CONFLICT (login, address) DO UPDATE SET failures = EXCLUDED.failures, last_failure = EXCLUDED.last_failure
            """,
            login, address, decision.Failures, now), cancellationToken);
        long id;
        await using (var insert = Command(tx, "INSERT INTO login_attempts (login, address, at) VALUES ($1, $2, $3) RETURNING id", login, address, now))
        {
            id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }
        await tx.CommitAsync(cancellationToken);
        return new LoginReservation(new LoginAttempt(id, login, address, Stored(now)), TimeSpan.Zero);
    }

    public async ValueTask SucceededAsync(LoginAttempt attempt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await RunAsync(Command(tx, "DELETE FROM login_pairs WHERE login = $1 AND address = $2", attempt.Login, attempt.Address), cancellationToken);
        await RunAsync(Command(tx, "DELETE FROM login_attempts WHERE id = $1", attempt.Id), cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public async ValueTask AbandonedAsync(LoginAttempt attempt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await RunAsync(Command(tx, "DELETE FROM login_pairs WHERE login = $1 AND address = $2 AND failures <= 1", attempt.Login, attempt.Address), cancellationToken);
        await RunAsync(Command(tx, "UPDATE login_pairs SET failures = failures - 1 WHERE login = $1 AND address = $2", attempt.Login, attempt.Address), cancellationToken);
        await RunAsync(Command(tx, "DELETE FROM login_attempts WHERE id = $1", attempt.Id), cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>The attempts whose <paramref name="column"/> (login or address, named here, never by a caller) is <paramref name="key"/>, oldest first.</summary>
    private static async Task<List<DateTimeOffset>> TimesAsync(NpgsqlTransaction tx, string column, string key, CancellationToken cancellationToken)
    {
        await using var read = Command(tx, $"SELECT at FROM login_attempts WHERE {column} = $1 ORDER BY at, id", key);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        var times = new List<DateTimeOffset>();
        while (await reader.ReadAsync(cancellationToken))
        {
            times.Add(reader.GetFieldValue<DateTimeOffset>(0));
        }
        return times;
    }

    private static async Task RunAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
