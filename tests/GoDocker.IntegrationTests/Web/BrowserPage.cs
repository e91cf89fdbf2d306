using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace GoDocker.IntegrationTests.Web;

/// <summary>
/// One test's browser: a fresh context (no cookies, storage or cache from another test) with one page, on a phone or
/// desktop viewport, recording what a failure report needs: the console, the page's uncaught errors, requests that
/// failed and answers of 400 and above. A console error or an uncaught error fails the test (<see cref="AssertNoErrors"/>,
/// which <see cref="WebTest{TFixture}.BrowseAsync"/> calls after the test's body) unless the test allowed it.
/// </summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly List<string> console = [];
    private readonly List<string> errors = [];
    private readonly List<string> network = [];
    private readonly List<Regex> allowed =
    [
        // Chromium asks for /favicon.ico some time after a page loads (or not, if the test ends first): a 404 there
        // would fail tests at random. Whether the interface has an icon is a test of its own, not every test's.
        new(@"status of 404 .*/favicon\.ico:", RegexOptions.CultureInvariant),
    ];
    private readonly DateTime started = DateTime.UtcNow;

    private BrowserPage(IBrowserContext context, IPage page, Viewport viewport, string testClass, string testName)
    {
        Context = context;
        Page = page;
        Viewport = viewport;
        TestClass = testClass;
        TestName = testName;
        context.Console += (_, message) => Record(console, $"[{message.Type}] {message.Text}{Where(message.Location)}",
            message.Type == "error" ? message.Text : null);
        context.WebError += (_, error) => Record(console, $"[uncaught] {error.Error}", error.Error);
        context.RequestFailed += (_, request) => Record(network, $"{request.Method} {request.Url}: {request.Failure}", null);
        context.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                Record(network, $"{response.Request.Method} {response.Url}: {response.Status} {response.StatusText}", null);
            }
        };
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }
    public Viewport Viewport { get; }
    public string TestClass { get; }
    public string TestName { get; }

    /// <summary>Every console message so far, oldest first, as "[type] text (url:line)".</summary>
    public IReadOnlyList<string> ConsoleMessages => Snapshot(console);

    /// <summary>The console errors and uncaught errors that no <see cref="AllowError"/> pattern covers.</summary>
    public IReadOnlyList<string> Errors => Snapshot(errors).Where(e => !allowed.Any(p => p.IsMatch(e))).ToList();

    internal static async Task<BrowserPage> OpenAsync(IBrowser browser, Uri baseUrl, Viewport viewport, string testClass, string testName, bool trace)
    {
        var context = await browser.NewContextAsync(viewport.ContextOptions(baseUrl));
        try
        {
            // Generous for a loaded 2-core machine; a test that waits this long has failed anyway.
            context.SetDefaultTimeout(15_000);
            context.SetDefaultNavigationTimeout(30_000);
            // Expect(...) assertions retry up to their own timeout (5 s unless set; process-wide): as generous.
            Assertions.SetDefaultExpectTimeout(30_000);
            if (trace)
            {
                await context.Tracing.StartAsync(new TracingStartOptions { Screenshots = true, Snapshots = true, Title = $"{testClass}.{testName}" });
            }
            var page = await context.NewPageAsync();
            return new BrowserPage(context, page, viewport, testClass, testName);
        }
        catch
        {
            await context.CloseAsync();
            throw;
        }
    }

    /// <summary>A console error or uncaught error matching <paramref name="pattern"/> is expected: it does not fail the test.</summary>
    public void AllowError(string pattern) => allowed.Add(new Regex(pattern, RegexOptions.CultureInvariant));

    /// <summary>Fails, listing them, when a console error or an uncaught error that no <see cref="AllowError"/> covers happened.</summary>
    public void AssertNoErrors()
    {
        var unexpected = Errors;
        if (unexpected.Count > 0)
        {
            throw new BrowserErrorsException($"the page logged {unexpected.Count} error(s):\n  " + string.Join("\n  ", unexpected));
        }
    }

    /// <summary>A full-page PNG at screenshots/&lt;TestClass&gt;/&lt;name&gt;.png under the test results; returns its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = TestResults.Screenshot(TestClass, name);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        return path;
    }

    /// <summary>What a failure report shows: the page, its console, its errors and failed or refused requests.</summary>
    internal string Describe()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"page: {Page.Url} ({Viewport.Name} {Viewport.Width}x{Viewport.Height}, {(DateTime.UtcNow - started).TotalSeconds:F1} s)\n");
        Append(text, "console", ConsoleMessages);
        Append(text, "requests failed or answered >= 400", Snapshot(network));
        return text.ToString();
    }

    internal async Task StopTracingAsync(string? savePath)
    {
        await Context.Tracing.StopAsync(savePath is null ? null : new TracingStopOptions { Path = savePath });
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();

    private void Record(List<string> list, string line, string? error)
    {
        lock (list)
        {
            list.Add(line);
        }
        if (error is not null)
        {
            lock (errors)
            {
                errors.Add(line);
            }
        }
    }

    private static List<string> Snapshot(List<string> list)
    {
        lock (list)
        {
            return [.. list];
        }
    }

    private static string Where(string? location) => string.IsNullOrEmpty(location) ? "" : $" ({location})";

    private static void Append(StringBuilder text, string title, IReadOnlyList<string> lines)
    {
        const int Last = 60;
        text.Append(CultureInfo.InvariantCulture, $"{title}: {(lines.Count == 0 ? "none" : lines.Count.ToString(CultureInfo.InvariantCulture))}\n");
        if (lines.Count > Last)
        {
            text.Append(CultureInfo.InvariantCulture, $"  ... {lines.Count - Last} earlier line(s)\n");
        }
        foreach (var line in lines.TakeLast(Last))
        {
            text.Append("  ").Append(line).Append('\n');
        }
    }
}

/// <summary>The page logged errors that the test did not expect.</summary>
public sealed class BrowserErrorsException(string message) : Exception(message);

/// <summary>A browser test failed: the original failure, with the page's screenshot, trace and console in the message.</summary>
public sealed class BrowserTestFailedException(string message, Exception inner) : Exception(message, inner);
