using System.CommandLine;
using System.Text;
using GoDocker.Cli.Api;
using GoDocker.Cli.Output;

namespace GoDocker.Cli.Commands;

/// <summary>`godocker login | logout | whoami`: a token for this server, kept readable by you only.</summary>
internal static class LoginCommand
{
    public static Command Create(GlobalOptions global)
    {
        var login = new Argument<string>("LOGIN") { Description = "Your login (default: $USER)", Arity = ArgumentArity.ZeroOrOne };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (for scripts)" };
        var command = new Command("login", "Log in: exchange your password for a token, saved in ~/.config/godocker/token (0600)") { login, passwordStdin };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var who = parse.GetValue(login) ?? Environment.UserName;
            var password = parse.GetValue(passwordStdin)
                ? (await Console.In.ReadLineAsync(cancellationToken))?.TrimEnd('\r', '\n') ?? ""
                : ReadHidden($"Password for {who}: ");
            var client = global.CreateClient(parse);
            var result = await client.LoginAsync(who, password, cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            var answer = result.Value;
            await Credentials.SaveAsync(new Credentials.Saved(ServerAddress.Display(client.Server), answer.TokenId, answer.Token), cancellationToken);
            var expires = answer.ExpiresAt is { } at ? $", token valid until {Display.Time(at)}" : "";
            await Console.Out.WriteLineAsync($"Logged in to {ServerAddress.Display(client.Server)} as {answer.User.Login}{expires}".AsMemory(), cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command CreateLogout(GlobalOptions global)
    {
        var command = new Command("logout", "Revoke your saved token and forget it");
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (Credentials.Load() is not { } saved)
            {
                await Console.Out.WriteLineAsync("Not logged in.".AsMemory(), cancellationToken);
                return ExitCodes.Ok;
            }
            var client = global.CreateClient(parse);
            if (ServerAddress.Display(client.Server) == saved.Server)
            {
                // Revoked at the server, so a copy of the file is worthless too; forgotten here either way.
                await client.RevokeTokenAsync(saved.TokenId, cancellationToken);
            }
            Credentials.Delete();
            await Console.Out.WriteLineAsync($"Logged out of {saved.Server}.".AsMemory(), cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command CreateWhoAmI(GlobalOptions global)
    {
        var command = new Command("whoami", "Who the server thinks you are: login, uid/gid, groups, projects");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var result = await global.CreateClient(parse).WhoAmIAsync(cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            var user = result.Value;
            var text = new StringBuilder()
                .Append("Login:    ").Append(user.Login).Append(user.Admin ? " (admin)" : "").Append('\n')
                .Append("Uid/Gid:  ").Append(user.Uid).Append('/').Append(user.Gid);
            if (user.SecondaryGids.Count > 0)
            {
                text.Append(" groups ").AppendJoin(',', user.SecondaryGids);
            }
            text.Append('\n')
                .Append("Groups:   ").AppendJoin(", ", user.Groups).Append('\n')
                .Append("Home:     ").Append(user.Home).Append('\n')
                .Append("Projects: ").AppendJoin(", ", user.Projects ?? []).Append('\n')
                .Append("Provider: ").Append(user.Provider).Append('\n');
            await Console.Out.WriteAsync(text.ToString().AsMemory(), cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Reads a line from the terminal without echoing it; from a pipe, just the line.</summary>
    private static string ReadHidden(string prompt)
    {
        if (Console.IsInputRedirected)
        {
            return Console.ReadLine() ?? "";
        }
        Console.Error.Write(prompt);
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
                continue;
            }
            password.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return password.ToString();
    }
}
