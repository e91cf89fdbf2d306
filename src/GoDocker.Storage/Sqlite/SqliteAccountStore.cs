using System.Data.Common;
using System.Text.Json;
using GoDocker.Access;
using Microsoft.Data.Sqlite;
using static GoDocker.Storage.Sqlite.SqliteCommands;

namespace GoDocker.Storage.Sqlite;

/// <summary>Users, projects and tokens in the same SQLite file as the jobs (its own connection; WAL serialises writers).</summary>
public sealed class SqliteAccountStore : IAccountStore, IAsyncDisposable
{
    private const string UserColumns = "login, uid, gid, secondary_gids, groups, home, email, admin, disabled, provider";
    private readonly string connectionString;
    private readonly TimeProvider time;

    private SqliteAccountStore(string connectionString, TimeProvider time)
    {
        this.connectionString = connectionString;
        this.time = time;
    }

    /// <summary>Opens the store in <paramref name="path"/>, migrating the schema as needed.</summary>
    public static async Task<SqliteAccountStore> OpenAsync(string path, TimeProvider time, CancellationToken cancellationToken)
    {
        var settings = SqliteSchema.SharedFile(path);
        settings.ForeignKeys = true;
        var connectionString = await SqliteSchema.OpenMigratedAsync(settings, cancellationToken);
        return new SqliteAccountStore(connectionString, time);
    }

    public async ValueTask<UserAccount?> GetUserAsync(string login, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {UserColumns} FROM users WHERE login = $login", ("$login", login));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadUser(reader) : null;
    }

    public async ValueTask<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {UserColumns} FROM users ORDER BY login");
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
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            """
            INSERT INTO users (login, uid, gid, secondary_gids, groups, home, email, admin, disabled, provider, password_hash)
            VALUES ($login, $uid, $gid, $gids, $groups, $home, $email, $admin, $disabled, $provider, $hash)
            ON CONFLICT (login) DO UPDATE SET uid = $uid, gid = $gid, secondary_gids = $gids, groups = $groups, home = $home,
                email = $email, admin = $admin, disabled = $disabled, provider = $provider,
                password_hash = COALESCE($hash, password_hash)
            """,
            ("$login", id.Login), ("$uid", id.Uid), ("$gid", id.Gid),
            ("$gids", JsonSerializer.Serialize(id.SecondaryGids.ToArray(), AccountJson.Default.Int32Array)),
            ("$groups", JsonSerializer.Serialize(id.Groups.ToArray(), AccountJson.Default.StringArray)),
            ("$home", id.Home), ("$email", id.Email), ("$admin", user.Admin), ("$disabled", user.Disabled),
            ("$provider", user.Provider), ("$hash", passwordHash));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<string?> GetPasswordHashAsync(string login, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT password_hash FROM users WHERE login = $login", ("$login", login));
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async ValueTask<Project?> GetProjectAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await ReadProjectsAsync(connection, "WHERE p.name = $name", cancellationToken, ("$name", name))).SingleOrDefault();
    }

    public async ValueTask<IReadOnlyList<Project>> ListProjectsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadProjectsAsync(connection, "", cancellationToken);
    }

    public async ValueTask<IReadOnlyList<Project>> ProjectsOfAsync(string login, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadProjectsAsync(connection,
            "WHERE p.name IN (SELECT project FROM project_members WHERE login = $login)", cancellationToken, ("$login", login));
    }

    public async ValueTask SaveProjectAsync(Project project, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = connection.BeginTransaction();
        await using (var upsert = Command(tx,
            "INSERT INTO projects (name, priority) VALUES ($name, $priority) ON CONFLICT (name) DO UPDATE SET priority = $priority",
            ("$name", project.Name), ("$priority", project.Priority)))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var clear = Command(tx, "DELETE FROM project_members WHERE project = $name", ("$name", project.Name)))
        {
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var login in project.Members.Union(project.Managers, StringComparer.Ordinal))
        {
            await using var member = Command(tx, "INSERT INTO project_members (project, login, manager) VALUES ($name, $login, $manager)",
                ("$name", project.Name), ("$login", login), ("$manager", project.Managers.Contains(login, StringComparer.Ordinal)));
            await member.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    public async ValueTask<long> AddTokenAsync(string login, string name, string secretHash, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "INSERT INTO tokens (login, name, hash, created_at, expires_at) VALUES ($login, $name, $hash, $at, $expires) RETURNING id",
            ("$login", login), ("$name", name), ("$hash", secretHash), ("$at", time.GetUtcNow().ToUnixTimeMilliseconds()),
            ("$expires", expiresAt?.ToUnixTimeMilliseconds()));
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask<TokenInfo?> UseTokenAsync(string secretHash, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            """
            UPDATE tokens SET last_used_at = $now
            WHERE hash = $hash AND revoked = 0 AND (expires_at IS NULL OR expires_at > $now)
            RETURNING id, login, name, created_at, expires_at, last_used_at, revoked
            """,
            ("$hash", secretHash), ("$now", now));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadToken(reader) : null;
    }

    public async ValueTask<IReadOnlyList<TokenInfo>> ListTokensAsync(string login, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT id, login, name, created_at, expires_at, last_used_at, revoked FROM tokens WHERE login = $login ORDER BY id", ("$login", login));
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
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "UPDATE tokens SET revoked = 1 WHERE id = $id AND login = $login", ("$id", id), ("$login", login));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async ValueTask<int> RevokeAllTokensAsync(string login, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "UPDATE tokens SET revoked = 1 WHERE login = $login AND revoked = 0", ("$login", login));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearPool(new SqliteConnection(connectionString));
        return ValueTask.CompletedTask;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static async Task<IReadOnlyList<Project>> ReadProjectsAsync(
        SqliteConnection connection, string where, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection,
            $"SELECT p.name, p.priority, m.login, m.manager FROM projects p LEFT JOIN project_members m ON m.project = p.name {where} ORDER BY p.name, m.login",
            parameters);
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
            SecondaryGids = JsonSerializer.Deserialize(reader.GetString(3), AccountJson.Default.Int32Array) ?? [],
            Groups = JsonSerializer.Deserialize(reader.GetString(4), AccountJson.Default.StringArray) ?? [],
            Home = reader.GetString(5),
            Email = reader.IsDBNull(6) ? null : reader.GetString(6),
        },
        Admin = reader.GetBoolean(7),
        Disabled = reader.GetBoolean(8),
        Provider = reader.GetString(9),
    };

    private static TokenInfo ReadToken(DbDataReader reader)
    {
        DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(i));
        return new TokenInfo(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), Time(3)!.Value, Time(4), Time(5), reader.GetBoolean(6));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(int[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class AccountJson : System.Text.Json.Serialization.JsonSerializerContext;
