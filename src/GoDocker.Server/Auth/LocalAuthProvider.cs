using GoDocker.Access;
using GoDocker.Storage;
using Microsoft.AspNetCore.Identity;

namespace GoDocker.Server.Auth;

/// <summary>Users and passwords in the store; passwords hashed with ASP.NET Core's PBKDF2 password hasher.</summary>
public sealed class LocalAuthProvider(IAccountStore accounts) : IAuthProvider
{
    public const string ProviderName = "local";
    private static readonly PasswordHasher<string> Hasher = new();
    // Verified when the login is unknown, so an unknown login costs the same time as a wrong password.
    private static readonly string DecoyHash = Hasher.HashPassword("", Guid.NewGuid().ToString());

    public string Name => ProviderName;

    public static string HashPassword(string login, string password) => Hasher.HashPassword(login, password);

    public async ValueTask<UserIdentity?> AuthenticateAsync(string login, string password, CancellationToken cancellationToken)
    {
        var user = await accounts.GetUserAsync(login, cancellationToken);
        var hash = user is { Disabled: false, Provider: ProviderName } ? await accounts.GetPasswordHashAsync(login, cancellationToken) : null;
        var result = Hasher.VerifyHashedPassword(login, hash ?? DecoyHash, password);
        return hash is not null && result != PasswordVerificationResult.Failed && password.Length > 0 ? user!.Identity : null;
    }

    public async ValueTask<UserIdentity?> FindAsync(string login, CancellationToken cancellationToken) =>
        (await accounts.GetUserAsync(login, cancellationToken))?.Identity;
}
