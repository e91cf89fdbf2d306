using System.Text.RegularExpressions;
using GoDocker.Access;
using GoDocker.Contracts;
using GoDocker.Server.Auth;
using GoDocker.Storage;

namespace GoDocker.Server.Api;

/// <summary>/api/v1/users and /api/v1/projects: admin only.</summary>
internal static partial class AdministrationApi
{
    [GeneratedRegex(@"^[a-z_][a-z0-9_.-]{0,31}\z")]
    private static partial Regex LoginPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}\z")]
    private static partial Regex ProjectPattern();

    public static void MapAdministration(this IEndpointRouteBuilder api)
    {
        var admin = api.MapGroup("").RequireAuthorization(AuthApi.AdminPolicy);
        admin.MapGet("/users", async (IAccountStore accounts, CancellationToken ct) =>
                TypedResults.Ok((await accounts.ListUsersAsync(ct)).Select(u => UserView.From(u)).ToList()))
            .WithName("ListUsers").Produces<IReadOnlyList<UserView>>();
        admin.MapPost("/users", CreateUserAsync)
            .WithName("CreateUser").Accepts<UserRequest>("application/json").Produces<UserView>(StatusCodes.Status201Created).ProducesValidationProblem();
        admin.MapGet("/users/{login}", async (string login, IAccountStore accounts, CancellationToken ct) =>
                await accounts.GetUserAsync(login, ct) is { } user
                    ? TypedResults.Ok(UserView.From(user, [.. (await accounts.ProjectsOfAsync(login, ct)).Select(p => p.Name)]))
                    : Problems.NotFound("No such user", $"user '{login}' does not exist"))
            .WithName("GetUser").Produces<UserView>().ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPatch("/users/{login}", UpdateUserAsync)
            .WithName("UpdateUser").Accepts<UserRequest>("application/json").Produces<UserView>().ProducesValidationProblem();

        admin.MapGet("/projects", async (IAccountStore accounts, CancellationToken ct) =>
                TypedResults.Ok((await accounts.ListProjectsAsync(ct)).Select(ProjectView.From).ToList()))
            .WithName("ListProjects").Produces<IReadOnlyList<ProjectView>>();
        admin.MapPost("/projects", CreateProjectAsync)
            .WithName("CreateProject").Accepts<ProjectRequest>("application/json").Produces<ProjectView>(StatusCodes.Status201Created);
        admin.MapGet("/projects/{name}", async (string name, IAccountStore accounts, CancellationToken ct) =>
                await accounts.GetProjectAsync(name, ct) is { } project
                    ? TypedResults.Ok(ProjectView.From(project))
                    : Problems.NotFound("No such project", $"project '{name}' does not exist"))
            .WithName("GetProject").Produces<ProjectView>();
        admin.MapPut("/projects/{name}/members/{login}", (string name, string login, bool? manager, IAccountStore accounts, CancellationToken ct) =>
                ChangeMembershipAsync(name, login, add: true, manager ?? false, accounts, ct))
            .WithName("AddProjectMember").WithSummary("Add a member (?manager=true for a manager)").Produces<ProjectView>();
        admin.MapDelete("/projects/{name}/members/{login}", (string name, string login, IAccountStore accounts, CancellationToken ct) =>
                ChangeMembershipAsync(name, login, add: false, manager: false, accounts, ct))
            .WithName("RemoveProjectMember").Produces<ProjectView>();
    }

    private static async Task<IResult> CreateUserAsync(HttpContext context, IAccountStore accounts, CancellationToken cancellationToken)
    {
        var (request, refused) = await JsonBody.ReadAsync(context, GoDockerJson.Default.UserRequest, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        var errors = new Dictionary<string, string[]>();
        if (request!.Login is not { } login || !LoginPattern().IsMatch(login))
        {
            errors["login"] = ["a login is 1 to 32 of a-z 0-9 _ . -, starting with a letter or _"];
        }
        else if (await accounts.GetUserAsync(login, cancellationToken) is not null)
        {
            errors["login"] = [$"user '{login}' exists already (PATCH /users/{login} to change it)"];
        }
        if (request.Uid is null or < 0)
        {
            errors["uid"] = ["a uid ≥ 0 is required"];
        }
        if (request.Gid is null or < 0)
        {
            errors["gid"] = ["a gid ≥ 0 is required"];
        }
        Validate(request, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var user = new UserAccount
        {
            Identity = new UserIdentity
            {
                Login = request.Login!,
                Uid = request.Uid!.Value,
                Gid = request.Gid!.Value,
                SecondaryGids = request.SecondaryGids ?? [],
                Groups = request.Groups ?? [],
                Home = request.Home ?? $"/home/{request.Login}",
                Email = request.Email,
            },
            Admin = request.Admin ?? false,
            Disabled = request.Disabled ?? false,
            Provider = LocalAuthProvider.ProviderName,
        };
        await accounts.SaveUserAsync(user, request.Password is { } p ? LocalAuthProvider.HashPassword(user.Login, p) : null, cancellationToken);
        return TypedResults.Created($"/api/v1/users/{user.Login}", UserView.From(user));
    }

    private static async Task<IResult> UpdateUserAsync(string login, HttpContext context, IAccountStore accounts, CancellationToken cancellationToken)
    {
        var (request, refused) = await JsonBody.ReadAsync(context, GoDockerJson.Default.UserRequest, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        if (await accounts.GetUserAsync(login, cancellationToken) is not { } user)
        {
            return Problems.NotFound("No such user", $"user '{login}' does not exist");
        }
        var errors = new Dictionary<string, string[]>();
        if (request!.Login is not null && request.Login != login)
        {
            errors["login"] = ["a login cannot be changed"];
        }
        if (request.Uid is < 0)
        {
            errors["uid"] = ["uid must be ≥ 0"];
        }
        if (request.Gid is < 0)
        {
            errors["gid"] = ["gid must be ≥ 0"];
        }
        Validate(request, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var id = user.Identity;
        var updated = user with
        {
            Identity = id with
            {
                Uid = request.Uid ?? id.Uid,
                Gid = request.Gid ?? id.Gid,
                SecondaryGids = request.SecondaryGids ?? id.SecondaryGids,
                Groups = request.Groups ?? id.Groups,
                Home = request.Home ?? id.Home,
                Email = request.Email ?? id.Email,
            },
            Admin = request.Admin ?? user.Admin,
            Disabled = request.Disabled ?? user.Disabled,
        };
        await accounts.SaveUserAsync(updated, request.Password is { } p ? LocalAuthProvider.HashPassword(login, p) : null, cancellationToken);
        // A new password answers a suspected leak, and whoever held the old one may have minted API keys with it: every
        // token goes, keys included. Disabling ends every session for good; re-enabling brings none back.
        if (request.Password is not null || updated.Disabled != user.Disabled)
        {
            await accounts.RevokeAllTokensAsync(login, cancellationToken);
        }
        return TypedResults.Ok(UserView.From(updated));
    }

    private static void Validate(UserRequest request, Dictionary<string, string[]> errors)
    {
        if (RootIdentity.RefuseAccount(request.Uid, request.Gid, request.SecondaryGids) is var (field, message))
        {
            errors[field] = [message];
        }
        if (request.Home is { } home && (!home.StartsWith('/') || home.Contains("..", StringComparison.Ordinal)))
        {
            errors["home"] = ["home must be an absolute path without '..'"];
        }
        if (request.Password is { Length: < 8 })
        {
            errors["password"] = ["a password has at least 8 characters"];
        }
        if (request.SecondaryGids?.Any(g => g < 0) == true)
        {
            errors["secondaryGids"] = ["group ids are ≥ 0"];
        }
    }

    private static async Task<IResult> CreateProjectAsync(HttpContext context, IAccountStore accounts, CancellationToken cancellationToken)
    {
        var (request, refused) = await JsonBody.ReadAsync(context, GoDockerJson.Default.ProjectRequest, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        if (request!.Name is not { } name || !ProjectPattern().IsMatch(name))
        {
            return Problems.Field("name", "a project name is letters, digits, . _ - (up to 128)");
        }
        if (await accounts.GetProjectAsync(name, cancellationToken) is not null)
        {
            return Problems.Field("name", $"project '{name}' exists already");
        }
        if (request.Priority is < -SchedulingApi.MaxPriority or > SchedulingApi.MaxPriority)
        {
            return Problems.Field("priority", $"the priority must be from -{SchedulingApi.MaxPriority} to {SchedulingApi.MaxPriority}");
        }
        var project = new Project { Name = name, Priority = request.Priority ?? 0 };
        await accounts.SaveProjectAsync(project, cancellationToken);
        return TypedResults.Created($"/api/v1/projects/{name}", ProjectView.From(project));
    }

    private static async Task<IResult> ChangeMembershipAsync(string name, string login, bool add, bool manager, IAccountStore accounts, CancellationToken cancellationToken)
    {
        if (await accounts.GetProjectAsync(name, cancellationToken) is not { } project)
        {
            return Problems.NotFound("No such project", $"project '{name}' does not exist");
        }
        if (add && await accounts.GetUserAsync(login, cancellationToken) is null)
        {
            return Problems.NotFound("No such user", $"user '{login}' does not exist");
        }
        var members = project.Members.Where(m => m != login).ToList();
        var managers = project.Managers.Where(m => m != login).ToList();
        if (add)
        {
            (manager ? managers : members).Add(login);
        }
        var changed = project with { Members = members, Managers = managers };
        await accounts.SaveProjectAsync(changed, cancellationToken);
        return TypedResults.Ok(ProjectView.From(changed));
    }
}
