namespace GoDocker.Access;

/// <summary>A user as the store keeps them: the identity plus what GoDocker decides about them.</summary>
public sealed record UserAccount
{
    public required UserIdentity Identity { get; init; }
    public bool Admin { get; init; }
    public bool Disabled { get; init; }
    /// <summary>"local" (password in the store) or the provider that vouched for them last ("ldap").</summary>
    public required string Provider { get; init; }
    public string Login => Identity.Login;
}

/// <summary>A project: its members and managers; a job is charged to one project its owner belongs to.</summary>
public sealed record Project
{
    public const string Default = "default";

    public required string Name { get; init; }
    public int Priority { get; init; }
    public IReadOnlyList<string> Members { get; init; } = [];
    public IReadOnlyList<string> Managers { get; init; } = [];
}

/// <summary>An API token as listed: never its secret, which is shown once and kept only as a hash.</summary>
public sealed record TokenInfo(long Id, string Login, string Name, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, bool Revoked);
