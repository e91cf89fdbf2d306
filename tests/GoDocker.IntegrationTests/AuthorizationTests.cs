using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// A multi-user server (Auth:Provider=local): tokens, and who may see and do what. Users: admin (bootstrap),
/// alice and bob (members of project genomics), carol (manager of genomics), dave (no project), erin (throttled by a test).
/// </summary>
public sealed class AuthorizationTests(AuthorizationTests.Site site) : IClassFixture<AuthorizationTests.Site>
{
    public sealed class Site : IAsyncLifetime
    {
        private string passwordFile = null!;
        public ServerProcess Server { get; private set; } = null!;
        public Dictionary<string, string> Tokens { get; } = [];
        public long AliceJob { get; private set; }
        public long AliceDefaultJob { get; private set; }

        /// <summary>Host folders behind the volumes: data/{user} (rw), shared (ro), secret (granted to the admins group only).</summary>
        public string VolumeRoot { get; } = Directory.CreateTempSubdirectory("godocker-volumes-").FullName;

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(Path.Combine(VolumeRoot, "data", "alice"));
            Directory.CreateDirectory(Path.Combine(VolumeRoot, "data", "carol"));
            Directory.CreateDirectory(Path.Combine(VolumeRoot, "shared"));
            Directory.CreateDirectory(Path.Combine(VolumeRoot, "secret"));
            Directory.CreateDirectory(Path.Combine(VolumeRoot, "home", "alice"));
            Directory.CreateDirectory(Path.Combine(VolumeRoot, "home", "bob"));
            await File.WriteAllTextAsync(Path.Combine(VolumeRoot, "home", "bob", "diary.txt"), "bob's\n");
            await File.WriteAllTextAsync(Path.Combine(VolumeRoot, "shared", "reference.txt"), "ref\n");
            // bob's data folder is a symlink out of the volume root.
            File.CreateSymbolicLink(Path.Combine(VolumeRoot, "data", "bob"), "/etc");
            using (var chown = System.Diagnostics.Process.Start("chown", ["3001:3001", Path.Combine(VolumeRoot, "data", "alice")]))
            {
                await chown.WaitForExitAsync();
            }
            passwordFile = Path.GetTempFileName();
            await File.WriteAllTextAsync(passwordFile, "admin-secret-1");
            Server = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["Auth:Provider"] = "local",
                ["Auth:BootstrapAdmin"] = "admin",
                ["Auth:BootstrapAdminPasswordFile"] = passwordFile,
                ["Auth:MaxFailedLogins"] = "3",
                ["Jobs:Root:Granted:Users:0"] = "carol",
                ["Volumes:0:Name"] = "data",
                ["Volumes:0:HostPath"] = Path.Combine(VolumeRoot, "data", "{user}"),
                ["Volumes:0:ContainerPath"] = "/data",
                ["Volumes:0:AllowedRoot"] = Path.Combine(VolumeRoot, "data"),
                ["Volumes:1:Name"] = "shared",
                ["Volumes:1:HostPath"] = Path.Combine(VolumeRoot, "shared"),
                ["Volumes:1:ContainerPath"] = "/shared",
                ["Volumes:1:Mode"] = "ro",
                ["Volumes:1:AllowedRoot"] = VolumeRoot,
                ["Volumes:2:Name"] = "secret",
                ["Volumes:2:HostPath"] = Path.Combine(VolumeRoot, "secret"),
                ["Volumes:2:AllowedRoot"] = VolumeRoot,
                ["Volumes:2:Who:Everyone"] = "false",
                ["Volumes:2:Who:Groups:0"] = "admins",
                ["Volumes:3:Name"] = "home",
                ["Volumes:3:HostPath"] = "{home}",
                ["Volumes:3:AllowedRoot"] = Path.Combine(VolumeRoot, "home"),
                ["Images:AnyImage:Users:0"] = "carol",
            });
            Tokens["admin"] = await LoginAsync("admin", "admin-secret-1");
            var uid = 3000;
            foreach (var login in (string[])["alice", "bob", "carol", "dave", "erin"])
            {
                using var created = await As("admin").PostAsJsonAsync("/api/v1/users",
                    new UserRequest
                    {
                        Login = login, Uid = ++uid, Gid = uid, Password = $"{login}-password",
                        Home = login is "alice" or "bob" ? Path.Combine(VolumeRoot, "home", login) : $"/home/{login}",
                        SecondaryGids = login == "alice" ? [4001, 4002] : null,
                    },
                    GoDockerJson.Default.UserRequest);
                created.EnsureSuccessStatusCode();
                Tokens[login] = await LoginAsync(login, $"{login}-password");
            }
            (await As("admin").PostAsJsonAsync("/api/v1/projects", new ProjectRequest("genomics", 5), GoDockerJson.Default.ProjectRequest)).EnsureSuccessStatusCode();
            (await As("admin").PutAsync("/api/v1/projects/genomics/members/alice", null)).EnsureSuccessStatusCode();
            (await As("admin").PutAsync("/api/v1/projects/genomics/members/bob", null)).EnsureSuccessStatusCode();
            (await As("admin").PutAsync("/api/v1/projects/genomics/members/carol?manager=true", null)).EnsureSuccessStatusCode();
            AliceJob = await SubmitAsync("alice", new JobSpec { Script = "echo alice-secret", Project = "genomics" });
            AliceDefaultJob = await SubmitAsync("alice", new JobSpec { Script = "echo private" });
            await Server.Api.WaitForAsync(AliceJob, j => j.State.IsTerminal(), null, Tokens["admin"]);
        }

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            File.Delete(passwordFile);
            Directory.Delete(VolumeRoot, recursive: true);
        }

        public HttpClient As(string? login) => WithToken(login is null ? null : Tokens[login]);

        public HttpClient WithToken(string? token)
        {
            var client = new HttpClient { BaseAddress = Server.BaseUrl };
            if (token is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            return client;
        }

        public async Task<string> LoginAsync(string login, string password)
        {
            using var anonymous = As(null);
            using var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest(login, password), GoDockerJson.Default.LoginRequest);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.LoginResponse))!.Token;
        }

        public async Task<long> SubmitAsync(string login, JobSpec spec)
        {
            using var client = As(login);
            using var response = await client.PostAsJsonAsync("/api/v1/jobs", spec, GoDockerJson.Default.JobSpec);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!.Id;
        }
    }

    /// <summary>Every job endpoint × role, on alice's job in project genomics: the expected status.</summary>
    public static TheoryData<string, string, string?, HttpStatusCode> Matrix()
    {
        var data = new TheoryData<string, string, string?, HttpStatusCode>();
        (string Method, string Path)[] endpoints =
        [
            ("GET", "/api/v1/jobs/{job}"), ("GET", "/api/v1/jobs/{job}/stdout"), ("GET", "/api/v1/jobs/{job}/stderr"),
            ("GET", "/api/v1/jobs/{job}/files"), ("GET", "/api/v1/jobs/{job}/files/stdout"), ("GET", "/api/v1/jobs/{job}/usage"),
        ];
        foreach (var (method, path) in endpoints)
        {
            data.Add(method, path, null, HttpStatusCode.Unauthorized);
            data.Add(method, path, "alice", HttpStatusCode.OK);
            data.Add(method, path, "bob", HttpStatusCode.NotFound);
            data.Add(method, path, "dave", HttpStatusCode.NotFound);
            data.Add(method, path, "carol", HttpStatusCode.OK);
            data.Add(method, path, "admin", HttpStatusCode.OK);
        }
        foreach (var (method, path) in ((string, string)[])[("GET", "/api/v1/users"), ("GET", "/api/v1/projects"), ("GET", "/api/v1/users/alice")])
        {
            data.Add(method, path, null, HttpStatusCode.Unauthorized);
            data.Add(method, path, "alice", HttpStatusCode.Forbidden);
            data.Add(method, path, "carol", HttpStatusCode.Forbidden);
            data.Add(method, path, "admin", HttpStatusCode.OK);
        }
        foreach (var login in (string?[])[null, "alice", "admin"])
        {
            data.Add("GET", "/api/v1/health", login, HttpStatusCode.OK);
        }
        data.Add("GET", "/api/v1/jobs", null, HttpStatusCode.Unauthorized);
        data.Add("POST", "/api/v1/jobs/{job}/kill", null, HttpStatusCode.Unauthorized);
        data.Add("POST", "/api/v1/jobs/{job}/kill", "bob", HttpStatusCode.NotFound);
        data.Add("POST", "/api/v1/jobs/{job}/kill", "dave", HttpStatusCode.NotFound);
        data.Add("GET", "/api/v1/auth/whoami", null, HttpStatusCode.Unauthorized);
        data.Add("GET", "/api/v1/tokens", null, HttpStatusCode.Unauthorized);
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Endpoint_AnswersEachRole_AsTheMatrixSays(string method, string path, string? login, HttpStatusCode expected)
    {
        using var client = site.As(login);
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path.Replace("{job}", site.AliceJob.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task JobList_ShowsEachUserOnlyWhatTheyMaySee()
    {
        using var bob = site.As("bob");
        using var carol = site.As("carol");
        using var alice = site.As("alice");

        var ofBob = await bob.GetFromJsonAsync("/api/v1/jobs", GoDockerJson.Default.JobList);
        var ofCarol = await carol.GetFromJsonAsync("/api/v1/jobs", GoDockerJson.Default.JobList);
        var ofAlice = await alice.GetFromJsonAsync("/api/v1/jobs", GoDockerJson.Default.JobList);
        var bobAskingForAlice = await bob.GetFromJsonAsync("/api/v1/jobs?owner=alice", GoDockerJson.Default.JobList);

        Assert.DoesNotContain(ofBob!.Items, j => j.Owner == "alice");
        Assert.Empty(bobAskingForAlice!.Items);
        // carol manages genomics: she sees alice's genomics job, not alice's default-project one.
        Assert.Contains(ofCarol!.Items, j => j.Id == site.AliceJob);
        Assert.DoesNotContain(ofCarol.Items, j => j.Id == site.AliceDefaultJob);
        // Her own (other tests of this class add some, e.g. TES tasks), and nobody else's.
        Assert.All(ofAlice!.Items, j => Assert.Equal("alice", j.Owner));
        Assert.Contains(site.AliceJob, ofAlice.Items.Select(j => j.Id));
        Assert.Contains(site.AliceDefaultJob, ofAlice.Items.Select(j => j.Id));
    }

    [Fact]
    public async Task Submit_ToAProjectTheUserIsNotIn_Is403NamingIt()
    {
        using var dave = site.As("dave");

        using var response = await dave.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "true", Project = "genomics" }, GoDockerJson.Default.JobSpec);
        var problem = await response.Content.ReadFromJsonAsync(GoDockerJson.Default.Problem);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("genomics", problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProjectManager_CanKillAMembersJob_OtherMembersCannot()
    {
        var job = await site.SubmitAsync("bob", new JobSpec { Script = "sleep 300", Project = "genomics" });
        using var alice = site.As("alice");
        using var carol = site.As("carol");

        using var byAlice = await alice.PostAsync($"/api/v1/jobs/{job}/kill", null);
        using var byCarol = await carol.PostAsync($"/api/v1/jobs/{job}/kill", null);
        var done = await site.Server.Api.WaitForAsync(job, j => j.State.IsTerminal(), TimeSpan.FromSeconds(30), site.Tokens["admin"]);

        Assert.Equal(HttpStatusCode.NotFound, byAlice.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, byCarol.StatusCode);
        Assert.Equal(JobState.Killed, done.State);
        Assert.Equal("killed by carol", done.Reason);
    }

    [Fact]
    public async Task Jobs_AreOwnedByTheTokensUser()
    {
        using var alice = site.As("alice");

        var job = await alice.GetFromJsonAsync($"/api/v1/jobs/{site.AliceJob}", GoDockerJson.Default.JobView);
        var me = await alice.GetFromJsonAsync("/api/v1/auth/whoami", GoDockerJson.Default.UserView);

        Assert.Equal("alice", job!.Owner);
        Assert.Equal("alice", me!.Login);
        Assert.Equal(["default", "genomics"], me.Projects);
    }

    [Fact]
    public async Task WrongPassword_AndUnknownLogin_LookTheSame()
    {
        using var anonymous = site.As(null);

        using var wrong = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("bob", "not-his-password"), GoDockerJson.Default.LoginRequest);
        using var unknown = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("nobody-here", "whatever1"), GoDockerJson.Default.LoginRequest);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(await wrong.Content.ReadAsStringAsync() is var a ? Strip(a) : "", Strip(await unknown.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task RepeatedFailedLogins_AreThrottled_EvenWithTheRightPasswordAfterwards()
    {
        // erin's own password works, until three failures block his login for the window.
        using var anonymous = site.As(null);
        await site.LoginAsync("erin", "erin-password");
        for (var i = 0; i < 3; i++)
        {
            using var failed = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("erin", "wrong-" + i), GoDockerJson.Default.LoginRequest);
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var blocked = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("erin", "erin-password"), GoDockerJson.Default.LoginRequest);

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
    }

    [Fact]
    public async Task RevokedToken_NoLongerWorks_AndTokensAreNeverListedWithTheirSecret()
    {
        var secret = await site.LoginAsync("bob", "bob-password");
        using var bob = new HttpClient { BaseAddress = site.Server.BaseUrl };
        bob.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var listed = await bob.GetStringAsync("/api/v1/tokens");
        var mine = await bob.GetFromJsonAsync("/api/v1/tokens", GoDockerJson.Default.IReadOnlyListTokenInfo);

        using var revoke = await bob.DeleteAsync($"/api/v1/tokens/{mine![^1].Id}");
        using var after = await bob.GetAsync("/api/v1/auth/whoami");

        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task DisabledUser_TokensStopWorking()
    {
        var secret = await site.LoginAsync("dave", "dave-password");
        using var admin = site.As("admin");
        using var dave = new HttpClient { BaseAddress = site.Server.BaseUrl };
        dave.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await dave.GetAsync("/api/v1/auth/whoami")).StatusCode);

        using var disable = await admin.PatchAsJsonAsync("/api/v1/users/dave", new UserRequest { Disabled = true }, GoDockerJson.Default.UserRequest);
        using var after = await dave.GetAsync("/api/v1/auth/whoami");
        (await admin.PatchAsJsonAsync("/api/v1/users/dave", new UserRequest { Disabled = false }, GoDockerJson.Default.UserRequest)).Dispose();
        // Disabling revoked every token of dave's: the other tests get a new one.
        site.Tokens["dave"] = await site.LoginAsync("dave", "dave-password");

        Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    private static string Strip(string problem) =>
        System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");

    [Fact]
    public async Task Job_RunsAsItsOwner_WithTheirGroupsAndHome_InAFolderOnlyTheyCanRead()
    {
        var job = await site.SubmitAsync("alice", new JobSpec { Script = "id -u; id -g; id -G; echo $HOME $USER $LOGNAME; touch made-by-job" });
        var done = await site.Server.Api.WaitForAsync(job, j => j.State.IsTerminal(), null, site.Tokens["admin"]);
        using var alice = site.As("alice");
        var output = (await alice.GetStringAsync($"/api/v1/jobs/{job}/stdout")).Split('\n');
        var folder = Path.Combine(site.Server.DataDir, "jobs", job.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("3001", output[0]);
        Assert.Equal("3001", output[1]);
        Assert.Equal(["3001", "4001", "4002"], output[2].Split(' ').Order());
        Assert.Equal($"{Path.Combine(site.VolumeRoot, "home", "alice")} alice alice", output[3]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.Equal("3001:3001", await OwnerAsync(folder));
        Assert.Equal("3001:3001", await OwnerAsync(Path.Combine(folder, "made-by-job")));
        Assert.Equal("3001:3001", await OwnerAsync(Path.Combine(folder, "stdout")));
    }

    private static async Task<string> OwnerAsync(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u:%g", path]) { RedirectStandardOutput = true })!;
        var owner = (await stat.StandardOutput.ReadToEndAsync()).Trim();
        await stat.WaitForExitAsync();
        return owner;
    }

    [Fact]
    public async Task ImageOutsideTheList_IsRefused_NamingWhatIsAllowed_UnlessGranted()
    {
        using var alice = site.As("alice");
        using var carol = site.As("carol");

        using var refused = await alice.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "true", Image = "debian:bookworm" }, GoDockerJson.Default.JobSpec);
        var problem = await refused.Content.ReadFromJsonAsync(GoDockerJson.Default.Problem);
        using var granted = await carol.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "true", Image = "debian:bookworm" }, GoDockerJson.Default.JobSpec);
        var images = await alice.GetFromJsonAsync("/api/v1/images", GoDockerJson.Default.ImagesView);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.True(problem!.Errors!.ContainsKey("image"));
        Assert.Contains("godocker/*", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        Assert.Equal(["godocker/*"], images!.Allowed);
        Assert.False(images.AnyImageAllowed);
    }

    [Fact]
    public async Task Root_IsRefusedWhereNotGranted_AndRunsAsUid0WhereItIs()
    {
        using var alice = site.As("alice");

        using var refused = await alice.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "id -u", Root = true }, GoDockerJson.Default.JobSpec);
        var problem = await refused.Content.ReadFromJsonAsync(GoDockerJson.Default.Problem);
        var granted = await site.SubmitAsync("carol", new JobSpec { Script = "id -u; grep CapEff /proc/self/status", Root = true });
        await site.Server.Api.WaitForAsync(granted, j => j.State.IsTerminal(), null, site.Tokens["admin"]);
        using var carol = site.As("carol");
        var output = await carol.GetStringAsync($"/api/v1/jobs/{granted}/stdout");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.True(problem!.Errors!.ContainsKey("root"));
        Assert.StartsWith("0\n", output, StringComparison.Ordinal);
        Assert.Contains("CapEff:\t0000000000000000", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Volumes_MountAsTheAclSays_RwWhereAllowed_RoWhereNot()
    {
        var job = await site.SubmitAsync("alice", new JobSpec
        {
            Script = "echo written > /data/out.txt && cat /shared/reference.txt && (echo x > /shared/nope 2>/dev/null && echo WROTE || echo refused)",
            Volumes = ["data", "shared"],
        });
        var done = await site.Server.Api.WaitForAsync(job, j => j.State.IsTerminal(), null, site.Tokens["admin"]);
        using var alice = site.As("alice");

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("ref\nrefused\n", await alice.GetStringAsync($"/api/v1/jobs/{job}/stdout"));
        Assert.Equal("written\n", await File.ReadAllTextAsync(Path.Combine(site.VolumeRoot, "data", "alice", "out.txt")));
        Assert.False(File.Exists(Path.Combine(site.VolumeRoot, "shared", "nope")));
    }

    [Theory]
    [InlineData("alice", "nosuch", "volume 'nosuch' does not exist")]
    [InlineData("alice", "shared:rw", "volume 'shared' is read-only here")]
    [InlineData("alice", "secret", "volume 'secret' is not granted to you")]
    [InlineData("bob", "data", "leaves the volume's allowed folder")]
    [InlineData("dave", "data", "does not exist on the host")]
    public async Task Volume_Refusals_Are403NamingTheVolume(string login, string volume, string expected)
    {
        using var client = site.As(login);

        using var response = await client.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "true", Volumes = [volume] }, GoDockerJson.Default.JobSpec);
        var problem = await response.Content.ReadFromJsonAsync(GoDockerJson.Default.Problem);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.True(problem!.Errors!.ContainsKey("volumes"));
        Assert.Contains(expected, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RootJobs_GetEveryVolumeReadOnly()
    {
        var job = await site.SubmitAsync("carol", new JobSpec
        {
            Script = "(echo x > /data/root-was-here 2>/dev/null && echo WROTE || echo refused)",
            Volumes = ["data:rw"],
            Root = true,
        });
        await site.Server.Api.WaitForAsync(job, j => j.State.IsTerminal(), null, site.Tokens["admin"]);
        using var carol = site.As("carol");

        Assert.Equal("refused\n", await carol.GetStringAsync($"/api/v1/jobs/{job}/stdout"));
        Assert.False(File.Exists(Path.Combine(site.VolumeRoot, "data", "carol", "root-was-here")));
    }

    [Fact]
    public async Task AccountDisabledWhileItsJobWaits_TheJobIsRefusedAtLaunch()
    {
        using var admin = site.As("admin");
        var health = await site.Server.Api.HealthAsync();
        var blocker = await site.SubmitAsync("admin", new JobSpec { Script = "sleep 300", Cpus = health.Nodes[0].Cpus });
        await site.Server.Api.WaitForAsync(blocker, j => j.State == JobState.Running, null, site.Tokens["admin"]);
        var waiting = await site.SubmitAsync("erin", new JobSpec { Script = "echo should not run" });

        (await admin.PatchAsJsonAsync("/api/v1/users/erin", new UserRequest { Disabled = true }, GoDockerJson.Default.UserRequest)).Dispose();
        (await admin.PostAsync($"/api/v1/jobs/{blocker}/kill", null)).Dispose();
        var done = await site.Server.Api.WaitForAsync(waiting, j => j.State.IsTerminal(), TimeSpan.FromSeconds(30), site.Tokens["admin"]);
        (await admin.PatchAsJsonAsync("/api/v1/users/erin", new UserRequest { Disabled = false }, GoDockerJson.Default.UserRequest)).Dispose();

        Assert.Equal(JobState.Failed, done.State);
        Assert.StartsWith("refused at launch: the owner's account (erin) is disabled", done.Reason, StringComparison.Ordinal);
        Assert.Null(done.StartedAt);
    }

    [Fact]
    public async Task HomeVolume_IsTheCallersOwnHome_NeverSomeoneElses()
    {
        // The "home" volume is {home}: alice gets her home; there is no way to name bob's.
        var job = await site.SubmitAsync("alice", new JobSpec { Script = "ls \"$HOME\"; cat \"$HOME\"/../bob/diary.txt 2>&1 || echo no-bob", Volumes = ["home"] });
        await site.Server.Api.WaitForAsync(job, j => j.State.IsTerminal(), null, site.Tokens["admin"]);
        using var alice = site.As("alice");
        var output = await alice.GetStringAsync($"/api/v1/jobs/{job}/stdout");
        var view = await alice.GetFromJsonAsync($"/api/v1/jobs/{job}", GoDockerJson.Default.JobView);

        Assert.DoesNotContain("bob's", output, StringComparison.Ordinal);
        Assert.Contains("no-bob", output, StringComparison.Ordinal);
        Assert.Equal("alice", view!.Owner);
    }

    public static TheoryData<string, string, string?, HttpStatusCode> AdminWrites() => new()
    {
        { "POST", "/api/v1/users", null, HttpStatusCode.Unauthorized },
        { "POST", "/api/v1/users", "alice", HttpStatusCode.Forbidden },
        { "PATCH", "/api/v1/users/bob", "alice", HttpStatusCode.Forbidden },
        { "PATCH", "/api/v1/users/bob", "carol", HttpStatusCode.Forbidden },
        { "POST", "/api/v1/projects", "alice", HttpStatusCode.Forbidden },
        { "PUT", "/api/v1/projects/genomics/members/dave", "carol", HttpStatusCode.Forbidden },
        { "DELETE", "/api/v1/projects/genomics/members/bob", "alice", HttpStatusCode.Forbidden },
        { "GET", "/api/v1/projects/genomics", "bob", HttpStatusCode.Forbidden },
        { "DELETE", "/api/v1/tokens/1", "bob", HttpStatusCode.NotFound },
        { "GET", "/api/v1/images", null, HttpStatusCode.Unauthorized },
        { "GET", "/api/v1/images", "bob", HttpStatusCode.OK },
        { "GET", "/api/v1/nodes", null, HttpStatusCode.Unauthorized },
        { "GET", "/api/v1/nodes", "bob", HttpStatusCode.OK },
        { "POST", "/api/v1/nodes/local/drain", null, HttpStatusCode.Unauthorized },
        { "POST", "/api/v1/nodes/local/drain", "carol", HttpStatusCode.Forbidden },
        { "POST", "/api/v1/nodes/local/resume", "alice", HttpStatusCode.Forbidden },
        { "POST", "/api/v1/nodes/no-such-node/resume", "admin", HttpStatusCode.NotFound },
    };

    [Theory]
    [MemberData(nameof(AdminWrites))]
    public async Task AdminEndpoints_RefuseEveryoneButAdmins(string method, string path, string? login, HttpStatusCode expected)
    {
        using var client = site.As(login);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) };

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("alice", true)]
    [InlineData("carol", true)]
    [InlineData("admin", true)]
    [InlineData("bob", false)]
    [InlineData("dave", false)]
    public async Task AccountingRecords_AreSeenAsTheirJobIs(string login, bool sees)
    {
        using var client = site.As(login);
        var job = site.AliceJob.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var filtered = await client.GetFromJsonAsync($"/api/v1/accounting?job={job}&user=alice", GoDockerJson.Default.AccountingList);
        var all = await client.GetFromJsonAsync("/api/v1/accounting?limit=1000", GoDockerJson.Default.AccountingList);

        // Owner, the project's manager and admins see alice's record; a fellow member or an outsider, whatever they ask, do not.
        Assert.Equal(sees ? [site.AliceJob] : [], filtered!.Items.Select(r => r.JobId));
        Assert.Equal(sees, all!.Items.Any(r => r.JobId == site.AliceJob));
        Assert.All(all.Items, r => Assert.True(login is "admin" || r.Owner == login || (login == "carol" && r.Project == "genomics"),
            $"{login} sees job {r.JobId} of {r.Owner} in {r.Project}"));
    }

    /// <summary>Every operation the OpenAPI document publishes, so a new endpoint cannot escape the walk below.</summary>
    [Fact]
    public async Task TesTasks_AreAuthorizedAsJobs_OthersSeeNoneAndCancelNone_AManagerAndAdminsDo()
    {
        static StringContent Task(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
        var sleep = """{"name": "alice-tes", "resources": {"backend_parameters": {"project": "genomics"}}, "executors": [{"image": "godocker/busybox:latest", "command": ["sleep", "300"]}]}""";
        using var created = await site.As("alice").PostAsync("/ga4gh/tes/v1/tasks", Task(sleep));
        var id = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        // alice's own volume, by its host path: granted to her, so it is staged; bob's folder (a symlink to /etc) is not hers.
        var aliceData = "file://" + Path.Combine(site.VolumeRoot, "data", "alice");
        using var notMember = await site.As("dave").PostAsync("/ga4gh/tes/v1/tasks", Task(sleep));
        using var notHerImage = await site.As("alice").PostAsync("/ga4gh/tes/v1/tasks",
            Task("""{"executors": [{"image": "debian:12", "command": ["true"]}]}"""));
        using var othersVolume = await site.As("alice").PostAsync("/ga4gh/tes/v1/tasks",
            Task($$"""{"inputs": [{"url": "file://{{site.VolumeRoot}}/data/carol/x", "path": "/in/x"}], "executors": [{"image": "godocker/busybox:latest", "command": ["true"]}]}"""));
        using var ownVolume = await site.As("alice").PostAsync("/ga4gh/tes/v1/tasks",
            Task($$"""{"outputs": [{"url": "{{aliceData}}/out.txt", "path": "/out/out.txt"}], "executors": [{"image": "godocker/busybox:latest", "command": ["sh", "-c", "echo x > /out/out.txt"]}]}"""));

        var asBob = await site.As("bob").GetAsync($"/ga4gh/tes/v1/tasks/{id}");
        var asDave = await site.As("dave").PostAsync($"/ga4gh/tes/v1/tasks/{id}:cancel", null);
        var bobsList = await site.As("bob").GetStringAsync("/ga4gh/tes/v1/tasks");
        var asAdmin = await site.As("admin").GetAsync($"/ga4gh/tes/v1/tasks/{id}?view=BASIC");
        var asManager = await site.As("carol").PostAsync($"/ga4gh/tes/v1/tasks/{id}:cancel", null);
        var anonymous = await site.As(null).GetAsync("/ga4gh/tes/v1/tasks");

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, asBob.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, asDave.StatusCode);
        Assert.DoesNotContain($"\"{id}\"", bobsList, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, asAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, asManager.StatusCode);
        Assert.Equal(JobState.Killed, (await site.Server.Api.WaitForAsync(long.Parse(id!, System.Globalization.CultureInfo.InvariantCulture), j => j.State.IsTerminal(), null, site.Tokens["admin"])).State);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, notMember.StatusCode);
        Assert.Contains("resources.backend_parameters.project", await notMember.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, notHerImage.StatusCode);
        Assert.Contains("executors[0].image", await notHerImage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, othersVolume.StatusCode);
        Assert.Contains("inputs[0].url", await othersVolume.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(ownVolume.StatusCode == HttpStatusCode.OK, await ownVolume.Content.ReadAsStringAsync());
    }

    private static readonly string[] KnownOperations =
    [
        "GET /api/v1/auth/whoami", "POST /api/v1/auth/login",
        "POST /api/v1/auth/session", "GET /api/v1/auth/session", "DELETE /api/v1/auth/session",
        "GET /api/v1/jobs/events", "GET /api/v1/jobs/{id}/live",
        "GET /api/v1/health", "GET /api/v1/images", "GET /api/v1/volumes",
        "GET /api/v1/jobs", "POST /api/v1/jobs", "GET /api/v1/jobs/{id}", "POST /api/v1/jobs/{id}/kill",
        "GET /api/v1/jobs/{id}/stdout", "GET /api/v1/jobs/{id}/stderr",
        "GET /api/v1/jobs/{id}/files", "GET /api/v1/jobs/{id}/files/{path}", "GET /api/v1/jobs/{id}/usage",
        "GET /api/v1/nodes", "POST /api/v1/nodes/{name}/drain", "POST /api/v1/nodes/{name}/resume",
        "GET /api/v1/projects", "POST /api/v1/projects", "GET /api/v1/projects/{name}",
        "PUT /api/v1/projects/{name}/members/{login}", "DELETE /api/v1/projects/{name}/members/{login}",
        "GET /api/v1/tokens", "POST /api/v1/tokens", "DELETE /api/v1/tokens/{id}",
        "GET /api/v1/users", "POST /api/v1/users", "GET /api/v1/users/{login}", "PATCH /api/v1/users/{login}",
        "POST /api/v1/jobs/{id}/hold", "POST /api/v1/jobs/{id}/release", "POST /api/v1/jobs/{id}/suspend", "POST /api/v1/jobs/{id}/resume",
        "POST /api/v1/jobs/{id}/requeue", "GET /api/v1/jobs/{id}/priority", "POST /api/v1/jobs/{id}/priority",
        "GET /api/v1/arrays/{id}", "POST /api/v1/arrays/{id}/kill",
        "GET /api/v1/usage", "GET /api/v1/limits", "PUT /api/v1/limits/{kind}/{name}",
        "GET /api/v1/accounting",
        "GET /api/v1/jobs/{id}/exec", "GET /api/v1/jobs/{id}/attach", "POST /api/v1/admin/purge",
        "GET /api/v1/webhooks", "POST /api/v1/webhooks", "DELETE /api/v1/webhooks/{id}",
        "GET /metrics",
        "GET /ga4gh/tes/v1/service-info", "POST /ga4gh/tes/v1/tasks", "GET /ga4gh/tes/v1/tasks", "GET /ga4gh/tes/v1/tasks/{id}",
        "POST /ga4gh/tes/v1/tasks/{id}:cancel",
    ];

    [Fact]
    public async Task EveryPublishedEndpoint_RefusesAnonymousAndOutsiders_AndAdmitsAdmins()
    {
        using var anonymous = site.As(null);
        using var document = System.Text.Json.JsonDocument.Parse(await anonymous.GetStringAsync("/api/v1/openapi.json"));
        var operations = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(op => op.Name is "get" or "post" or "put" or "patch" or "delete")
                .Select(op => $"{op.Name.ToUpperInvariant()} {path.Name}"))
            .Order().ToList();
        Assert.Equal(KnownOperations.Order(), operations);

        var open = new HashSet<string> { "GET /api/v1/health", "POST /api/v1/auth/login", "POST /api/v1/auth/session", "GET /ga4gh/tes/v1/service-info" };
        foreach (var operation in operations)
        {
            var (method, template) = (operation.Split(' ')[0], operation.Split(' ')[1]);
            // Never tokens/1 of the admin's own, nor a member removal that would change the site for other tests.
            var path = template.Replace("{id}", template.Contains("/tokens/", StringComparison.Ordinal) || template.Contains("/webhooks/", StringComparison.Ordinal) ? "999999" : site.AliceJob.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{path}", "stdout", StringComparison.Ordinal).Replace("{name}", "genomics", StringComparison.Ordinal)
                .Replace("{kind}", "project", StringComparison.Ordinal)
                .Replace("{login}", method == "GET" ? "bob" : "nobody-such", StringComparison.Ordinal);
            // Setting a job's priority is an administrator's act: refused (403) before the job is looked at.
            var adminOnly = template.StartsWith("/api/v1/users", StringComparison.Ordinal) || template.StartsWith("/api/v1/projects", StringComparison.Ordinal)
                || template.StartsWith("/api/v1/nodes/", StringComparison.Ordinal) || template.StartsWith("/api/v1/admin/", StringComparison.Ordinal)
                || operation is "POST /api/v1/jobs/{id}/priority" or "PUT /api/v1/limits/{kind}/{name}"
                // Without a scrape token (Metrics:TokenSha256), the metrics are the administrators'.
                || operation is "GET /metrics";
            var jobScoped = !adminOnly && (template.StartsWith("/api/v1/jobs/{id}", StringComparison.Ordinal) || template.StartsWith("/api/v1/arrays/{id}", StringComparison.Ordinal)
                || template.StartsWith("/ga4gh/tes/v1/tasks/{id}", StringComparison.Ordinal));

            var asAnonymous = await SendAsync(null, method, path);
            var asOutsider = await SendAsync("dave", method, path);
            var asAdmin = await SendAsync("admin", method, path);

            if (!open.Contains(operation))
            {
                Assert.True(asAnonymous == HttpStatusCode.Unauthorized, $"{operation} anonymous: {asAnonymous}");
            }
            if (jobScoped)
            {
                Assert.True(asOutsider == HttpStatusCode.NotFound, $"{operation} outsider: {asOutsider}");
            }
            else if (adminOnly)
            {
                Assert.True(asOutsider == HttpStatusCode.Forbidden, $"{operation} outsider: {asOutsider}");
            }
            if (!open.Contains(operation))
            {
                // (Login answers 401 to an empty body whoever asks: it has its own tests.)
                Assert.True(asAdmin is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{operation} admin: {asAdmin}");
            }
        }
    }

    private async Task<HttpStatusCode> SendAsync(string? login, string method, string path)
    {
        // Logging out revokes the token it is sent with: never one the other tests share.
        using var client = login is not null && method == "DELETE" && path == "/api/v1/auth/session"
            ? site.WithToken(await site.LoginAsync(login, login == "admin" ? "admin-secret-1" : $"{login}-password"))
            : site.As(login);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH")
        {
            // An empty object: enough to reach authorization; validation may refuse it afterwards (400), which is fine.
            request.Content = JsonContent.Create(new { });
        }
        if (login == "admin" && (path.EndsWith("/kill", StringComparison.Ordinal) || path.EndsWith("/requeue", StringComparison.Ordinal)
            || path.EndsWith("/suspend", StringComparison.Ordinal) || path.EndsWith("/hold", StringComparison.Ordinal)))
        {
            return HttpStatusCode.Accepted; // not actually changing alice's job for the other tests (SchedulingApiTests exercise these on real jobs)
        }
        // Headers only: a live view (server-sent events) answers until the client goes.
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }
}
