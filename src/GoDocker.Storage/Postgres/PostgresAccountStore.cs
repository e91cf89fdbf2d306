using System.Data.Common;
using GoDocker.Access;
using Npgsql;
using static GoDocker.Storage.Postgres.PostgresCommands;

namespace GoDocker.Storage.Postgres;

/// <summary>Users, projects and tokens in PostgreSQL, shared by every server on the database; the same behaviour as <c>SqliteAccountStore</c>.</summary>
public sealed class PostgresAccountStore : IAccountStore
{
    private const string UserColumns = "login, uid, gid, secondary_gids, groups, home, email, admin, disabled, provider";
    private const string TokenColumns = "id, login, name, created_at, expires_at, last_used_at, revoked";
    private readonly NpgsqlDataSource database;
    private readonly TimeProvider time;

    private PostgresAccountStore(NpgsqlDataSource database, TimeProvider time)
    {
        this.database = database;
        this.time = time;
    }

    /// <summary>The store on <paramref name="database"/> (owned by the caller), migrating the schema as needed.</summary>
    public static async Task<PostgresAccountStore> OpenAsync(NpgsqlDataSource database, TimeProvider time, CancellationToken cancellationToken)
    {
        await PostgresSchema.MigrateAsync(database, cancellationToken);
        return new PostgresAccountStore(database, time);
    }

    public async ValueTask<UserAccount?> GetUserAsync(string login, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {UserColumns} FROM users WHERE login = $1", login);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadUser(reader) : null;
    }

    public async ValueTask<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {UserColumns} FROM users ORDER BY login COLLATE \"C\"");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var users = new List<UserAccount>();
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(ReadUser(reader));
        }
        return users;
    }

    public async ValueTask SaveUserAsync(UserAccount user, string? passwordHash, CancellationToken cancellationToken)
    {
        var id = user.Identity;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection,
            """
            INSERT INTO users (login, uid, gid, secondary_gids, groups, home, email, admin, disabled, provider, password_hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (login) DO UPDATE SET uid = EXCLUDED.uid, gid = EXCLUDED.gid, secondary_gids = EXCLUDED.secondary_gids,
                groups = EXCLUDED.groups, home = EXCLUDED.home, email = EXCLUDED.email, admin = EXCLUDED.admin,
                disabled = EXCLUDED.disabled, provider = EXCLUDED.provider,
                password_hash = COALESCE(EXCLUDED.password_hash, users.password_hash)
            """,
            id.Login, id.Uid, id.Gid, id.SecondaryGids.ToArray(), id.Groups.ToArray(), id.Home, id.Email, user.Admin, user.Disabled,
            user.Provider, passwordHash);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<string?> GetPasswordHashAsync(string login, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, "SELECT password_hash FROM users WHERE login = $1", login);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async ValueTask<Project?> GetProjectAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return (await ReadProjectsAsync(connection, "WHERE p.name = $1", cancellationToken, name)).SingleOrDefault();
    }

    public async ValueTask<IReadOnlyList<Project>> ListProjectsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await ReadProjectsAsync(connection, "", cancellationToken);
    }

    public async ValueTask<IReadOnlyList<Project>> ProjectsOfAsync(string login, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await ReadProjectsAsync(connection,
            "WHERE p.name IN (SELECT project FROM project_members WHERE login = $1)", cancellationToken, login);
    }

    public async ValueTask SaveProjectAsync(Project project, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // The upsert locks the project's row: two saves of one project replace its members one after the other.
        await using (var upsert = Command(tx,
            "INSERT INTO projects (name, priority) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET priority = EXCLUDED.priority",
            project.Name, project.Priority))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var clear = Command(tx, "DELETE FROM project_members WHERE project = $1", project.Name))
        {
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var login in project.Members.Union(project.Managers, StringComparer.Ordinal))
        {
            await using var member = Command(tx, "INSERT INTO project_members (project, login, manager) VALUES ($1, $2, $3)",
                project.Name, login, project.Managers.Contains(login, StringComparer.Ordinal));
            await member.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    public async ValueTask<long> AddTokenAsync(string login, string name, string secretHash, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection,
            "INSERT INTO tokens (login, name, hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            login, name, secretHash, time.GetUtcNow(), expiresAt);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask<TokenInfo?> UseTokenAsync(string secretHash, CancellationToken cancellationToken)
    {
        // The server's clock, as in SQLite: expiry follows the TimeProvider every other rule uses.
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection,
            $"""
            UPDATE tokens SET last_used_at = $2
            WHERE hash = $1 AND NOT revoked AND (expires_at IS NULL OR expires_at > $2)
            RETURNING {TokenColumns}
            """,
            secretHash, now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadToken(reader) : null;
    }

    public async ValueTask<IReadOnlyList<TokenInfo>> ListTokensAsync(string login, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {TokenColumns} FROM tokens WHERE login = $1 ORDER BY id", login);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tokens = new List<TokenInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tokens.Add(ReadToken(reader));
        }
        return tokens;
    }

    public async ValueTask<bool> RevokeTokenAsync(string login, long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, "UPDATE tokens SET revoked = true WHERE id = $1 AND login = $2", id, login);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async ValueTask<int> RevokeAllTokensAsync(string login, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, "UPDATE tokens SET revoked = true WHERE login = $1 AND NOT revoked", login);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<Project>> ReadProjectsAsync(
        NpgsqlConnection connection, string where, CancellationToken cancellationToken, params object?[] values)
    {
        // COLLATE "C": the byte order SQLite sorts text in, whatever the database's collation.
        await using var command = Command(connection,
            $"""
            SELECT p.name, p.priority, m.login, m.manager FROM projects p LEFT JOIN project_members m ON m.project = p.name {where}
            ORDER BY p.name COLLATE "C", m.login COLLATE "C"
            """,
            values);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await ProjectRows.ReadAsync(reader, cancellationToken);
    }

    private static UserAccount ReadUser(DbDataReader reader) => new()
    {
        Identity = new UserIdentity
        {
            Login = reader.GetString(0),
            Uid = reader.GetInt32(1),
            Gid = reader.GetInt32(2),
            SecondaryGids = reader.GetFieldValue<int[]>(3),
            Groups = reader.GetFieldValue<string[]>(4),
            Home = reader.GetString(5),
            Email = reader.IsDBNull(6) ? null : reader.GetString(6),
        },
        Admin = reader.GetBoolean(7),
        Disabled = reader.GetBoolean(8),
        Provider = reader.GetString(9),
    };

    private static TokenInfo ReadToken(DbDataReader reader)
    {
        DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
        return new TokenInfo(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), Time(3)!.Value, Time(4), Time(5), reader.GetBoolean(6));
    }
}
