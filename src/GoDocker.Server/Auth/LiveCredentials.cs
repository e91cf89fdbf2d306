using GoDocker.Storage;

namespace GoDocker.Server.Auth;

/// <summary>
/// Whether the token a long-lived request (a live view) was authenticated with still holds: not revoked (logout, a new
/// password), not expired, its user still enabled. Authentication runs once per request; a stream that lasts hours asks
/// again now and then, so logging out or disabling an account also ends the streams it had open.
/// </summary>
public sealed class LiveCredentials(IAccountStore accounts, AuthOptions auth, TimeProvider time)
{
    public async Task<bool> StillValidAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (auth.IsNone)
        {
            return true;
        }
        var login = context.User.Identity?.Name;
        if (login is null
            || !long.TryParse(context.User.FindFirst(GoDockerAuthenticationHandler.TokenIdClaim)?.Value, System.Globalization.CultureInfo.InvariantCulture, out var tokenId))
        {
            return false;
        }
        if (await accounts.GetUserAsync(login, cancellationToken) is not { Disabled: false })
        {
            return false;
        }
        var token = (await accounts.ListTokensAsync(login, cancellationToken)).FirstOrDefault(t => t.Id == tokenId);
        return token is { Revoked: false } && (token.ExpiresAt is null || token.ExpiresAt > time.GetUtcNow());
    }
}
