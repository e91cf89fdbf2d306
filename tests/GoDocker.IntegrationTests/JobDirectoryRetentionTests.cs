using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Retention and purge through the HTTP API against the real engine. The server has no fake clock (TimeProvider.System), so
/// the site's durations are short settings: archived 3 s after a job's end, removed after 25 s, checked every second.
/// A multi-user site (Auth:Provider=local): admin purges, alice may not.
/// </summary>
public sealed class JobDirectoryRetentionTests(JobDirectoryRetentionTests.Site site) : IClassFixture<JobDirectoryRetentionTests.Site>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    public sealed class Site : IAsyncLifetime
    {
        private string passwordFile = "";

        public ServerProcess Server { get; private set; } = null!;
        public Dictionary<string, string> Tokens { get; } = [];
        /// <summary>Another user's folder on the host, which a job links to.</summary>
        public string Victim { get; } = Directory.CreateTempSubdirectory("godocker-retention-victim-").FullName;

        public async Task InitializeAsync()
        {
            await File.WriteAllTextAsync(Path.Combine(Victim, "diary.txt"), "bob's\n");
            passwordFile = Path.GetTempFileName();
            await File.WriteAllTextAsync(passwordFile, "admin-secret-1");
            Server = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["Auth:Provider"] = "local",
                ["Auth:BootstrapAdmin"] = "admin",
                ["Auth:BootstrapAdminPasswordFile"] = passwordFile,
                ["JobDirectories:ArchiveAfter"] = "00:00:03",
                ["JobDirectories:RemoveAfter"] = "00:00:25",
                ["JobDirectories:CheckInterval"] = "00:00:01",
            });
            Tokens["admin"] = await LoginAsync("admin", "admin-secret-1");
            using var created = await As("admin").PostAsJsonAsync("/api/v1/users",
                new UserRequest { Login = "alice", Uid = 3101, Gid = 3101, Password = "alice-password", Home = "/home/alice" },
                GoDockerJson.Default.UserRequest);
            created.EnsureSuccessStatusCode();
            Tokens["alice"] = await LoginAsync("alice", "alice-password");
        }

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            File.Delete(passwordFile);
            Directory.Delete(Victim, recursive: true);
        }

        public HttpClient As(string? login)
        {
            var client = new HttpClient { BaseAddress = Server.BaseUrl };
            if (login is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens[login]);
            }
            return client;
        }

        private async Task<string> LoginAsync(string login, string password)
        {
            using var anonymous = As(null);
            using var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest(login, password), GoDockerJson.Default.LoginRequest);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.LoginResponse))!.Token;
        }
    }

    private async Task<long> SubmitAsync(string login, string script)
    {
        using var client = site.As(login);
        using var response = await client.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = script }, GoDockerJson.Default.JobSpec);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!.Id;
    }

    private async Task<JobView> GetAsync(long id)
    {
        using var client = site.As("alice");
        return (await client.GetFromJsonAsync($"/api/v1/jobs/{id}", GoDockerJson.Default.JobView))!;
    }

    /// <summary>Polls (bounded) until the job's directory is in <paramref name="state"/>.</summary>
    private async Task<JobView> WaitForDirectoryAsync(long id, string state)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var job = await GetAsync(id);
            if (job.Directory == state)
            {
                return job;
            }
            Assert.True(clock.Elapsed < Deadline, $"job {id}: directory still {job.Directory ?? "(none)"} ({job.State}), not {state}\n{site.Server.Log}");
            await Task.Delay(250);
        }
    }

    private static string Numbers() =>
        string.Concat(Enumerable.Range(1, 20000).Select(i => i.ToString(CultureInfo.InvariantCulture) + "\n"));

    [Fact]
    public async Task AnEndedJobsDirectory_BecomesAnArchive_StillListedAndDownloadable_ThenIsRemoved_AndTheRecordStays()
    {
        var id = await SubmitAsync("alice", "mkdir -p out/deep && seq 1 20000 > out/deep/numbers.txt && echo done");
        await site.Server.Api.WaitForAsync(id, j => j.State.IsTerminal(), Deadline, site.Tokens["alice"]);

        var archived = await WaitForDirectoryAsync(id, "archived");
        Assert.Equal(JobState.Succeeded, archived.State);
        Assert.Contains(archived.Events!, e => e.Kind == "directory-archived");
        using var alice = site.As("alice");
        var root = await alice.GetFromJsonAsync($"/api/v1/jobs/{id}/files", GoDockerJson.Default.IReadOnlyListFileEntry);
        Assert.Contains(root!, e => e is { Name: "out", Type: "dir" });
        Assert.Contains(root!, e => e is { Name: "stdout", Type: "file" });
        var deep = await alice.GetFromJsonAsync($"/api/v1/jobs/{id}/files?path=out/deep", GoDockerJson.Default.IReadOnlyListFileEntry);
        var numbers = Assert.Single(deep!);
        Assert.Equal(("numbers.txt", "out/deep/numbers.txt", Numbers().Length), (numbers.Name, numbers.Path, (int)numbers.Size));
        using (var download = await alice.GetAsync($"/api/v1/jobs/{id}/files/out/deep/numbers.txt"))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(Numbers().Length, download.Content.Headers.ContentLength);
            Assert.Equal(Numbers(), await download.Content.ReadAsStringAsync());
        }
        Assert.Equal("done\n", await alice.GetStringAsync($"/api/v1/jobs/{id}/stdout"));

        var removed = await WaitForDirectoryAsync(id, "removed");
        Assert.Equal(JobState.Succeeded, removed.State);
        Assert.Contains(removed.Events!, e => e.Kind == "directory-removed");
        using var gone = await alice.GetAsync($"/api/v1/jobs/{id}/files");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("removed", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinksToShadowAndToAnotherUsersFolder_AndAFifo_AreNeverFollowedOrOpened_NorRemovedThrough()
    {
        var shadow = (await File.ReadAllTextAsync("/etc/shadow")).Split('\n')[0];
        var id = await SubmitAsync("alice",
            $"ln -s /etc/shadow shadow; ln -s {site.Victim} other; mkdir sub; ln -s / sub/root; mkfifo pipe; echo mine > mine.txt");
        await site.Server.Api.WaitForAsync(id, j => j.State.IsTerminal(), Deadline, site.Tokens["alice"]);

        await WaitForDirectoryAsync(id, "archived");

        using var alice = site.As("alice");
        var root = await alice.GetFromJsonAsync($"/api/v1/jobs/{id}/files", GoDockerJson.Default.IReadOnlyListFileEntry);
        Assert.Contains(root!, e => e is { Name: "shadow", Type: "link" });
        Assert.Contains(root!, e => e is { Name: "other", Type: "link" });
        Assert.DoesNotContain(root!, e => e.Name == "pipe");
        Assert.Equal("mine\n", await alice.GetStringAsync($"/api/v1/jobs/{id}/files/mine.txt"));
        foreach (var path in (string[])["shadow", "other/diary.txt", "sub/root/etc/shadow"])
        {
            using var response = await alice.GetAsync($"/api/v1/jobs/{id}/files/{path}");
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
            Assert.DoesNotContain(shadow, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await WaitForDirectoryAsync(id, "removed");
        Assert.Equal("bob's\n", await File.ReadAllTextAsync(Path.Combine(site.Victim, "diary.txt")));
        Assert.True(File.Exists("/etc/shadow"));
    }

    [Fact]
    public async Task Purge_DryRunChangesNothing_PurgeRemovesEndedJobsButKeepsAccounting_NeverARunningOne_AndIsAdminOnly()
    {
        var ended = await SubmitAsync("alice", "echo purge-me");
        await site.Server.Api.WaitForAsync(ended, j => j.State.IsTerminal(), Deadline, site.Tokens["alice"]);
        var running = await SubmitAsync("alice", "sleep 120");
        await site.Server.Api.WaitForAsync(running, j => j.State == JobState.Running, Deadline, site.Tokens["alice"]);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        using var admin = site.As("admin");
        using var alice = site.As("alice");

        using (var refused = await alice.PostAsJsonAsync("/api/v1/admin/purge", new PurgeRequest { OlderThan = "1s", User = "alice" }, GoDockerJson.Default.PurgeRequest))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        using (var noAge = await admin.PostAsJsonAsync("/api/v1/admin/purge", new PurgeRequest { User = "alice", DryRun = true }, GoDockerJson.Default.PurgeRequest))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noAge.StatusCode);
            Assert.Contains("olderThan", await noAge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var notEnded = await admin.PostAsJsonAsync("/api/v1/admin/purge", new PurgeRequest { OlderThan = "1s", States = ["Running"] }, GoDockerJson.Default.PurgeRequest))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notEnded.StatusCode);
        }

        using var dry = await admin.PostAsJsonAsync("/api/v1/admin/purge", new PurgeRequest { OlderThan = "1s", User = "alice", DryRun = true }, GoDockerJson.Default.PurgeRequest);
        dry.EnsureSuccessStatusCode();
        var wouldGo = (await dry.Content.ReadFromJsonAsync(GoDockerJson.Default.PurgeView))!;
        Assert.True(wouldGo.DryRun);
        Assert.Contains(wouldGo.Jobs, j => j.Id == ended);
        Assert.DoesNotContain(wouldGo.Jobs, j => j.Id == running);
        Assert.Equal(wouldGo.Jobs.Count, wouldGo.Count);
        Assert.Equal(wouldGo.Jobs.Sum(j => j.Bytes), wouldGo.Bytes);
        Assert.Equal(JobState.Succeeded, (await GetAsync(ended)).State);

        using var purge = await admin.PostAsJsonAsync("/api/v1/admin/purge", new PurgeRequest { OlderThan = "1s", User = "alice" }, GoDockerJson.Default.PurgeRequest);
        purge.EnsureSuccessStatusCode();
        var purged = (await purge.Content.ReadFromJsonAsync(GoDockerJson.Default.PurgeView))!;
        Assert.Contains(purged.Jobs, j => j.Id == ended);
        Assert.DoesNotContain(purged.Jobs, j => j.Id == running);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/api/v1/jobs/{ended}")).StatusCode);
        Assert.Equal(JobState.Running, (await GetAsync(running)).State);
        // The history stays: accounting records feed fair share and `godocker history`.
        var history = await alice.GetFromJsonAsync($"/api/v1/accounting?job={ended}", GoDockerJson.Default.AccountingList);
        Assert.Contains(history!.Items, r => r.JobId == ended);
        Assert.Equal(HttpStatusCode.Accepted, (await alice.PostAsync($"/api/v1/jobs/{running}/kill", null)).StatusCode);
    }

    [Fact]
    public async Task Usage_ShowsEachUsersKeptJobDirectories()
    {
        var id = await SubmitAsync("alice", "seq 1 1000 > numbers.txt");
        await site.Server.Api.WaitForAsync(id, j => j.State.IsTerminal(), Deadline, site.Tokens["alice"]);

        using var alice = site.As("alice");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        KeptDirectoriesView? kept = null;
        // Totals are kept for a few seconds: poll until this job's directory counts.
        while (kept is not { Present: > 0 } and not { Archived: > 0 })
        {
            Assert.True(clock.Elapsed < Deadline, "alice's kept job directories never showed in usage");
            var usage = await alice.GetFromJsonAsync("/api/v1/usage?user=alice", GoDockerJson.Default.IReadOnlyListAccountUsageView);
            kept = Assert.Single(usage!).JobDirectories;
            await Task.Delay(500);
        }
        Assert.True(kept.PresentBytes + kept.ArchivedBytes > 0);
    }
}
