using GoDocker.Access;
using GoDocker.Storage;

namespace GoDocker.Server.Auth;

/// <summary>The first admin of a local-provider site, from configuration, created only while no user exists.</summary>
internal static class Bootstrap
{
    public static async Task AdminAsync(AuthOptions auth, IAccountStore accounts, ILogger logger, CancellationToken cancellationToken)
    {
        if (auth.Provider != LocalAuthProvider.ProviderName || auth.BootstrapAdmin is not { } login)
        {
            return;
        }
        if ((await accounts.ListUsersAsync(cancellationToken)).Count > 0)
        {
            return;
        }
        var file = auth.BootstrapAdminPasswordFile
            ?? throw new InvalidOperationException("Auth:BootstrapAdmin needs Auth:BootstrapAdminPasswordFile");
        var password = (await File.ReadAllTextAsync(file, cancellationToken)).Trim();
        if (password.Length < 8)
        {
            throw new InvalidOperationException($"the bootstrap admin password in {file} has fewer than 8 characters");
        }
        var admin = new UserAccount
        {
            // An admin account, not root: its jobs run as nobody until an admin gives it a uid of its own (root stays a grant).
            Identity = new UserIdentity { Login = login, Uid = RootIdentity.Nobody, Gid = RootIdentity.Nobody, Home = "/godocker/job" },
            Admin = true,
            Provider = LocalAuthProvider.ProviderName,
        };
        await accounts.SaveUserAsync(admin, LocalAuthProvider.HashPassword(login, password), cancellationToken);
        logger.LogInformation("created the bootstrap admin '{Login}'", login);
    }
}
