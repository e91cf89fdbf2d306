using System.Runtime.CompilerServices;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace GoDocker.IntegrationTests.Web;

/// <summary>A browser test class against the default server: <c>class XTests(WebFixture web, ITestOutputHelper output) : WebTest(web, output)</c>.</summary>
public abstract class WebTest(WebFixture web, ITestOutputHelper output) : WebTest<WebFixture>(web, output);

/// <summary>
/// The base of a browser test class. Each test runs its body in <see cref="BrowseAsync"/>: a fresh context on the
/// chosen viewport; after the body, console and uncaught errors fail the test; a failing test leaves a full-page
/// screenshot and a Playwright trace under the test results and gets the page's
/// console and failed requests in its failure message.
/// </summary>
public abstract class WebTest<TFixture>(TFixture web, ITestOutputHelper output) : IClassFixture<TFixture>
    where TFixture : WebFixture
{
    /// <summary>
    /// GODOCKER_BROWSER_TRACE: "failure" (the default) records every test and keeps the trace of a failing one, the
    /// only way to see a CI failure step by step; "all" keeps every trace; "off" records none (about a tenth faster).
    /// </summary>
    private static readonly string? TraceMode = Environment.GetEnvironmentVariable("GODOCKER_BROWSER_TRACE") switch
    {
        null or "" => "failure",
        "off" or "0" => null,
        var mode => mode,
    };

    protected TFixture Web => web;
    protected ITestOutputHelper Output => output;

    /// <param name="name">The test's name in file names; pass one per case in a theory (it defaults to the method's name).</param>
    protected async Task BrowseAsync(Viewport viewport, Func<BrowserPage, Task> test, [CallerMemberName] string name = "")
    {
        var testClass = GetType().Name;
        var fileName = $"{name}.{viewport.Name}";
        await using var page = await BrowserPage.OpenAsync(web.Browser, web.BaseUrl, viewport, testClass, name, trace: TraceMode is not null);
        Exception? failure = null;
        try
        {
            await test(page);
            page.AssertNoErrors();
        }
        catch (Exception e)
        {
            failure = e;
        }
        if (failure is null)
        {
            if (TraceMode is not null)
            {
                await page.StopTracingAsync(TraceMode == "all" ? TestResults.Trace(testClass, fileName) : null);
            }
            return;
        }
        var screenshot = await TryAsync(() => page.ScreenshotAsync(fileName + ".failure"));
        var trace = TraceMode is null
            ? "none (GODOCKER_BROWSER_TRACE=off)"
            : await TryAsync(async () =>
            {
                var path = TestResults.Trace(testClass, fileName);
                await page.StopTracingAsync(path);
                return path;
            });
        var report = $"""
            {failure.GetType().Name}: {failure.Message}

            screenshot: {screenshot}
            trace: {trace}
            {page.Describe()}server log (all of it in /tmp/godocker-test-logs/{web.Server.InstanceId}.log when the class ends), last lines:
              {string.Join("\n  ", web.Server.Log.TrimEnd().Split('\n').TakeLast(15))}
            """;
        output.WriteLine(report);
        throw new BrowserTestFailedException(report, failure);
    }

    /// <summary>What a failure report can still get from a page that may have crashed: the path, or why not.</summary>
    private static async Task<string> TryAsync(Func<Task<string>> step)
    {
        try
        {
            return await step();
        }
        catch (PlaywrightException e)
        {
            return "none: " + e.Message.Split('\n')[0];
        }
        catch (TimeoutException e)
        {
            return "none: " + e.Message.Split('\n')[0];
        }
    }
}
