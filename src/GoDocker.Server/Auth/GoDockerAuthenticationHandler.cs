using System.Security.Claims;
using System.Text.Encodings.Web;
using GoDocker.Server.Configuration;
using GoDocker.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Auth;

/// <summary>
/// Authenticates every request: with provider "none", as the configured local user (admin); otherwise by
/// `Authorization: Bearer gd_…`, a token that must be live and belong to an enabled user.
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

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (auth.IsNone)
        {
            return Success(settings.Value.Server.LocalUser, admin: true);
        }
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var secret = header["Bearer ".Length..].Trim();
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
        return Success(user.Login, user.Admin);
    }

    private static AuthenticateResult Success(string login, bool admin)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, login) };
        if (admin)
        {
            claims.Add(new Claim(AdminClaim, "true"));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }
}
