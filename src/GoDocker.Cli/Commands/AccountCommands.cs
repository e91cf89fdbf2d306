using System.CommandLine;
using System.Text;
using GoDocker.Cli.Api;
using GoDocker.Cli.Output;
using GoDocker.Contracts;

namespace GoDocker.Cli.Commands;

/// <summary>Admin commands: `godocker user add|list|show|update|disable`, `godocker project add|list|show|member add|remove`, and `godocker images`.</summary>
internal static class AccountCommands
{
    public static Command Users(GlobalOptions global)
    {
        var user = new Command("user", "Manage accounts (admin)");
        user.Subcommands.Add(SaveUser(global, create: true));
        user.Subcommands.Add(SaveUser(global, create: false));
        user.Subcommands.Add(Run(new Command("list", "List accounts"), global, async (client, _, ct) =>
        {
            var result = await client.ListUsersAsync(ct);
            return result.IsOk ? Ok(UserTable(result.Value)) : result.Problem;
        }));
        var showLogin = new Argument<string>("LOGIN");
        user.Subcommands.Add(Run(new Command("show", "Show an account") { showLogin }, global, async (client, parse, ct) =>
        {
            var result = await client.GetUserAsync(parse.GetValue(showLogin)!, ct);
            return result.IsOk ? Ok(UserTable([result.Value]) + "Projects: " + string.Join(", ", result.Value.Projects ?? []) + "\n") : result.Problem;
        }));
        var disableLogin = new Argument<string>("LOGIN");
        user.Subcommands.Add(Run(new Command("disable", "Disable an account: its tokens stop working") { disableLogin }, global, async (client, parse, ct) =>
        {
            var result = await client.SaveUserAsync(new UserRequest { Login = parse.GetValue(disableLogin), Disabled = true }, create: false, ct);
            return result.IsOk ? Ok($"{result.Value.Login} disabled\n") : result.Problem;
        }));
        return user;
    }

    public static Command Projects(GlobalOptions global)
    {
        var project = new Command("project", "Manage projects (admin)");
        var name = new Argument<string>("NAME");
        var priority = new Option<int?>("--priority") { Description = "Project priority (fair share)" };
        project.Subcommands.Add(Run(new Command("add", "Create a project") { name, priority }, global, async (client, parse, ct) =>
        {
            var result = await client.CreateProjectAsync(new ProjectRequest(parse.GetValue(name)!, parse.GetValue(priority)), ct);
            return result.IsOk ? Ok($"project {result.Value.Name} created\n") : result.Problem;
        }));
        project.Subcommands.Add(Run(new Command("list", "List projects"), global, async (client, _, ct) =>
        {
            var result = await client.ListProjectsAsync(ct);
            return result.IsOk ? Ok(ProjectTable(result.Value)) : result.Problem;
        }));
        var showName = new Argument<string>("NAME");
        project.Subcommands.Add(Run(new Command("show", "Show a project") { showName }, global, async (client, parse, ct) =>
        {
            var result = await client.GetProjectAsync(parse.GetValue(showName)!, ct);
            return result.IsOk ? Ok(ProjectTable([result.Value])) : result.Problem;
        }));
        var member = new Command("member", "Add or remove project members");
        foreach (var add in (bool[])[true, false])
        {
            var projectName = new Argument<string>("PROJECT");
            var login = new Argument<string>("LOGIN");
            var manager = new Option<bool>("--manager") { Description = "As a manager (sees and controls the project's jobs)" };
            var command = add
                ? new Command("add", "Add a member") { projectName, login, manager }
                : new Command("remove", "Remove a member") { projectName, login };
            member.Subcommands.Add(Run(command, global, async (client, parse, ct) =>
            {
                var result = await client.SetMemberAsync(parse.GetValue(projectName)!, parse.GetValue(login)!, add, parse.GetValue(manager), ct);
                return result.IsOk ? Ok(ProjectTable([result.Value])) : result.Problem;
            }));
        }
        project.Subcommands.Add(member);
        return project;
    }

    public static Command Images(GlobalOptions global) =>
        Run(new Command("images", "The site's default image and the images you may use"), global, async (client, _, ct) =>
        {
            var result = await client.ImagesAsync(ct);
            if (!result.IsOk)
            {
                return result.Problem;
            }
            var images = result.Value;
            return Ok(new StringBuilder()
                .Append("Default:  ").Append(images.Default).Append('\n')
                .Append("Allowed:  ").AppendJoin(", ", images.Allowed).Append('\n')
                .Append("Your own: ").Append(images.AnyImageAllowed ? "any image" : "no").Append('\n')
                .Append("Root:     ").Append(images.RootAllowed ? "granted" : "not granted").Append('\n')
                .ToString());
        });

    private static Command SaveUser(GlobalOptions global, bool create)
    {
        var login = new Argument<string>("LOGIN");
        var uid = new Option<int?>("--uid");
        var gid = new Option<int?>("--gid");
        var groups = new Option<string[]>("--group") { Description = "Site group name (repeatable)", AllowMultipleArgumentsPerToken = false };
        var gids = new Option<int[]>("--gids") { Description = "Supplementary group ids (repeatable)" };
        var home = new Option<string?>("--home");
        var email = new Option<string?>("--email");
        var admin = new Option<bool?>("--admin");
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read a password from standard input" };
        var command = new Command(create ? "add" : "update", create ? "Create a local account" : "Change an account")
        {
            login, uid, gid, groups, gids, home, email, admin, passwordStdin,
        };
        return Run(command, global, async (client, parse, ct) =>
        {
            var password = parse.GetValue(passwordStdin) ? (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n') : null;
            var request = new UserRequest
            {
                Login = parse.GetValue(login),
                Uid = parse.GetValue(uid),
                Gid = parse.GetValue(gid),
                Groups = parse.GetValue(groups) is { Length: > 0 } g ? g : null,
                SecondaryGids = parse.GetValue(gids) is { Length: > 0 } s ? s : null,
                Home = parse.GetValue(home),
                Email = parse.GetValue(email),
                Admin = parse.GetValue(admin),
                Password = password,
            };
            var result = await client.SaveUserAsync(request, create, ct);
            return result.IsOk ? Ok(UserTable([result.Value])) : result.Problem;
        });
    }

    /// <summary>Wires a command to a call that yields text to print (exit 0) or a problem (exit 1).</summary>
    private static Command Run(Command command, GlobalOptions global, Func<GoDockerClient, ParseResult, CancellationToken, Task<object>> call)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            var outcome = await call(global.CreateClient(parse), parse, cancellationToken);
            if (outcome is Problem problem)
            {
                return await ProblemReport.WriteAsync(problem, cancellationToken);
            }
            await Console.Out.WriteAsync(((string)outcome).AsMemory(), cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Ok(string text) => text;

    private static string UserTable(IEnumerable<UserView> users)
    {
        var table = new Table(new Column("LOGIN"), new Column("UID", Align.Right), new Column("GID", Align.Right), new Column("GROUPS"),
            new Column("HOME"), new Column("ADMIN"), new Column("DISABLED"), new Column("PROVIDER"));
        foreach (var u in users)
        {
            table.Add(u.Login, u.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture), u.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                string.Join(",", u.Groups), u.Home, u.Admin ? "yes" : "", u.Disabled ? "yes" : "", u.Provider);
        }
        return table.Render();
    }

    private static string ProjectTable(IEnumerable<ProjectView> projects)
    {
        var table = new Table(new Column("PROJECT"), new Column("PRIORITY", Align.Right), new Column("MANAGERS"), new Column("MEMBERS"));
        foreach (var p in projects)
        {
            table.Add(p.Name, p.Priority.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(",", p.Managers), string.Join(",", p.Members));
        }
        return table.Render();
    }
}
