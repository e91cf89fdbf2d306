using System.Net;
using GoDocker.Access;
using GoDocker.Storage;

namespace GoDocker.Server.Auth;

/// <summary>What a login and password came to: the user to issue a token to, or why not.</summary>
public abstract record LoginOutcome
{
    private LoginOutcome()
    {
    }

    public sealed record Succeeded(UserAccount User) : LoginOutcome;
    /// <summary>A wrong password, an unknown login and a disabled account alike: the caller cannot tell them apart.</summary>
    public sealed record Refused : LoginOutcome;
    public sealed record Throttled(TimeSpan RetryAfter) : LoginOutcome;
    /// <summary>Auth:Provider none: there is nothing to log in to.</summary>
    public sealed record NotConfigured : LoginOutcome;
}

/// <summary>
/// Checks a login and password for every way in (the CLI's token, the browser's session): through the throttle, with
/// the configured provider, refusing disabled accounts, and keeping a directory user's identity current.
/// </summary>
public sealed class PasswordLogin(IAccountStore accounts, LoginThrottle throttle, IServiceProvider services)
{
    public async Task<LoginOutcome> AttemptAsync(string login, string password, IPAddress? client, CancellationToken cancellationToken)
    {
        if (services.GetService<IAuthProvider>() is not { } provider)
        {
            return new LoginOutcome.NotConfigured();
        }
        // Reserved before the password is checked: parallel guesses cannot all pass a count read before any of them failed.
        var (attempt, retryAfter) = await throttle.ReserveAsync(login, client, cancellationToken);
        if (attempt is null)
        {
            return new LoginOutcome.Throttled(retryAfter);
        }
        UserIdentity? identity;
        try
        {
            identity = login.Length == 0 || password.Length == 0 ? null : await provider.AuthenticateAsync(login, password, cancellationToken);
        }
        catch
        {
            await throttle.AbandonedAsync(attempt, CancellationToken.None);
            throw;
        }
        var user = identity is null ? null : await accounts.GetUserAsync(login, cancellationToken);
        if (identity is not null && provider.Name != LocalAuthProvider.ProviderName)
        {
            // A directory user: keep their identity current; admin and disabled flags stay GoDocker's.
            user = new UserAccount { Identity = identity, Provider = provider.Name, Admin = user?.Admin ?? false, Disabled = user?.Disabled ?? false };
            await accounts.SaveUserAsync(user, null, cancellationToken);
        }
        if (identity is null || user is null || user.Disabled)
        {
            return new LoginOutcome.Refused();
        }
        await throttle.SucceededAsync(attempt, cancellationToken);
        return new LoginOutcome.Succeeded(user);
    }
}
