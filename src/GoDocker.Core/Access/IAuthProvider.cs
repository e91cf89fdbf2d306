namespace GoDocker.Access;

/// <summary>
/// Says who someone is: checks credentials and looks people up. Chosen by name in configuration
/// (Auth:Provider = local | ldap). Contract:
/// <list type="bullet">
/// <item>A wrong password, an unknown login and a disabled account all give null: the caller must not be able to tell them apart.</item>
/// <item>Faults reaching the directory are exceptions, never null (a directory outage must not look like a bad password).</item>
/// <item>Never logs or keeps the password.</item>
/// </list>
/// </summary>
public interface IAuthProvider
{
    string Name { get; }

    /// <summary>The identity when <paramref name="password"/> is right for <paramref name="login"/>; otherwise null.</summary>
    ValueTask<UserIdentity?> AuthenticateAsync(string login, string password, CancellationToken cancellationToken);

    /// <summary>The identity of <paramref name="login"/> without credentials (a token's owner, an admin look-up); null when unknown.</summary>
    ValueTask<UserIdentity?> FindAsync(string login, CancellationToken cancellationToken);
}
