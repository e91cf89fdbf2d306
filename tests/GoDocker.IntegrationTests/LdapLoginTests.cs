using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>A server with Auth:Provider=ldap against a real slapd (scripts/slapd.sh): log in, and run as the directory says.</summary>
public sealed class LdapLoginTests : IAsyncLifetime
{
    private readonly string slapdDir = Directory.CreateTempSubdirectory("godocker-slapd-").FullName;
    private ServerProcess server = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort();
        var start = Process.Start(new ProcessStartInfo("bash", [Path.Combine(Paths.RepoRoot, "scripts/slapd.sh"), "start", slapdDir, port.ToString(CultureInfo.InvariantCulture), FreePort().ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await start.StandardOutput.ReadToEndAsync() + await start.StandardError.ReadToEndAsync();
        await start.WaitForExitAsync();
        Assert.True(start.ExitCode == 0, "slapd did not start:\n" + output);
        server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Auth:Provider"] = "ldap",
            ["Auth:Ldap:Url"] = $"ldap://127.0.0.1:{port}",
            ["Auth:Ldap:UserBaseDn"] = "ou=people,dc=godocker,dc=test",
            ["Auth:Ldap:GroupBaseDn"] = "ou=groups,dc=godocker,dc=test",
            ["Auth:Ldap:BindDn"] = "cn=reader,dc=godocker,dc=test",
            ["Auth:Ldap:BindPassword"] = "reader-secret",
        });
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        using var stop = Process.Start("bash", [Path.Combine(Paths.RepoRoot, "scripts/slapd.sh"), "stop", slapdDir]);
        await stop.WaitForExitAsync();
        Directory.Delete(slapdDir, recursive: true);
    }

    [Fact]
    public async Task DirectoryUser_LogsIn_AndTheirJobRunsWithTheDirectorysUidGidAndGroups()
    {
        using var anonymous = new HttpClient { BaseAddress = server.BaseUrl };
        using var wrong = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("alice", "not-it"), GoDockerJson.Default.LoginRequest);
        using var login = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("alice", "alice-secret"), GoDockerJson.Default.LoginRequest);
        var token = (await login.Content.ReadFromJsonAsync(GoDockerJson.Default.LoginResponse))!.Token;
        using var alice = new HttpClient { BaseAddress = server.BaseUrl };
        alice.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var me = await alice.GetFromJsonAsync("/api/v1/auth/whoami", GoDockerJson.Default.UserView);
        using var submitted = await alice.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "id -u; id -g; id -G" }, GoDockerJson.Default.JobSpec);
        var job = (await submitted.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
        var done = await server.Api.WaitForAsync(job.Id, j => j.State.IsTerminal(), null, token);
        var output = (await alice.GetStringAsync($"/api/v1/jobs/{job.Id}/stdout")).Split('\n');

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal((2001, 2001, "/home/alice", "ldap"), (me!.Uid, me.Gid, me.Home, me.Provider));
        Assert.Contains("genomics", me.Groups);
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal(("2001", "2001"), (output[0], output[1]));
        Assert.Contains("3001", output[2].Split(' '));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
