using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using GoDocker.Contracts;
using GoDocker.Jobs;
using Xunit.Abstractions;

namespace GoDocker.IntegrationTests.Web;

/// <summary>
/// The browser-test machinery end to end, independent of what the web interface shows: Debian's chromium opens pages
/// of a real server, screenshots land under the test results, page errors fail a test with the console in its message.
/// </summary>
public sealed class WebSmokeTests(WebFixture web, ITestOutputHelper output) : WebTest(web, output)
{
    [Fact]
    public Task Health_OpensInChromium_AsJson() => BrowseAsync(Viewport.Desktop, async page =>
    {
        var response = await page.Page.GotoAsync("/api/v1/health");

        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        Assert.StartsWith("application/json", response.Headers["content-type"], StringComparison.Ordinal);
        // An API answer opened as a page is sandboxed (ApiResponseHeaders): chromium's JSON viewer may not run its script there.
        Assert.Contains("sandbox", response.Headers["content-security-policy"], StringComparison.Ordinal);
        page.AllowError("Blocked script execution in .* sandboxed");
        using var health = JsonDocument.Parse(await response.TextAsync());
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
    });

    [Theory]
    [InlineData("phone")]
    [InlineData("desktop")]
    public Task Root_Loads_AndLeavesAFullPageScreenshot(string viewport) => BrowseAsync(viewport == "phone" ? Viewport.Phone : Viewport.Desktop, async page =>
    {
        var response = await page.Page.GotoAsync("/");

        // What `/` shows is the web interface's business (it may not be built into this server): only that it answers.
        Assert.NotNull(response);
        Assert.True(response.Status < 500, $"GET / answered {response.Status}");
        if (response.Status == 404)
        {
            // No web interface in this build: chromium logs the 404 of the document itself as a console error.
            page.AllowError("status of 404");
        }
        var before = DateTime.UtcNow.AddSeconds(-1);
        var path = await page.ScreenshotAsync("root." + viewport);
        Assert.Equal(TestResults.Screenshot(nameof(WebSmokeTests), "root." + viewport), path);
        var png = await File.ReadAllBytesAsync(path);
        Assert.True(png.Length > 100, $"{path}: {png.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.True(File.GetLastWriteTimeUtc(path) >= before, $"{path} was not written by this test");
    }, $"{nameof(Root_Loads_AndLeavesAFullPageScreenshot)}_{viewport}");

    /// <summary>The phone context lays out a page that declares a viewport at the phone's width (without one, at 980 px, as phones do).</summary>
    [Fact]
    public Task PhoneContext_LaysOutAtThePhonesWidth() => BrowseAsync(Viewport.Phone, async page =>
    {
        await page.Page.GotoAsync("data:text/html,<meta name=viewport content='width=device-width'><p>narrow</p>");

        Assert.Equal(390, await page.Page.EvaluateAsync<int>("window.innerWidth"));
        Assert.True(await page.Page.EvaluateAsync<bool>("matchMedia('(pointer: coarse)').matches"), "a phone's pointer is coarse");
        var png = await File.ReadAllBytesAsync(await page.ScreenshotAsync("phone-width"));
        // The PNG's width, big-endian at byte 16.
        Assert.Equal(390, (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]);
    });

    [Fact]
    public async Task APageError_FailsTheTest_WithTheConsoleAndAScreenshotInTheMessage()
    {
        var failure = await Assert.ThrowsAsync<BrowserTestFailedException>(() => BrowseAsync(Viewport.Phone, async page =>
        {
            await page.Page.GotoAsync("data:text/html,<h1>broken</h1><script>console.log('said-before-42');setTimeout(()=>{throw new Error('boom-42')})</script>");
            await page.Page.WaitForTimeoutAsync(200);
        }));

        Assert.IsType<BrowserErrorsException>(failure.InnerException);
        Assert.Contains("boom-42", failure.Message, StringComparison.Ordinal);
        Assert.Contains("[log] said-before-42", failure.Message, StringComparison.Ordinal);
        var screenshot = TestResults.Screenshot(nameof(WebSmokeTests), nameof(APageError_FailsTheTest_WithTheConsoleAndAScreenshotInTheMessage) + ".phone.failure");
        Assert.Contains("screenshot: " + screenshot, failure.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(screenshot), screenshot);
        if (Environment.GetEnvironmentVariable("GODOCKER_BROWSER_TRACE") is null or "")
        {
            var trace = TestResults.Trace(nameof(WebSmokeTests), nameof(APageError_FailsTheTest_WithTheConsoleAndAScreenshotInTheMessage) + ".phone");
            Assert.Contains("trace: " + trace, failure.Message, StringComparison.Ordinal);
            Assert.True(new FileInfo(trace).Length > 0, trace);
        }
    }

    [Fact]
    public async Task AFailedAssertion_KeepsItsMessage_AndGetsTheConsole()
    {
        var failure = await Assert.ThrowsAsync<BrowserTestFailedException>(() => BrowseAsync(Viewport.Desktop, async page =>
        {
            await page.Page.GotoAsync("data:text/html,<script>console.warn('warned-7')</script><p>text</p>");
            Assert.Equal("other text", await page.Page.TextContentAsync("p"));
        }));

        Assert.IsType<Xunit.Sdk.EqualException>(failure.InnerException);
        Assert.Contains("other text", failure.Message, StringComparison.Ordinal);
        Assert.Contains("[warning] warned-7", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Chromium resolves no name but localhost: a page's request to the outside fails at once, and shows in the report.
    /// The name tried is one chromium would otherwise resolve to loopback by itself (RFC 6761), so that a run without
    /// the rule reaches this server, never the outside.
    /// </summary>
    [Fact]
    public Task AnyNameButLocalhost_IsNotResolved() => BrowseAsync(Viewport.Desktop, async page =>
    {
        // A page under no Content-Security-Policy (the server's pages allow connections to themselves only, and API
        // answers run no script), so what stops the fetch is the resolver.
        await page.Page.GotoAsync("about:blank");

        var outcome = await page.Page.EvaluateAsync<string>(
            $"() => fetch('http://outside.localhost:{Web.BaseUrl.Port}/api/v1/health', {{ mode: 'no-cors' }}).then(() => 'fetched', e => 'failed: ' + e.message)");

        Assert.StartsWith("failed", outcome, StringComparison.Ordinal);
        Assert.Contains("outside.localhost", page.Describe(), StringComparison.Ordinal);
        Assert.Contains("ERR_NAME_NOT_RESOLVED", page.Describe(), StringComparison.Ordinal);
        page.AllowError("ERR_NAME_NOT_RESOLVED");
    });

    /// <summary>
    /// The browser runs where the run said (./godocker.sh test: in its namespace, so another test adding an address
    /// cannot fail its requests with ERR_NETWORK_CHANGED): a page on 127.0.0.1 reaches a site whose peer is the
    /// namespace's end of the link, not loopback. Without the namespace, the peer is loopback.
    /// </summary>
    [Fact]
    public Task TheBrowser_RunsInTheNetworkNamespaceItWasGiven() => BrowseAsync(Viewport.Desktop, async page =>
    {
        await using var site = new OtherSite("<!doctype html><title>where</title><p>here</p>");

        await page.Page.GotoAsync(site.Url("127.0.0.1").ToString());

        await Microsoft.Playwright.Assertions.Expect(page.Page.GetByText("here")).ToBeVisibleAsync();
        var peer = Assert.IsType<IPAddress>(site.LastPeer);
        if (Chromium.HostAddress is { } host)
        {
            Assert.False(IPAddress.IsLoopback(peer), $"the browser reached {site.Url("127.0.0.1")} from {peer}: not from its namespace");
            Assert.NotEqual(IPAddress.Parse(host), peer);
        }
        else
        {
            Assert.True(IPAddress.IsLoopback(peer), $"peer {peer}");
        }
    });

    /// <summary>The control for the attacks below: the API's own origin submits and kills from a page, so a refusal there is the origin's doing.</summary>
    [Fact]
    public Task SameOriginPage_SubmitsAndKills() => BrowseAsync(Viewport.Desktop, async page =>
    {
        var tag = "same-" + Guid.NewGuid().ToString("N")[..8];
        // The web interface's page (or, in a build without it, the page saying so): API answers are sandboxed, no script runs there.
        await page.Page.GotoAsync("/");

        var statuses = await page.Page.EvaluateAsync<int[]>($$"""
            async () => {
              const submit = await fetch('/api/v1/jobs', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ script: 'echo from-a-page', tags: ['{{tag}}'], hold: true }) });
              const job = await submit.json();
              const kill = await fetch('/api/v1/jobs/' + job.id + '/kill', { method: 'POST' });
              return [submit.status, kill.status];
            }
            """);

        Assert.Equal(201, statuses[0]);
        Assert.InRange(statuses[1], 200, 299);
        var job = Assert.Single((await Web.Api.ListAsync($"?tag={tag}")).Items);
        Assert.Equal(JobState.Killed, (await Web.Api.WaitEndAsync(job.Id)).State);
    });

    /// <summary>
    /// A page on another origin (another site: localhost; the same site on another port: 127.0.0.1) tries what a
    /// browser lets any page send without asking (a text/plain fetch, a form post, a bodiless POST) and a JSON POST
    /// (which needs a CORS preflight): the server refuses each one that reaches it (BrowserRequestGuard: 403/415),
    /// no job is made and the held job is neither killed nor released.
    /// </summary>
    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task CrossOriginPage_CannotChangeState(string pageHost)
    {
        var tag = "attack-" + Guid.NewGuid().ToString("N")[..8];
        var held = await Web.Api.SubmitAsync(new JobSpec { Script = "echo held", Hold = true });
        var api = Web.BaseUrl.ToString().TrimEnd('/');
        var body = JsonSerializer.Serialize(new { script = "echo pwned", tags = new[] { tag }, hold = false });
        await using var site = new OtherSite($$"""
            <!doctype html><title>a page</title>
            <form id="form" method="post" action="{{api}}/api/v1/jobs" enctype="text/plain" target="sink">
              <input name='{"script":"echo pwned","tags":["{{tag}}"],"x":"' value='"}'>
            </form>
            <iframe name="sink"></iframe>
            <script>
              async function attempt(name, path, init) {
                try {
                  const r = await fetch('{{api}}' + path, { credentials: 'include', ...init });
                  return name + ': ' + r.type + ' ' + r.status;
                } catch (e) {
                  return name + ': refused by the browser (' + e.message + ')';
                }
              }
              window.attack = async () => [
                await attempt('text/plain submit', '/api/v1/jobs', { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: '{{body}}' }),
                await attempt('urlencoded submit', '/api/v1/jobs', { method: 'POST', mode: 'no-cors', body: new URLSearchParams({ script: 'echo pwned' }) }),
                await attempt('kill', '/api/v1/jobs/{{held.Id}}/kill', { method: 'POST', mode: 'no-cors' }),
                await attempt('release', '/api/v1/jobs/{{held.Id}}/release', { method: 'POST', mode: 'no-cors' }),
                await attempt('json submit', '/api/v1/jobs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{{body}}' }),
              ];
            </script>
            """);

        await BrowseAsync(Viewport.Desktop, async page =>
        {
            // What the attack causes in the console: the refusals themselves, and CORS blocking the answers' reading.
            page.AllowError("status of 40[35]");
            page.AllowError("CORS policy");
            page.AllowError("net::ERR_FAILED");
            // The form's refusal may not even show in the attacker's frame: API answers say frame-ancestors 'none'.
            page.AllowError("frame-ancestors 'none'");
            var answers = new ConcurrentQueue<string>();
            page.Context.Response += (_, response) =>
            {
                if (response.Request.Method == "POST" && response.Url.StartsWith(api, StringComparison.Ordinal))
                {
                    answers.Enqueue($"{response.Request.ResourceType} {new Uri(response.Url).AbsolutePath}: {response.Status}");
                }
            };
            await page.Page.GotoAsync(site.Url(pageHost).ToString());

            var outcomes = await page.Page.EvaluateAsync<string[]>("window.attack()");
            var formAnswer = page.Page.WaitForResponseAsync(r => r.Request.Method == "POST" && r.Url == api + "/api/v1/jobs" && r.Request.ResourceType == "document");
            await page.Page.EvalOnSelectorAsync("#form", "form => form.submit()");
            await formAnswer;
            Output.WriteLine($"page at {page.Page.Url}\noutcomes:\n  {string.Join("\n  ", outcomes)}\nanswers:\n  {string.Join("\n  ", answers)}");

            // Every POST that reached the server was refused; the simple ones did reach it (the guard, not the browser, refused them).
            Assert.All(answers, a => Assert.Matches(": (403|415)$", a));
            Assert.Contains(answers, a => a.StartsWith("fetch /api/v1/jobs/" + held.Id + "/kill:", StringComparison.Ordinal));
            Assert.Contains(answers, a => a.StartsWith("fetch /api/v1/jobs/" + held.Id + "/release:", StringComparison.Ordinal));
            // The JSON one needs a preflight that the server does not grant: the browser itself does not send it.
            var jsonSent = !outcomes[4].Contains("refused by the browser", StringComparison.Ordinal);
            Assert.Equal(jsonSent ? 3 : 2, answers.Count(a => a.StartsWith("fetch /api/v1/jobs:", StringComparison.Ordinal)));
            Assert.Contains("document /api/v1/jobs: 403", answers);
        }, $"{nameof(CrossOriginPage_CannotChangeState)}_{pageHost}");

        Assert.Equal(0, (await Web.Api.ListAsync($"?tag={tag}")).Total);
        var after = await Web.Api.GetAsync(held.Id);
        Assert.Equal(JobState.Pending, after.State);
        Assert.Equal("user", after.HeldBy);
    }
}
