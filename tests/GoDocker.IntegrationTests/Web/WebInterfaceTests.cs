using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using GoDocker.Contracts;
using GoDocker.Jobs;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GoDocker.IntegrationTests.Web;

/// <summary>
/// The web interface in Debian's chromium against a real server with logins (Auth:Provider=local): logging in, submitting
/// from the form and watching the output grow, killing, downloading a file, the live list and its bulk actions, an admin
/// draining a node, another user's job as a not-found page, a job's output as text only, and every page at a phone's
/// width. Each page leaves a screenshot under the test results (screenshots/WebInterfaceTests/).
/// </summary>
public sealed class WebInterfaceTests(WebInterfaceTests.Site web, ITestOutputHelper output) : WebTest<WebInterfaceTests.Site>(web, output)
{
    public sealed class Site : WebFixture
    {
        private readonly string passwordFile = Path.GetTempFileName();
        private readonly Dictionary<string, string> tokens = [];

        protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
        {
            ["Auth:Provider"] = "local",
            ["Auth:BootstrapAdmin"] = "admin",
            ["Auth:BootstrapAdminPasswordFile"] = passwordFile,
            // Samples every second: a job of a few seconds has a chart.
            ["Monitoring:SampleInterval"] = "1s",
        };

        public override async Task InitializeAsync()
        {
            await File.WriteAllTextAsync(passwordFile, "admin-secret-1");
            await base.InitializeAsync();
            tokens["admin"] = await LoginAsync("admin", "admin-secret-1");
            var uid = 3100;
            foreach (var login in (string[])["alice", "bob"])
            {
                using var created = await As("admin").PostAsJsonAsync("/api/v1/users",
                    new UserRequest { Login = login, Uid = ++uid, Gid = uid, Password = Password(login), Home = $"/home/{login}" },
                    GoDockerJson.Default.UserRequest);
                created.EnsureSuccessStatusCode();
                tokens[login] = await LoginAsync(login, Password(login));
            }
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            File.Delete(passwordFile);
        }

        public static string Password(string login) => login == "admin" ? "admin-secret-1" : $"{login}-password";

        public HttpClient As(string login)
        {
            var client = new HttpClient { BaseAddress = BaseUrl };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens[login]);
            return client;
        }

        public async Task<JobView> SubmitAsync(string login, JobSpec spec)
        {
            using var client = As(login);
            using var response = await client.PostAsJsonAsync("/api/v1/jobs", spec, GoDockerJson.Default.JobSpec);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
        }

        public Task<JobView> WaitForAsync(long id, Func<JobView, bool> condition, TimeSpan? timeout = null) =>
            Api.WaitForAsync(id, condition, timeout ?? TimeSpan.FromSeconds(120), tokens["admin"]);

        private async Task<string> LoginAsync(string login, string password)
        {
            using var anonymous = new HttpClient { BaseAddress = BaseUrl };
            using var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest(login, password), GoDockerJson.Default.LoginRequest);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.LoginResponse))!.Token;
        }
    }

    private static Viewport Named(string viewport) => viewport == "phone" ? Viewport.Phone : Viewport.Desktop;

    /// <summary>Logs in through the form and waits for the dashboard.</summary>
    internal static async Task LogInAsync(BrowserPage page, string login)
    {
        // The app asks whether a session exists before it shows the form: with none, that answer is a 401 chromium logs.
        page.AllowError(@"status of 401 \(Unauthorized\) \(http://[^ ]+/api/v1/auth/session");
        // A job page asks for a pending job's priority factors; a job that leaves Pending meanwhile is answered 409 (no
        // longer pending), which the page shows as nothing.
        page.AllowError(@"status of 409 \(Conflict\) \(http://[^ ]+/api/v1/jobs/[0-9]+/priority");
        await page.Page.GotoAsync("/");
        await page.Page.GetByLabel("Login").FillAsync(login);
        await page.Page.GetByLabel("Password").FillAsync(Site.Password(login));
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(page.Page.GetByRole(AriaRole.Heading, new() { Name = $"Hello, {login}" })).ToBeVisibleAsync();
    }

    private static ILocator StateOf(IPage page) => page.GetByTestId("job").Locator(".job-head [data-state]");

    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public Task LoggingIn_ShowsMyDashboard_InASessionCookieNoScriptCanRead(string viewport) => BrowseAsync(Named(viewport), async page =>
    {
        await page.Page.GotoAsync("/");
        await page.Page.GetByLabel("Login").FillAsync("alice");
        await page.Page.GetByLabel("Password").FillAsync("not-her-password");
        // The refused login answers 401: chromium logs the failed request.
        page.AllowError("status of 401");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(page.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("invalid login or password");
        await page.ScreenshotAsync($"login-refused.{viewport}");

        await LogInAsync(page, "alice");

        await page.ScreenshotAsync($"dashboard.{viewport}");
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "godocker_session");
        Assert.True(cookie.HttpOnly, "the session cookie is HttpOnly");
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain("godocker_session", await page.Page.EvaluateAsync<string>("document.cookie"), StringComparison.Ordinal);
    }, $"{nameof(LoggingIn_ShowsMyDashboard_InASessionCookieNoScriptCanRead)}_{viewport}");

    [Fact]
    public Task AScriptSubmittedFromTheForm_OpensItsJobPage_WhereItsOutputGrowsLive() => BrowseAsync(Viewport.Desktop, async page =>
    {
        await LogInAsync(page, "alice");
        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Submit", Exact = true }).ClickAsync();
        // Eight seconds between lines: the page, opened at once, sees the first line long before the last.
        await page.Page.GetByLabel("Script").FillAsync("#!/bin/sh\n#GODOCKER --name live-log --time 5m\nfor i in 1 2 3; do echo line $i; sleep 8; done\n");
        await Expect(page.Page.GetByTestId("directives")).ToContainTextAsync("--name live-log → name");
        await page.ScreenshotAsync("submit");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();

        await page.Page.WaitForURLAsync(new Regex("/jobs/[0-9]+$"));
        var id = long.Parse(page.Page.Url.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
        var log = page.Page.GetByTestId("log-stdout");
        await Expect(log).ToContainTextAsync("line 1", new() { Timeout = 60_000 });
        Assert.DoesNotContain("line 3", await log.TextContentAsync() ?? "", StringComparison.Ordinal);
        await Expect(StateOf(page.Page)).ToHaveTextAsync("Running");
        await page.ScreenshotAsync("job-running");

        // The same page, never reloaded, gets the rest of the output and the end.
        await Expect(log).ToContainTextAsync("line 3", new() { Timeout = 60_000 });
        await Expect(StateOf(page.Page)).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });
        Assert.Equal("line 1\nline 2\nline 3\n", await log.TextContentAsync());
        Assert.Equal("live-log", (await Web.WaitForAsync(id, j => j.State.IsTerminal())).Name);
        await page.ScreenshotAsync("job-ended");
    });

    [Fact]
    public Task KillingFromTheJobPage_EndsTheJob() => BrowseAsync(Viewport.Desktop, async page =>
    {
        var job = await Web.SubmitAsync("alice", new JobSpec { Name = "to-kill", Script = "sleep 300" });
        await Web.WaitForAsync(job.Id, j => j.State == JobState.Running);
        await LogInAsync(page, "alice");
        await page.Page.GotoAsync($"/jobs/{job.Id}");
        await Expect(StateOf(page.Page)).ToHaveTextAsync("Running");
        page.Page.Dialog += async (_, dialog) => await dialog.AcceptAsync();

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Kill" }).ClickAsync();

        await Expect(StateOf(page.Page)).ToHaveTextAsync("Killed", new() { Timeout = 60_000 });
        Assert.Equal(JobState.Killed, (await Web.WaitForAsync(job.Id, j => j.State.IsTerminal())).State);
        await page.ScreenshotAsync("job-killed");
    });

    [Fact]
    public Task AFileTheJobWrote_DownloadsFromItsFilesTab() => BrowseAsync(Viewport.Desktop, async page =>
    {
        var job = await Web.SubmitAsync("alice", new JobSpec { Script = "mkdir out; echo result-42 > out/result.txt" });
        await Web.WaitForAsync(job.Id, j => j.State.IsTerminal());
        await LogInAsync(page, "alice");
        await page.Page.GotoAsync($"/jobs/{job.Id}");
        await page.Page.GetByRole(AriaRole.Tab, new() { Name = "files" }).ClickAsync();
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "out/" }).ClickAsync();
        await page.ScreenshotAsync("job-files");

        var download = await page.Page.RunAndWaitForDownloadAsync(() =>
            page.Page.GetByRole(AriaRole.Link, new() { Name = "result.txt" }).ClickAsync());

        Assert.Equal("result.txt", download.SuggestedFilename);
        Assert.Equal("result-42\n", await File.ReadAllTextAsync(await download.PathAsync()));
    });

    [Fact]
    public Task AJobsUsage_IsChartedAfterItsEnd() => BrowseAsync(Viewport.Desktop, async page =>
    {
        // Busy for 8 s: sampled every second, it leaves a series of points and a cpu time.
        var job = await Web.SubmitAsync("alice", new JobSpec
        {
            Name = "busy",
            Script = "end=$(($(date +%s) + 8)); while [ $(date +%s) -lt $end ]; do :; done",
        });
        await Web.WaitForAsync(job.Id, j => j.State.IsTerminal());
        await LogInAsync(page, "alice");
        await page.Page.GotoAsync($"/jobs/{job.Id}");

        await page.Page.GetByRole(AriaRole.Tab, new() { Name = "usage" }).ClickAsync();

        await Expect(page.Page.GetByTestId("usage-summary")).ToContainTextAsync("CPU time");
        await Expect(page.Page.Locator(".chart canvas")).ToHaveCountAsync(2);
        await Expect(page.Page.GetByText("CPU (cores)")).ToBeVisibleAsync();
        await page.ScreenshotAsync("job-usage");
    });

    [Fact]
    public Task TheJobList_ShowsNewJobsLive_AndReleasesHeldOnesInBulk() => BrowseAsync(Viewport.Desktop, async page =>
    {
        await LogInAsync(page, "alice");
        await page.Page.GotoAsync("/jobs");
        await Expect(page.Page.GetByText("● live")).ToBeVisibleAsync();

        // Submitted after the page opened: the list shows them without a reload (server-sent events).
        var held = new[]
        {
            await Web.SubmitAsync("alice", new JobSpec { Name = "held-1", Script = "true", Hold = true }),
            await Web.SubmitAsync("alice", new JobSpec { Name = "held-2", Script = "true", Hold = true }),
        };
        foreach (var job in held)
        {
            await Expect(page.Page.Locator($"tr[data-job='{job.Id}'] [data-state]")).ToHaveTextAsync("Held");
            await page.Page.GetByLabel($"Select job {job.Id}").CheckAsync();
        }
        await page.ScreenshotAsync("jobs-held-selected");

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Release" }).ClickAsync();

        await Expect(page.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Release: 2 done");
        foreach (var job in held)
        {
            await Expect(page.Page.Locator($"tr[data-job='{job.Id}'] [data-state]")).ToHaveTextAsync("Succeeded", new() { Timeout = 90_000 });
        }
        await page.ScreenshotAsync("jobs-released");
    });

    [Fact]
    public Task AnAdmin_DrainsANode_AndResumesIt() => BrowseAsync(Viewport.Desktop, async page =>
    {
        await LogInAsync(page, "admin");
        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Administration", Exact = true }).ClickAsync();
        var node = page.Page.Locator("tr[data-node='local']");
        await Expect(node.GetByTestId("node-state")).ToHaveTextAsync("up");
        try
        {
            await node.GetByRole(AriaRole.Button, new() { Name = "Drain" }).ClickAsync();

            await Expect(node.GetByTestId("node-state")).ToHaveTextAsync("drained");
            using var admin = Web.As("admin");
            Assert.Equal("drained", (await admin.GetFromJsonAsync("/api/v1/nodes", GoDockerJson.Default.IReadOnlyListNodeView))!.Single().State);
            await page.ScreenshotAsync("admin-nodes-drained");
        }
        finally
        {
            await node.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        }
        await Expect(node.GetByTestId("node-state")).ToHaveTextAsync("up");
        foreach (var tab in (string[])["users", "projects", "limits", "usage"])
        {
            await page.Page.GetByRole(AriaRole.Link, new() { Name = tab, Exact = true }).ClickAsync();
            await page.Page.WaitForURLAsync($"**/admin/{tab}");
            await page.ScreenshotAsync($"admin-{tab}");
        }
    });

    [Fact]
    public Task AnotherUsersJob_IsANotFoundPage_AsAJobThatDoesNotExist() => BrowseAsync(Viewport.Desktop, async page =>
    {
        var alices = await Web.SubmitAsync("alice", new JobSpec { Name = "alice-private", Script = "echo alice-secret" });
        await LogInAsync(page, "bob");
        // The refusal is the API's 404 (the live stream, then its reason read once): chromium logs both.
        page.AllowError("404|EventSource");

        await page.Page.GotoAsync($"/jobs/{alices.Id}");

        await Expect(page.Page.GetByTestId("not-found")).ToBeVisibleAsync();
        Assert.DoesNotContain("alice-private", await page.Page.ContentAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync("job-not-found");
        await page.Page.GotoAsync("/jobs/99999999");
        await Expect(page.Page.GetByTestId("not-found")).ToBeVisibleAsync();
    });

    [Fact]
    public Task WhatAJobPrints_IsShownAsText_AndNeverRuns() => BrowseAsync(Viewport.Desktop, async page =>
    {
        const string Markup = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script><b>bold</b>";
        var job = await Web.SubmitAsync("alice", new JobSpec { Name = "<i>named</i>", Script = $"cat <<'EOF'\n{Markup}\nEOF\n" });
        await Web.WaitForAsync(job.Id, j => j.State.IsTerminal());
        await LogInAsync(page, "alice");

        await page.Page.GotoAsync($"/jobs/{job.Id}");

        var log = page.Page.GetByTestId("log-stdout");
        await Expect(log).ToHaveTextAsync(Markup + "\n");
        Assert.Equal(0, await log.Locator("img, script, b").CountAsync());
        await Expect(page.Page.Locator(".job-head .name")).ToHaveTextAsync("<i>named</i>");
        Assert.Equal(0, await page.Page.Locator(".job-head i").CountAsync());
        Assert.NotEqual("pwned", await page.Page.TitleAsync());
    });

    [Fact]
    public Task ARefusedSubmit_ShowsTheApisMessageOnItsField() => BrowseAsync(Viewport.Desktop, async page =>
    {
        await LogInAsync(page, "alice");
        await page.Page.GotoAsync("/submit");
        await page.Page.GetByLabel("CPUs").FillAsync("0");
        page.AllowError("status of 400");

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();

        await Expect(page.Page.Locator(".field-error[data-field='cpus']")).ToContainTextAsync("greater than 0");
        Assert.EndsWith("/submit", page.Page.Url, StringComparison.Ordinal);
        await page.ScreenshotAsync("submit-refused");
    });

    [Fact]
    public Task EveryPage_FitsAPhonesWidth() => BrowseAsync(Viewport.Phone, async page =>
    {
        var job = await Web.SubmitAsync("alice", new JobSpec { Name = "a-job-with-a-rather-long-name-to-wrap", Script = "echo a line that is much longer than a phone is wide, to see it wrap rather than widen the page" });
        await Web.WaitForAsync(job.Id, j => j.State.IsTerminal());
        await LogInAsync(page, "alice");
        // Each page once its content is in (not "network idle": a live page keeps its event stream open).
        foreach (var (path, name, shown) in new[]
        {
            ("/", "dashboard", page.Page.GetByText("a-job-with-a-rather-long-name-to-wrap")),
            ("/jobs", "jobs", page.Page.Locator($"tr[data-job='{job.Id}']")),
            ("/submit", "submit", page.Page.GetByRole(AriaRole.Heading, new() { Name = "Submit a job" })),
            ($"/jobs/{job.Id}", "job", page.Page.GetByTestId("log-stdout").GetByText("a line that is much longer")),
        })
        {
            await page.Page.GotoAsync(path);
            await Expect(shown.First).ToBeVisibleAsync();
            var (scroll, inner) = (await page.Page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await page.Page.EvaluateAsync<int>("window.innerWidth"));
            Assert.True(scroll <= inner, $"{path}: the page is {scroll} px wide on a {inner} px screen");
            await page.ScreenshotAsync($"phone-{name}");
        }
        // The menu folds on a phone: opened, it shows the pages.
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Menu" }).ClickAsync();
        await Expect(page.Page.GetByRole(AriaRole.Link, new() { Name = "Jobs", Exact = true })).ToBeVisibleAsync();
        await page.ScreenshotAsync("phone-menu");
    });
}
