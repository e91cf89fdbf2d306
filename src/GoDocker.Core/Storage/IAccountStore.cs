using GoDocker.Access;

namespace GoDocker.Storage;

/// <summary>Users, projects and API tokens. Secrets are stored only as hashes.</summary>
public interface IAccountStore
{
    ValueTask<UserAccount?> GetUserAsync(string login, CancellationToken cancellationToken);
    ValueTask<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken cancellationToken);
    /// <summary>Creates or replaces the user; <paramref name="passwordHash"/> null keeps the stored one.</summary>
    ValueTask SaveUserAsync(UserAccount user, string? passwordHash, CancellationToken cancellationToken);
    /// <summary>The stored password hash of a local user; null when none.</summary>
    ValueTask<string?> GetPasswordHashAsync(string login, CancellationToken cancellationToken);

    ValueTask<Project?> GetProjectAsync(string name, CancellationToken cancellationToken);
    ValueTask<IReadOnlyList<Project>> ListProjectsAsync(CancellationToken cancellationToken);
    ValueTask SaveProjectAsync(Project project, CancellationToken cancellationToken);
    /// <summary>Projects the user is a member or manager of (not counting "default", which everyone has).</summary>
    ValueTask<IReadOnlyList<Project>> ProjectsOfAsync(string login, CancellationToken cancellationToken);

    /// <summary>Stores a token by the hash of its secret; returns its id.</summary>
    ValueTask<long> AddTokenAsync(string login, string name, string secretHash, DateTimeOffset? expiresAt, CancellationToken cancellationToken);
    /// <summary>The live (not revoked, not expired) token with this hash, marking it used; null otherwise.</summary>
    ValueTask<TokenInfo?> UseTokenAsync(string secretHash, CancellationToken cancellationToken);
    ValueTask<IReadOnlyList<TokenInfo>> ListTokensAsync(string login, CancellationToken cancellationToken);
    /// <summary>Revokes the user's token; false when they have no such token.</summary>
    ValueTask<bool> RevokeTokenAsync(string login, long id, CancellationToken cancellationToken);
    /// <summary>Revokes every token of the user (login tokens and personal API keys alike); returns how many were live.</summary>
    ValueTask<int> RevokeAllTokensAsync(string login, CancellationToken cancellationToken);
}
