using GoDocker.Access;

namespace GoDocker.LdapTests.Infrastructure;

/// <summary>Two identities are the same person with the same groups (the record compares its lists by reference).</summary>
public sealed class IdentityComparer : IEqualityComparer<UserIdentity?>
{
    public static readonly IdentityComparer Instance = new();

    public bool Equals(UserIdentity? x, UserIdentity? y) =>
        x is null || y is null
            ? x is null && y is null
            : (x.Login, x.Uid, x.Gid, x.Home, x.Email) == (y.Login, y.Uid, y.Gid, y.Home, y.Email)
              && x.Groups.SequenceEqual(y.Groups) && x.SecondaryGids.SequenceEqual(y.SecondaryGids);

    public int GetHashCode(UserIdentity? obj) => obj?.Login.GetHashCode(StringComparison.Ordinal) ?? 0;
}
