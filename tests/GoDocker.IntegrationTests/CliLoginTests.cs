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
}
