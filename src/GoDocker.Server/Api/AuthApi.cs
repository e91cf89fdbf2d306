using System.Text.Json;
using GoDocker.Access;
using GoDocker.Contracts;
using GoDocker.Server.Auth;
using GoDocker.Storage;

namespace GoDocker.Server.Api;

/// <summary>/api/v1/auth and /api/v1/tokens: log in for a token, who am I, personal API keys.</summary>
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
        HttpContext context, IAccountStore accounts, AuthOptions auth, LoginThrottle throttle, TimeProvider time,
        IServiceProvider services, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync(context, GoDockerJson.Default.LoginRequest, cancellationToken);
        if (request.Refused is not null)
        {
            return request.Refused;
        }
        var (login, password) = (request.Value!.Login ?? "", request.Value.Password ?? "");
        if (services.GetService<IAuthProvider>() is not { } provider)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Authentication is not configured",
                detail: "this server runs with Auth:Provider=none: every request already acts as its local user");
        }
        // Reserved before the password is checked: parallel guesses cannot all pass a count read before any of them failed.
        var (attempt, retryAfter) = await throttle.ReserveAsync(login, context.Connection.RemoteIpAddress, cancellationToken);
        if (attempt is null)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed logins",
                detail: $"try again in {seconds} seconds");
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
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: BadCredentials);
        }
        await throttle.SucceededAsync(attempt, cancellationToken);
        return TypedResults.Ok(await IssueAsync(accounts, user, "login", time.GetUtcNow() + auth.TokenLifetime, cancellationToken));
    }

    private static async Task<IResult> WhoAmIAsync(HttpContext context, IAccountStore accounts, CallerResolver callers, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        var user = await accounts.GetUserAsync(caller.Login, cancellationToken);
        var projects = caller.Projects.Union(caller.ManagedProjects).Prepend(Project.Default).Distinct().Order().ToList();
        return TypedResults.Ok(user is null
            ? new UserView { Login = caller.Login, Uid = 0, Gid = 0, Home = "", Admin = caller.Admin, Provider = AuthOptions.NoAuthentication, Projects = projects }
            : UserView.From(user, projects));
    }

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
        var id = await accounts.AddTokenAsync(user.Login, name, TokenSecrets.Hash(secret), expiresAt, cancellationToken);
        return new LoginResponse(secret, id, expiresAt, UserView.From(user));
    }
}
