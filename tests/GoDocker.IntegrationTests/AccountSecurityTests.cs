using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;
using Microsoft.Data.Sqlite;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Accounts as an attacker tries them (Auth:Provider=local): password guessing, tokens that outlive a reset or a
/// disable, root by way of uid 0, and reasons and usage figures naming what another user may not see.
/// Users: admin (bootstrap), alice (project genomics), bob, carol, mallory, target (the throttle's victim).
/// </summary>
public sealed class AccountSecurityTests(AccountSecurityTests.Site site) : IClassFixture<AccountSecurityTests.Site>
{
    private const int MaxFailedLogins = 5;

    public sealed class Site : IAsyncLifetime
    {
        private string passwordFile = null!;
        public ServerProcess Server { get; private set; } = null!;
        public Dictionary<string, string> Tokens { get; } = [];

        public async Task InitializeAsync()
        {
            passwordFile = Path.GetTempFileName();
            await File.WriteAllTextAsync(passwordFile, "admin-secret-1");
            Server = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["Auth:Provider"] = "local",
                ["Auth:BootstrapAdmin"] = "admin",
                ["Auth:BootstrapAdminPasswordFile"] = passwordFile,
                ["Auth:MaxFailedLogins"] = MaxFailedLogins.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // The first job that does not fit blocks those behind it: "queued behind ..." reasons.
                ["Scheduler:Backfill"] = "false",
            });
            Tokens["admin"] = (await LoginAsync("admin", "admin-secret-1"))!;
            var uid = 3100;
            foreach (var login in (string[])["alice", "bob", "carol", "mallory", "target"])
            {
                using var created = await As("admin").PostAsJsonAsync("/api/v1/users",
                    new UserRequest { Login = login, Uid = ++uid, Gid = uid, Password = $"{login}-password" }, GoDockerJson.Default.UserRequest);
                created.EnsureSuccessStatusCode();
                Tokens[login] = (await LoginAsync(login, $"{login}-password"))!;
            }
            (await As("admin").PostAsJsonAsync("/api/v1/projects", new ProjectRequest("genomics", 0), GoDockerJson.Default.ProjectRequest)).EnsureSuccessStatusCode();
            (await As("admin").PutAsync("/api/v1/projects/genomics/members/alice", null)).EnsureSuccessStatusCode();
        }

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            File.Delete(passwordFile);
        }

        public HttpClient As(string? login) => WithToken(login is null ? null : Tokens[login]);

        public HttpClient WithToken(string? token, HttpMessageHandler? handler = null)
        {
            var client = handler is null ? new HttpClient() : new HttpClient(handler);
            client.BaseAddress = Server.BaseUrl;
            if (token is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            return client;
        }

        /// <summary>The token, or null when the login is refused.</summary>
        public async Task<string?> LoginAsync(string login, string password, HttpClient? from = null)
        {
            using var anonymous = As(null);
            using var response = await (from ?? anonymous).PostAsJsonAsync("/api/v1/auth/login", new LoginRequest(login, password), GoDockerJson.Default.LoginRequest);
            return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.LoginResponse))!.Token : null;
        }

        public async Task<long> SubmitAsync(string login, JobSpec spec)
        {
            using var client = As(login);
            using var response = await client.PostAsJsonAsync("/api/v1/jobs", spec, GoDockerJson.Default.JobSpec);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!.Id;
        }
    }

    /// <summary>A client whose connections come from another loopback address (the server does not trust X-Forwarded-For).</summary>
    private static SocketsHttpHandler From(string localAddress) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    [Fact]
    public async Task FortyParallelGuesses_CheckAtMostTheLimit_AndTheOwnerStillLogsInFromTheirOwnAddress()
    {
        using var attacker = site.As(null);

        var guesses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var response = await attacker.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("target", $"guess-{i}"), GoDockerJson.Default.LoginRequest);
            return response.StatusCode;
        }));
        using var ownerClient = site.WithToken(null, From("127.0.0.2"));
        var owner = await site.LoginAsync("target", "target-password", ownerClient);
        var ownerFromTheAttackersAddress = await site.LoginAsync("target", "target-password");

        // 401 only for a password actually checked; every other guess was refused before it (429).
        Assert.Equal(MaxFailedLogins, guesses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(40 - MaxFailedLogins, guesses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.NotNull(owner);
        Assert.Null(ownerFromTheAttackersAddress);
    }

    [Fact]
    public async Task PasswordReset_RevokesEveryTokenOfTheUser_LoginTokensAndApiKeys()
    {
        var session = (await site.LoginAsync("bob", "bob-password"))!;
        using var bob = site.WithToken(session);
        using var created = await bob.PostAsJsonAsync("/api/v1/tokens", new NewTokenRequest("ci", null), GoDockerJson.Default.NewTokenRequest);
        var apiKey = (await created.Content.ReadFromJsonAsync(GoDockerJson.Default.LoginResponse))!.Token;
        using var key = site.WithToken(apiKey);
        Assert.Equal(HttpStatusCode.OK, (await key.GetAsync("/api/v1/auth/whoami")).StatusCode);

        using var reset = await site.As("admin").PatchAsJsonAsync("/api/v1/users/bob", new UserRequest { Password = "bob-password-2" }, GoDockerJson.Default.UserRequest);

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bob.GetAsync("/api/v1/auth/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await key.GetAsync("/api/v1/auth/whoami")).StatusCode);
        Assert.NotNull(site.Tokens["bob"] = (await site.LoginAsync("bob", "bob-password-2"))!);
    }

    [Fact]
    public async Task DisabledThenReEnabledAccount_GetsNoOldTokenBack()
    {
        var session = (await site.LoginAsync("carol", "carol-password"))!;
        using var carol = site.WithToken(session);
        using var admin = site.As("admin");

        (await admin.PatchAsJsonAsync("/api/v1/users/carol", new UserRequest { Disabled = true }, GoDockerJson.Default.UserRequest)).EnsureSuccessStatusCode();
        var whileDisabled = (await carol.GetAsync("/api/v1/auth/whoami")).StatusCode;
        (await admin.PatchAsJsonAsync("/api/v1/users/carol", new UserRequest { Disabled = false }, GoDockerJson.Default.UserRequest)).EnsureSuccessStatusCode();
        var afterReEnabling = (await carol.GetAsync("/api/v1/auth/whoami")).StatusCode;

        Assert.Equal(HttpStatusCode.Unauthorized, whileDisabled);
        Assert.Equal(HttpStatusCode.Unauthorized, afterReEnabling);
        Assert.NotNull(site.Tokens["carol"] = (await site.LoginAsync("carol", "carol-password"))!);
    }

    [Fact]
    public async Task BootstrapAdmin_DoesNotRunJobsAsRoot()
    {
        var job = await site.SubmitAsync("admin", new JobSpec { Script = "id -u; id -g" });
        var done = await site.Server.Api.WaitForAsync(job, j => j.State.IsTerminal(), null, site.Tokens["admin"]);
        using var admin = site.As("admin");

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("65534\n65534\n", await admin.GetStringAsync($"/api/v1/jobs/{job}/stdout"));
    }

    [Theory]
    [InlineData("POST", 0, 4000, "uid")]
    [InlineData("POST", 4000, 0, "gid")]
    [InlineData("PATCH", 0, null, "uid")]
    public async Task AccountWithRootIds_IsRefused_400NamingTheField(string method, int? uid, int? gid, string field)
    {
        using var admin = site.As("admin");
        using var response = method == "POST"
            ? await admin.PostAsJsonAsync("/api/v1/users", new UserRequest { Login = "rooty", Uid = uid, Gid = gid, Password = "rooty-password" }, GoDockerJson.Default.UserRequest)
            : await admin.PatchAsJsonAsync("/api/v1/users/alice", new UserRequest { Uid = uid, Gid = gid }, GoDockerJson.Default.UserRequest);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\":", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountForcedToUid0InTheStore_CannotRunAsRoot_AtSubmitOrAtLaunch()
    {
        // A job queued while mallory was an ordinary account, then the store says root (an old bootstrap admin, a
        // directory entry, an edited database): neither a new job nor the queued one runs as root.
        var queued = await site.SubmitAsync("mallory", new JobSpec { Script = "id -u", Hold = true });
        await site.Server.KillHardAsync();
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(site.Server.DataDir, "godocker.db")};Pooling=false"))
        {
            await db.OpenAsync();
            await using var forge = db.CreateCommand();
            forge.CommandText = """
                UPDATE users SET uid = 0, gid = 0 WHERE login = 'mallory';
                UPDATE jobs SET spec = json_set(spec, '$.runAs.uid', 0, '$.runAs.gid', 0) WHERE id = $id;
                """;
            forge.Parameters.AddWithValue("$id", queued);
            await forge.ExecuteNonQueryAsync();
        }
        await site.Server.StartAgainAsync();
        using var mallory = site.As("mallory");

        using var submit = await mallory.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "id -u" }, GoDockerJson.Default.JobSpec);
        (await mallory.PostAsync($"/api/v1/jobs/{queued}/release", null)).EnsureSuccessStatusCode();
        var done = await site.Server.Api.WaitForAsync(queued, j => j.State.IsTerminal(), TimeSpan.FromSeconds(30), site.Tokens["admin"]);

        Assert.Equal(HttpStatusCode.Forbidden, submit.StatusCode);
        Assert.Contains("jobs do not run as root", await submit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(JobState.Failed, done.State);
        Assert.StartsWith("refused at launch: account 'mallory' has uid 0", done.Reason, StringComparison.Ordinal);
        Assert.Null(done.StartedAt);
    }

    [Fact]
    public async Task QueuedBehindAnotherUsersJob_TheReasonDoesNotNameIt()
    {
        var cpus = (await site.Server.Api.HealthAsync()).Nodes[0].Cpus;
        var running = await site.SubmitAsync("admin", new JobSpec { Script = "sleep 300", Cpus = cpus });
        long? bobs = null, alices = null;
        try
        {
            await site.Server.Api.WaitForAsync(running, j => j.State == JobState.Running, null, site.Tokens["admin"]);
            bobs = await site.SubmitAsync("bob", new JobSpec { Script = "true", Cpus = cpus });
            alices = await site.SubmitAsync("alice", new JobSpec { Script = "true" });

            var seenByAlice = await site.Server.Api.WaitForAsync(alices.Value, j => j.Reason?.StartsWith("queued behind", StringComparison.Ordinal) == true,
                TimeSpan.FromSeconds(30), site.Tokens["alice"]);

            Assert.DoesNotContain(bobs.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), seenByAlice.Reason, StringComparison.Ordinal);
            Assert.Equal("queued behind an earlier job of another user or project, which waits for resources", seenByAlice.Reason);
        }
        finally
        {
            using var admin = site.As("admin");
            foreach (var id in new[] { running, bobs, alices }.OfType<long>())
            {
                (await admin.PostAsync($"/api/v1/jobs/{id}/kill", null)).Dispose();
            }
        }
    }

    [Fact]
    public async Task Usage_OfANonAdmin_HoldsOnlyTheirOwnAndTheirProjectsFigures()
    {
        var genomics = await site.SubmitAsync("alice", new JobSpec { Script = "sleep 1", Project = "genomics" });
        var own = await site.SubmitAsync("alice", new JobSpec { Script = "sleep 1" });
        await site.Server.Api.WaitForAsync(genomics, j => j.State.IsTerminal(), null, site.Tokens["admin"]);
        await site.Server.Api.WaitForAsync(own, j => j.State.IsTerminal(), null, site.Tokens["admin"]);
        using var bob = site.As("bob");
        using var alice = site.As("alice");

        var ofBob = await bob.GetFromJsonAsync("/api/v1/usage", GoDockerJson.Default.IReadOnlyListAccountUsageView);
        var ofAlice = await alice.GetFromJsonAsync("/api/v1/usage", GoDockerJson.Default.IReadOnlyListAccountUsageView);
        using var bobAskingForDefault = await bob.GetAsync("/api/v1/usage?project=default");

        Assert.All(ofBob!, u => Assert.Equal("user bob", $"{u.Kind} {u.Name}"));
        Assert.Equal(["project genomics", "user alice"], ofAlice!.Select(u => $"{u.Kind} {u.Name}").Order());
        Assert.Equal(HttpStatusCode.Forbidden, bobAskingForDefault.StatusCode);
    }
}
