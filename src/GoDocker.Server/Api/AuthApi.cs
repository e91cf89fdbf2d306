using System.Text.Json;
using GoDocker.Access;
using GoDocker.Contracts;
using GoDocker.Server.Auth;
using GoDocker.Storage;

namespace GoDocker.Server.Api;

/// <summary>/api/v1/auth and /api/v1/tokens: log in for a token or a browser session, who am I, personal API keys.</summary>
internal static class AuthApi
{
    public const string AdminPolicy = "admin";
    private const string BadCredentials = "invalid login or password";

    public static void MapAuth(this IEndpointRouteBuilder api)
    {
        api.MapPost("/auth/login", LoginAsync).AllowAnonymous()
            .WithName("Login").WithSummary("Exchange a login and password for an API token (shown once)")
            .Accepts<LoginRequest>("application/json")
            .Produces<LoginResponse>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapPost("/auth/session", CreateSessionAsync).AllowAnonymous()
            .WithName("CreateSession").WithSummary("Log a browser in: the session token in an HttpOnly cookie, its CSRF value in the answer")
            .Accepts<LoginRequest>("application/json")
            .Produces<SessionView>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapGet("/auth/session", GetSessionAsync)
            .WithName("GetSession").WithSummary("The browser's session: user, CSRF value, expiry, authentication provider")
            .Produces<SessionView>().ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapDelete("/auth/session", DeleteSessionAsync)
            .WithName("DeleteSession").WithSummary("Log out: revoke the session's token and expire its cookie")
            .Produces(StatusCodes.Status204NoContent);
        api.MapGet("/auth/whoami", WhoAmIAsync)
            .WithName("WhoAmI").WithSummary("The calling user").Produces<UserView>();
        api.MapGet("/tokens", ListTokensAsync)
            .WithName("ListTokens").WithSummary("The caller's tokens (never their secrets)").Produces<IReadOnlyList<TokenInfo>>();
        api.MapPost("/tokens", CreateTokenAsync)
            .WithName("CreateToken").WithSummary("A new personal API key (shown once)")
            .Accepts<NewTokenRequest>("application/json").Produces<LoginResponse>(StatusCodes.Status201Created);
        api.MapDelete("/tokens/{id:long}", RevokeTokenAsync)
            .WithName("RevokeToken").WithSummary("Revoke one of the caller's tokens")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> LoginAsync(
        HttpContext context, IAccountStore accounts, AuthOptions auth, PasswordLogin logins, TimeProvider time, CancellationToken cancellationToken)
    {
        var (user, refused) = await CheckPasswordAsync(context, logins, cancellationToken);
        if (user is null)
        {
            return refused!;
        }
        return TypedResults.Ok(await IssueAsync(accounts, user, "login", time.GetUtcNow() + auth.TokenLifetime, cancellationToken));
    }

    /// <summary>Logs a browser in: the token's secret goes only into the HttpOnly cookie; the app gets the CSRF value.</summary>
    private static async Task<IResult> CreateSessionAsync(
        HttpContext context, IAccountStore accounts, AuthOptions auth, PasswordLogin logins, CallerResolver callers, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (user, refused) = await CheckPasswordAsync(context, logins, cancellationToken);
        if (user is null)
        {
            return refused!;
        }
        var issued = await IssueAsync(accounts, user, WebSession.TokenName, time.GetUtcNow() + auth.TokenLifetime, cancellationToken);
        context.Response.Cookies.Append(WebSession.CookieName, issued.Token, WebSession.CookieOptions(context.Request));
        var projects = Projects(await callers.ResolveAsync(user.Login, user.Admin, cancellationToken));
        return TypedResults.Ok(new SessionView(UserView.From(user, projects), WebSession.CsrfToken(issued.Token), issued.ExpiresAt, auth.Provider));
    }

    /// <summary>The session of the cookie (or bearer token); with Auth:Provider none, the local user, no CSRF value needed.</summary>
    private static async Task<IResult> GetSessionAsync(
        HttpContext context, IAccountStore accounts, AuthOptions auth, CallerResolver callers, CancellationToken cancellationToken)
    {
        var user = await CallerViewAsync(context, accounts, callers, cancellationToken);
        var expires = context.User.FindFirst(GoDockerAuthenticationHandler.TokenExpiresClaim)?.Value;
        return TypedResults.Ok(new SessionView(
            user,
            context.User.FindFirst(GoDockerAuthenticationHandler.CsrfClaim)?.Value ?? "",
            expires is null ? null : DateTimeOffset.Parse(expires, System.Globalization.CultureInfo.InvariantCulture),
            auth.Provider));
    }

    /// <summary>Logs out: revokes the request's token (the cookie's, or the bearer's) and expires the cookie.</summary>
    private static async Task<IResult> DeleteSessionAsync(HttpContext context, IAccountStore accounts, CancellationToken cancellationToken)
    {
        if (long.TryParse(context.User.FindFirst(GoDockerAuthenticationHandler.TokenIdClaim)?.Value, System.Globalization.CultureInfo.InvariantCulture, out var tokenId))
        {
            await accounts.RevokeTokenAsync(context.User.Identity!.Name!, tokenId, cancellationToken);
        }
        context.Response.Cookies.Delete(WebSession.CookieName, WebSession.CookieOptions(context.Request));
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The login and password of the request's body checked (<see cref="PasswordLogin"/>): the user, or the refusal to answer
    /// (400 without authentication, 429 with Retry-After while throttled, 401 for anything else wrong).
    /// </summary>
    private static async Task<(UserAccount? User, IResult? Refused)> CheckPasswordAsync(HttpContext context, PasswordLogin logins, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync(context, GoDockerJson.Default.LoginRequest, cancellationToken);
        if (request.Refused is not null)
        {
            return (null, request.Refused);
        }
        var outcome = await logins.AttemptAsync(request.Value!.Login ?? "", request.Value.Password ?? "", context.Connection.RemoteIpAddress, cancellationToken);
        switch (outcome)
        {
            case LoginOutcome.Succeeded succeeded:
                return (succeeded.User, null);
            case LoginOutcome.NotConfigured:
                return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Authentication is not configured",
                    detail: "this server runs with Auth:Provider=none: every request already acts as its local user"));
            case LoginOutcome.Throttled throttled:
                var seconds = Math.Max(1, (int)Math.Ceiling(throttled.RetryAfter.TotalSeconds));
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return (null, TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed logins",
                    detail: $"try again in {seconds} seconds"));
            default:
                return (null, TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: BadCredentials));
        }
    }

    private static async Task<IResult> WhoAmIAsync(HttpContext context, IAccountStore accounts, CallerResolver callers, CancellationToken cancellationToken) =>
        TypedResults.Ok(await CallerViewAsync(context, accounts, callers, cancellationToken));

    /// <summary>The calling user with their projects (default included); the local user without an account under Auth:Provider none.</summary>
    private static async Task<UserView> CallerViewAsync(HttpContext context, IAccountStore accounts, CallerResolver callers, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        var user = await accounts.GetUserAsync(caller.Login, cancellationToken);
        var projects = Projects(caller);
        return user is null
            ? new UserView { Login = caller.Login, Uid = 0, Gid = 0, Home = "", Admin = caller.Admin, Provider = AuthOptions.NoAuthentication, Projects = projects }
            : UserView.From(user, projects);
    }

    private static List<string> Projects(Caller caller) =>
        caller.Projects.Union(caller.ManagedProjects).Prepend(Project.Default).Distinct().Order().ToList();

    private static async Task<IResult> ListTokensAsync(HttpContext context, IAccountStore accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await accounts.ListTokensAsync(context.User.Identity!.Name!, cancellationToken));

    private static async Task<IResult> CreateTokenAsync(HttpContext context, IAccountStore accounts, TimeProvider time, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync(context, GoDockerJson.Default.NewTokenRequest, cancellationToken);
        if (request.Refused is not null)
        {
            return request.Refused;
        }
        var (name, days) = (request.Value!.Name, request.Value.ExpiresInDays);
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            return Problems.Field("name", "a token name of 1 to 100 characters is required");
        }
        if (days is <= 0 or > 3650)
        {
            return Problems.Field("expiresInDays", "expiresInDays must be from 1 to 3650 (omit it for a key that does not expire)");
        }
        var user = await accounts.GetUserAsync(context.User.Identity!.Name!, cancellationToken);
        if (user is null)
        {
            return Problems.Forbidden("personal API keys need an account (Auth:Provider local or ldap)");
        }
        var issued = await IssueAsync(accounts, user, name, days is { } d ? time.GetUtcNow().AddDays(d) : null, cancellationToken);
        return TypedResults.Created($"/api/v1/tokens/{issued.TokenId}", issued);
    }

    private static async Task<IResult> RevokeTokenAsync(long id, HttpContext context, IAccountStore accounts, CancellationToken cancellationToken) =>
        await accounts.RevokeTokenAsync(context.User.Identity!.Name!, id, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("No such token", $"you have no token {id}");

    private static async Task<LoginResponse> IssueAsync(IAccountStore accounts, UserAccount user, string name, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        var secret = TokenSecrets.NewSecret();
        // In milliseconds, as the stores keep it: the expiry shown now is the one GET /auth/session shows later.
        expiresAt = expiresAt?.AddTicks(-(expiresAt.Value.Ticks % TimeSpan.TicksPerMillisecond));
        var id = await accounts.AddTokenAsync(user.Login, name, TokenSecrets.Hash(secret), expiresAt, cancellationToken);
        return new LoginResponse(secret, id, expiresAt, UserView.From(user));
    }
}
