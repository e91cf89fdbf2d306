namespace GoDocker.Access;

/// <summary>
/// Who a person is on the site, as an authentication provider knows them: the identity a job runs as
/// (uid, gid, supplementary gids), where their home is, and the groups that volume and image ACLs name.
/// </summary>
public sealed record UserIdentity
{
    public required string Login { get; init; }
    public required int Uid { get; init; }
    public required int Gid { get; init; }
    /// <summary>Supplementary group ids (not including <see cref="Gid"/>).</summary>
    public IReadOnlyList<int> SecondaryGids { get; init; } = [];
    /// <summary>Group names, for ACLs ("genomics", "admins").</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];
    public required string Home { get; init; }
    public string? Email { get; init; }
}
