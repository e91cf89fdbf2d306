using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// GET /api/v1/jobs/{id}/exec against the real engine, through a plain WebSocket client (Auth:Provider=local).
/// Users: admin (bootstrap), alice (uid 3401) and bob (3402).
/// </summary>
public sealed class ExecTests(ExecTests.Site site) : IClassFixture<ExecTests.Site>
{
    public sealed class Site : IAsyncLifetime
    {
        private string passwordFile = null!;
        public ServerProcess Server { get; private set; } = null!;
        public Dictionary<string, string> Tokens { get; } = [];
        /// <summary>alice's job that sleeps: what the tests exec into.</summary>
        public long AliceJob { get; private set; }

        public async Task InitializeAsync()
        {
            passwordFile = Path.GetTempFileName();
            await File.WriteAllTextAsync(passwordFile, "admin-secret-1");
            Server = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["Auth:Provider"] = "local",
                ["Auth:BootstrapAdmin"] = "admin",
                ["Auth:BootstrapAdminPasswordFile"] = passwordFile,
            });
            Tokens["admin"] = await TokenAsync("admin", "admin-secret-1");
            var uid = 3400;
            foreach (var login in (string[])["alice", "bob"])
            {
                using var created = await Bearer("admin").PostAsJsonAsync("/api/v1/users",
                    new UserRequest { Login = login, Uid = ++uid, Gid = uid, Password = $"{login}-password" }, GoDockerJson.Default.UserRequest);
                created.EnsureSuccessStatusCode();
                Tokens[login] = await TokenAsync(login, $"{login}-password");
            }
            AliceJob = await RunningJobAsync("alice");
        }

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            File.Delete(passwordFile);
        }

        public HttpClient Anonymous() => new() { BaseAddress = Server.BaseUrl };

        public HttpClient Bearer(string login)
        {
            var client = Anonymous();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens[login]);
            return client;
        }

        public async Task<long> RunningJobAsync(string login, string script = "sleep 600")
        {
            using var client = Bearer(login);
            using var submitted = await client.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = script }, GoDockerJson.Default.JobSpec);
            submitted.EnsureSuccessStatusCode();
            var job = (await submitted.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
            await Server.Api.WaitForAsync(job.Id, j => j.State == JobState.Running, token: Tokens[login]);
            return job.Id;
        }

        public async Task<JobView> JobAsync(long id) =>
            (await Bearer("admin").GetFromJsonAsync($"/api/v1/jobs/{id}", GoDockerJson.Default.JobView))!;

        private async Task<string> TokenAsync(string login, string password)
        {
            using var client = Anonymous();
            using var response = await client.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest(login, password), GoDockerJson.Default.LoginRequest);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.LoginResponse))!.Token;
        }
    }

    private Task<(ExecSocket? Socket, HttpStatusCode Status)> ConnectAsync(string login, long job, string[] command, string extra = "") =>
        ExecSocket.ConnectAsync(ExecSocket.Url(site.Server.BaseUrl, job, command, extra), ExecSocket.Bearer(site.Tokens[login]));

    [Fact]
    public async Task Exec_StreamsStdoutAndStderrApart_AndEndsWithTheExitCode_RecordedInTheTimeline()
    {
        var (socket, status) = await ConnectAsync("alice", site.AliceJob, ["sh", "-c", "echo out; echo err >&2; exit 3"]);
        using var _ = socket;

        Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
        var end = await socket!.ReadToEndAsync();
        Assert.Equal("out\n", socket.Stdout);
        Assert.Equal("err\n", socket.Stderr);
        Assert.Equal(ExecStatus.Exited, end.Reason);
        Assert.Equal(3, end.ExitCode);
        var events = (await site.JobAsync(site.AliceJob)).Events!;
        Assert.Contains(events, e => e.Kind == "exec" && e.Message == "alice ran sh -c 'echo out; echo err >&2; exit 3'");
        Assert.Contains(events, e => e.Kind == "exec-ended" && e.Message.StartsWith("alice's sh -c", StringComparison.Ordinal) && e.Message.EndsWith("ended: exit code 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Exec_WithStdin_FeedsTheCommand_UntilTheClientClosesIt()
    {
        var (socket, _) = await ConnectAsync("alice", site.AliceJob, ["sh", "-c", "tr a-z A-Z; echo done"], "&stdin=true");
        using var _ = socket;

        await socket!.SendStdinAsync("hello ");
        await socket.SendStdinAsync("world\n");
        await socket.CloseStdinAsync();
        var end = await socket.ReadToEndAsync();

        Assert.Equal("HELLO WORLD\ndone\n", socket.Stdout);
        Assert.Equal(0, end.ExitCode);
    }

    [Fact]
    public async Task Exec_RunsAsTheJobsUser_NotTheImagesDefault()
    {
        var (socket, _) = await ConnectAsync("alice", site.AliceJob, ["id", "-u"]);
        using var _ = socket;

        await socket!.ReadToEndAsync();
        Assert.Equal("3401\n", socket.Stdout);
    }

    [Fact]
    public async Task Exec_WithATty_AppliesResizes_ToTheTerminal()
    {
        var (socket, _) = await ConnectAsync("alice", site.AliceJob, ["sh"], "&tty=true&stdin=true&cols=80&rows=24");
        using var _ = socket;

        await socket!.SendStdinAsync("stty size\n");
        await socket.WaitForStdoutAsync("24 80");
        await socket.ResizeAsync(132, 43);
        await socket.SendStdinAsync("stty size; exit 5\n");
        var end = await socket.ReadToEndAsync();

        Assert.Contains("43 132", socket.Stdout, StringComparison.Ordinal);
        Assert.Equal(5, end.ExitCode);
    }

    [Fact]
    public async Task Exec_IntoAnotherUsersJob_Is404_AsAnUnknownJob_ButAnAdministratorMay()
    {
        var (bobs, bobStatus) = await ConnectAsync("bob", site.AliceJob, ["id"]);
        var (none, noneStatus) = await ConnectAsync("bob", 999_999, ["id"]);
        var (admins, adminStatus) = await ConnectAsync("admin", site.AliceJob, ["id", "-u"]);
        using var _ = admins;

        Assert.Null(bobs);
        Assert.Null(none);
        Assert.Equal(HttpStatusCode.NotFound, bobStatus);
        Assert.Equal(noneStatus, bobStatus);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, adminStatus);
        await admins!.ReadToEndAsync();
        // The administrator's command runs as the job's user too, never as root.
        Assert.Equal("3401\n", admins.Stdout);
        Assert.DoesNotContain((await site.JobAsync(site.AliceJob)).Events!, e => e.Kind == "exec" && e.Message.StartsWith("bob", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Exec_IntoAHeldOrAnEndedJob_Is409()
    {
        using var client = site.Bearer("alice");
        using var submitted = await client.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "true", Hold = true }, GoDockerJson.Default.JobSpec);
        var held = (await submitted.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
        using var endedSubmit = await client.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "true" }, GoDockerJson.Default.JobSpec);
        var ended = (await endedSubmit.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
        await site.Server.Api.WaitForAsync(ended.Id, j => j.State.IsTerminal(), token: site.Tokens["alice"]);

        var (_, heldStatus) = await ConnectAsync("alice", held.Id, ["id"]);
        var (_, endedStatus) = await ConnectAsync("alice", ended.Id, ["id"]);

        Assert.Equal(HttpStatusCode.Conflict, heldStatus);
        Assert.Equal(HttpStatusCode.Conflict, endedStatus);
    }

    [Theory]
    [InlineData("", "command")]
    [InlineData("command=sh&tty=maybe", "tty")]
    [InlineData("command=sh&tty=true&cols=80", "rows")]
    [InlineData("command=sh&cols=80&rows=24", "cols")]
    [InlineData("command=sh&tty=true&cols=0&rows=24", "cols")]
    public async Task Exec_WithABadQuery_Is400_NamingTheField_BeforeAnyUpgrade(string query, string field)
    {
        using var client = site.Bearer("alice");
        using var response = await client.GetAsync($"/api/v1/jobs/{site.AliceJob}/exec?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_WithoutOurSubprotocol_Is400()
    {
        var (socket, status) = await ExecSocket.ConnectAsync(
            ExecSocket.Url(site.Server.BaseUrl, site.AliceJob, ["id"]), ExecSocket.Bearer(site.Tokens["alice"]), subProtocol: "v5.channel.k8s.io");

        Assert.Null(socket);
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task CrossSiteWebSocketHijacking_APageElsewhereCannotOpenAShell_WithTheUsersCookie()
    {
        // alice is logged in to the web interface; a page of evil.example opens a WebSocket to the exec endpoint:
        // her browser attaches her cookie and says where the page is from.
        using var client = site.Anonymous();
        using var login = await client.PostAsJsonAsync("/api/v1/auth/session", new LoginRequest("alice", "alice-password"), GoDockerJson.Default.LoginRequest);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie")).Split(';')[0];
        var url = ExecSocket.Url(site.Server.BaseUrl, site.AliceJob, ["sh", "-c", "echo pwned > /tmp/owned"]);
        var own = site.Server.BaseUrl.GetLeftPart(UriPartial.Authority);

        var (evil, evilStatus) = await ExecSocket.ConnectAsync(url, new Dictionary<string, string> { ["Cookie"] = cookie, ["Origin"] = "http://evil.example" });
        var (nullOrigin, nullStatus) = await ExecSocket.ConnectAsync(url, new Dictionary<string, string> { ["Cookie"] = cookie, ["Origin"] = "null" });
        var (noOrigin, noOriginStatus) = await ExecSocket.ConnectAsync(url, new Dictionary<string, string> { ["Cookie"] = cookie });
        var (ownPage, ownStatus) = await ExecSocket.ConnectAsync(
            ExecSocket.Url(site.Server.BaseUrl, site.AliceJob, ["echo", "from our page"]), new Dictionary<string, string> { ["Cookie"] = cookie, ["Origin"] = own });
        using var _ = ownPage;

        Assert.Null(evil);
        Assert.Null(nullOrigin);
        Assert.Null(noOrigin);
        Assert.Equal(HttpStatusCode.Forbidden, evilStatus);
        Assert.Equal(HttpStatusCode.Forbidden, nullStatus);
        Assert.Equal(HttpStatusCode.Forbidden, noOriginStatus);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, ownStatus);
        await ownPage!.ReadToEndAsync();
        Assert.Equal("from our page\n", ownPage.Stdout);
        Assert.DoesNotContain((await site.JobAsync(site.AliceJob)).Events!, e => e.Message.Contains("pwned", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhenTheJobEnds_TheSessionEnds()
    {
        var job = await site.RunningJobAsync("alice");
        var (socket, _) = await ConnectAsync("alice", job, ["sh", "-c", "echo started; sleep 300"]);
        using var _ = socket;
        await socket!.WaitForStdoutAsync("started");

        using var client = site.Bearer("alice");
        (await client.PostAsync($"/api/v1/jobs/{job}/kill", null)).EnsureSuccessStatusCode();
        var end = await socket.ReadToEndAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ExecStatus.Exited, end.Reason);
        Assert.NotEqual(0, end.ExitCode ?? -1);
    }
}

/// <summary>Exec:IdleTimeout ends a session with neither input nor output; the status and the timeline say so.</summary>
public sealed class ExecIdleTimeoutTests(ExecIdleTimeoutTests.Fixture fixture) : IClassFixture<ExecIdleTimeoutTests.Fixture>
{
    public sealed class Fixture : ServerFixture
    {
        protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string> { ["Exec:IdleTimeout"] = "00:00:02" };
    }

    [Fact]
    public async Task ASessionWithNoInputOrOutput_EndsAfterTheIdleTimeout()
    {
        var job = await fixture.Api.SubmitAsync(new JobSpec { Script = "sleep 600" });
        await fixture.Api.WaitForAsync(job.Id, j => j.State == JobState.Running);
        var (socket, _) = await ExecSocket.ConnectAsync(ExecSocket.Url(fixture.Server.BaseUrl, job.Id, ["sleep", "300"], "&tty=true&stdin=true"), ExecSocket.Bearer(null));
        using var _ = socket;

        var end = await socket!.ReadToEndAsync(TimeSpan.FromSeconds(30));
        await fixture.Api.KillAsync(job.Id);

        Assert.Equal(ExecStatus.IdleTimeout, end.Reason);
        Assert.Null(end.ExitCode);
        Assert.Contains((await fixture.Api.GetAsync(job.Id)).Events!, e => e.Kind == "exec-ended" && e.Message.EndsWith("ended: no input or output for 00:00:02", StringComparison.Ordinal));
    }
}

/// <summary>
/// Exec:MaxSession ends a session however busy it is; on an interactive job it ends the attachment, never the job.
/// </summary>
public sealed class ExecMaxSessionTests(ExecMaxSessionTests.Fixture fixture) : IClassFixture<ExecMaxSessionTests.Fixture>
{
    public sealed class Fixture : ServerFixture
    {
        protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string> { ["Exec:MaxSession"] = "00:00:03" };
    }

    private const string Ticking = "while true; do echo tick; sleep 0.3; done";

    [Fact]
    public async Task ABusySession_EndsAtTheMaximumLength()
    {
        var job = await fixture.Api.SubmitAsync(new JobSpec { Script = "sleep 600" });
        await fixture.Api.WaitForAsync(job.Id, j => j.State == JobState.Running);
        var (socket, _) = await ExecSocket.ConnectAsync(ExecSocket.Url(fixture.Server.BaseUrl, job.Id, ["sh", "-c", Ticking]), ExecSocket.Bearer(null));
        using var _ = socket;

        var end = await socket!.ReadToEndAsync(TimeSpan.FromSeconds(30));
        await fixture.Api.KillAsync(job.Id);

        Assert.Equal(ExecStatus.MaxSession, end.Reason);
        // It printed, and the reason says it was the maximum, not the idle timeout (30 minutes here), that ended it.
        Assert.Contains("tick", socket.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnAnInteractiveJob_TheMaximumEndsTheAttachment_AndTheJobRunsOn()
    {
        var job = await fixture.Api.SubmitAsync(new JobSpec { Interactive = true, Command = ["sh", "-c", Ticking] });
        await fixture.Api.WaitForAsync(job.Id, j => j.State == JobState.Running);
        var url = new UriBuilder(fixture.Server.BaseUrl) { Scheme = "ws", Path = $"/api/v1/jobs/{job.Id}/attach" }.Uri;
        var (socket, status) = await ExecSocket.ConnectAsync(url, ExecSocket.Bearer(null));
        using var _ = socket;
        Assert.Equal(System.Net.HttpStatusCode.SwitchingProtocols, status);

        var end = await socket!.ReadToEndAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ExecStatus.MaxSession, end.Reason);
        Assert.Contains("tick", socket.Stdout, StringComparison.Ordinal);
        var after = await fixture.Api.GetAsync(job.Id);
        Assert.Equal(JobState.Running, after.State);
        Assert.Contains(after.Events!, e => e.Kind == "detach" && e.Message.Contains("maximum length", StringComparison.Ordinal));
        await fixture.Api.KillAsync(job.Id);
    }
}
