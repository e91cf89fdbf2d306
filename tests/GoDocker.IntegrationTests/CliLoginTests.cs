using System.Globalization;
using GoDocker.IntegrationTests.Infrastructure;

namespace GoDocker.IntegrationTests;

/// <summary>`godocker login | whoami | logout` against a server with local accounts.</summary>
public sealed class CliLoginTests : IAsyncLifetime
{
    private readonly string home = Directory.CreateTempSubdirectory("godocker-home-").FullName;
    private string passwordFile = null!;
    private ServerProcess server = null!;

    public async Task InitializeAsync()
    {
        passwordFile = Path.Combine(home, "admin-password");
        await File.WriteAllTextAsync(passwordFile, "admin-secret-1");
        server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Auth:Provider"] = "local",
            ["Auth:BootstrapAdmin"] = "root",
            ["Auth:BootstrapAdminPasswordFile"] = passwordFile,
        });
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(home, recursive: true);
    }

    private Task<Cli.Result> Godocker(string? stdin, params string[] args) =>
        Cli.RunAsync(server.BaseUrl, home, stdin, new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = Path.Combine(home, "config") }, args);

    [Fact]
    public async Task Login_SavesAPrivateToken_ThatSubmitUses_UntilLogout()
    {
        var before = await Godocker(null, "jobs");
        var login = await Godocker("admin-secret-1\n", "login", "root", "--password-stdin");
        var tokenFile = Path.Combine(home, "config", "godocker", "token");
        var mode = File.GetUnixFileMode(tokenFile);
        var whoami = await Godocker(null, "whoami");
        var submit = await Godocker(null, "submit", "--", "true");
        var wait = await Godocker(null, "wait", submit.Stdout.Trim());
        var logout = await Godocker(null, "logout");
        var after = await Godocker(null, "jobs");

        Assert.Equal(1, before.ExitCode);
        Assert.Contains("godocker login", before.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, login.ExitCode);
        Assert.Contains("as root", login.Stdout, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.Contains("Login:    root (admin)", whoami.Stdout, StringComparison.Ordinal);
        Assert.True(long.TryParse(submit.Stdout.Trim(), CultureInfo.InvariantCulture, out _), submit.Stderr);
        Assert.Equal(0, wait.ExitCode);
        Assert.Equal(0, logout.ExitCode);
        Assert.False(File.Exists(tokenFile));
        Assert.Equal(1, after.ExitCode);
    }

    [Fact]
    public async Task Login_WithAWrongPassword_Fails_AndSavesNothing()
    {
        var login = await Godocker("wrong-password\n", "login", "root", "--password-stdin");

        Assert.Equal(1, login.ExitCode);
        Assert.Contains("invalid login or password", login.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(home, "config", "godocker", "token")));
    }

    [Fact]
    public async Task Admin_ManagesUsersAndProjects_FromTheCli()
    {
        await Godocker("admin-secret-1\n", "login", "root", "--password-stdin");

        var add = await Godocker("erin-password-1\n", "user", "add", "erin", "--uid", "5001", "--gid", "5001", "--group", "genomics", "--password-stdin");
        var list = await Godocker(null, "user", "list");
        var project = await Godocker(null, "project", "add", "genomics", "--priority", "3");
        var member = await Godocker(null, "project", "member", "add", "genomics", "erin", "--manager");
        var show = await Godocker(null, "project", "show", "genomics");
        var images = await Godocker(null, "images");
        var disable = await Godocker(null, "user", "disable", "erin");
        var erinLogin = await Godocker("erin-password-1\n", "login", "erin", "--password-stdin");

        Assert.Equal(0, add.ExitCode);
        Assert.Contains("erin", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("5001", list.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, project.ExitCode);
        Assert.Equal(0, member.ExitCode);
        Assert.Contains("erin", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("Default:  godocker/busybox:latest", images.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, disable.ExitCode);
        Assert.Equal(1, erinLogin.ExitCode);
    }
}
