using GoDocker.Access;

namespace GoDocker.Contracts;

public sealed record LoginRequest(string Login, string Password);

/// <summary>The token is shown here once; the server keeps only its hash.</summary>
public sealed record LoginResponse(string Token, long TokenId, DateTimeOffset? ExpiresAt, UserView User);

/// <summary>
/// The browser's session (POST/GET /auth/session): who is logged in, the CSRF value to send back in X-CSRF-Token on
/// every state-changing request, when the session ends, and how the server authenticates (local, ldap, none). Its
/// secret travels only in the HttpOnly cookie, never here.
/// </summary>
public sealed record SessionView(UserView User, string CsrfToken, DateTimeOffset? ExpiresAt, string Authentication);

public sealed record NewTokenRequest(string Name, int? ExpiresInDays);

public sealed record UserView
{
    public required string Login { get; init; }
    public required int Uid { get; init; }
    public required int Gid { get; init; }
    public IReadOnlyList<int> SecondaryGids { get; init; } = [];
    public IReadOnlyList<string> Groups { get; init; } = [];
    public required string Home { get; init; }
    public string? Email { get; init; }
    public bool Admin { get; init; }
    public bool Disabled { get; init; }
    public string? Provider { get; init; }
    public IReadOnlyList<string>? Projects { get; init; }

    public static UserView From(UserAccount user, IReadOnlyList<string>? projects = null) => new()
    {
        Login = user.Login,
        Uid = user.Identity.Uid,
        Gid = user.Identity.Gid,
        SecondaryGids = user.Identity.SecondaryGids,
        Groups = user.Identity.Groups,
        Home = user.Identity.Home,
        Email = user.Identity.Email,
        Admin = user.Admin,
        Disabled = user.Disabled,
        Provider = user.Provider,
        Projects = projects,
    };
}

/// <summary>An admin's create or update of a local user; absent fields keep their value on update.</summary>
public sealed record UserRequest
{
    public string? Login { get; init; }
    public int? Uid { get; init; }
    public int? Gid { get; init; }
    public IReadOnlyList<int>? SecondaryGids { get; init; }
    public IReadOnlyList<string>? Groups { get; init; }
    public string? Home { get; init; }
    public string? Email { get; init; }
    public bool? Admin { get; init; }
    public bool? Disabled { get; init; }
    public string? Password { get; init; }
}

public sealed record ProjectView(string Name, int Priority, IReadOnlyList<string> Members, IReadOnlyList<string> Managers)
{
    public static ProjectView From(Project project) => new(project.Name, project.Priority, project.Members, project.Managers);
}

public sealed record ProjectRequest(string Name, int? Priority);

/// <summary>GET /images: the site's default image and the patterns allowed; whether the caller may run any image.</summary>
public sealed record ImagesView(string Default, IReadOnlyList<string> Allowed, bool AnyImageAllowed, bool RootAllowed);
