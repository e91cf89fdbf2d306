using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using GoDocker.Server.Configuration;
using GoDocker.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Auth;

/// <summary>
/// Authenticates every request: with provider "none", as the configured local user (admin); otherwise by
/// `Authorization: Bearer gd_…`, else by the browser's session cookie (<see cref="WebSession.CookieName"/>): either way a
/// token that must be live and belong to an enabled user. A cookie-authenticated request that changes state must also
/// carry the session's CSRF value (<see cref="RequestGuards.CsrfGuard"/>, from the claims set here).
/// </summary>
public sealed class GoDockerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IAccountStore accounts,
    IOptions<GoDockerOptions> settings,
    AuthOptions auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "GoDocker";
    public const string AdminClaim = "godocker:admin";
    /// <summary>The token the request came with: its id, expiry, CSRF value, and whether it came as the session cookie.</summary>
    public const string TokenIdClaim = "godocker:token";
    public const string TokenExpiresClaim = "godocker:token-expires";
    public const string CsrfClaim = "godocker:csrf";
    public const string ViaCookieClaim = "godocker:via-cookie";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (auth.IsNone)
        {
            return Success(settings.Value.Server.LocalUser, admin: true);
        }
        var header = Request.Headers.Authorization.ToString();
        // The header first: a page of another site cannot set it, so a request with it needs no CSRF value.
        var viaCookie = !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        var secret = viaCookie ? Request.Cookies[WebSession.CookieName] : header["Bearer ".Length..].Trim();
        if (string.IsNullOrEmpty(secret))
        {
            return AuthenticateResult.NoResult();
        }
        var token = await accounts.UseTokenAsync(TokenSecrets.Hash(secret), Context.RequestAborted);
        if (token is null)
        {
            return AuthenticateResult.Fail("invalid or expired token");
        }
        var user = await accounts.GetUserAsync(token.Login, Context.RequestAborted);
        if (user is null || user.Disabled)
        {
            return AuthenticateResult.Fail("invalid or expired token");
        }
        List<Claim> claims =
        [
            new(TokenIdClaim, token.Id.ToString(CultureInfo.InvariantCulture)),
            new(CsrfClaim, WebSession.CsrfToken(secret)),
        ];
        if (token.ExpiresAt is { } expiresAt)
        {
            claims.Add(new Claim(TokenExpiresClaim, expiresAt.ToString("O", CultureInfo.InvariantCulture)));
        }
        if (viaCookie)
        {
            claims.Add(new Claim(ViaCookieClaim, "true"));
        }
        return Success(user.Login, user.Admin, claims);
    }

    private static AuthenticateResult Success(string login, bool admin, List<Claim>? tokenClaims = null)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, login) };
        if (admin)
        {
            claims.Add(new Claim(AdminClaim, "true"));
        }
        claims.AddRange(tokenClaims ?? []);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }
}
