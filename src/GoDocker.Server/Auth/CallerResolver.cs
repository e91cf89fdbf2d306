using GoDocker.Access;
using GoDocker.Storage;

namespace GoDocker.Server.Auth;

/// <summary>Turns the authenticated request into the <see cref="Caller"/> the access policy decides on.</summary>
public sealed class CallerResolver(IAccountStore accounts, AuthOptions auth)
{
    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    public async Task<Caller> ResolveAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var login = context.User.Identity?.Name
            ?? throw new InvalidOperationException("an endpoint that needs a caller was reached without authentication");
        var admin = context.User.HasClaim(GoDockerAuthenticationHandler.AdminClaim, "true");
        return await ResolveAsync(login, admin, cancellationToken);
    }

    /// <summary>The caller a login stands for, outside a request (a launch re-checks its owner's rights).</summary>
    public async Task<Caller> ResolveAsync(string login, bool admin, CancellationToken cancellationToken)
    {
        if (auth.IsNone)
        {
            return new Caller(login, admin, None, None);
        }
        var projects = await accounts.ProjectsOfAsync(login, cancellationToken);
        var user = await accounts.GetUserAsync(login, cancellationToken);
        return new Caller(
            login,
            admin,
            projects.Where(p => p.Members.Contains(login)).Select(p => p.Name).ToHashSet(),
            projects.Where(p => p.Managers.Contains(login)).Select(p => p.Name).ToHashSet())
        {
            Groups = (user?.Identity.Groups ?? []).ToHashSet(),
        };
    }
}
