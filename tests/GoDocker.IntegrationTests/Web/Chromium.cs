using System.Diagnostics;
using GoDocker.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace GoDocker.IntegrationTests.Web;

/// <summary>
/// Debian's chromium (scripts/chromium.sh), driven by Playwright's driver that ships inside the NuGet package (a node
/// binary and playwright-core, copied to the test output folder by the package's build targets). Playwright never
/// downloads a browser here: with an ExecutablePath it neither looks up its own browser registry nor validates host
/// requirements; only its `install` command downloads, and nothing runs that.
/// One browser per test run, shared by every browser test class (each test gets its own context: its own cookies,
/// storage and cache), because launching one costs about a second and ~190 MiB on this 2-core machine while a context
/// costs about 0.1 s (docs/testing-browser.md has the figures).
/// </summary>
public static class Chromium
{
    /// <summary>
    /// On top of Playwright's own switches (it already adds --no-sandbox, --disable-background-networking,
    /// --disable-component-update, --no-first-run, --disable-dev-shm-usage and a --disable-features list that holds
    /// Translate and MediaRouter): said again so the intent survives a change of Playwright's defaults. No
    /// --disable-features of ours: chromium keeps only the last one on a command line, which would drop Playwright's list.
    /// </summary>
    public static IReadOnlyList<string> Flags { get; } =
    [
        // Root, in a container without user namespaces for chromium's sandbox.
        "--no-sandbox",
        "--disable-gpu",
        // /dev/shm is small in containers: shared memory in /tmp instead.
        "--disable-dev-shm-usage",
        "--no-first-run",
        // Off the network: no update checks, no sync, no QUIC probes, no background fetches.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-pings",
        // Nothing but localhost and 127.0.0.1 resolves (the rules map IP literals too): a page that loads anything from outside
        // fails at once with ERR_NAME_NOT_RESOLVED, in its console, instead of waiting for a network this machine lacks.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ];

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static IPlaywright? playwright;
    private static IBrowser? browser;

    /// <summary>The browser's executable: GODOCKER_CHROMIUM, else what `scripts/chromium.sh path` prints.</summary>
    public static string ExecutablePath { get; } = FindExecutable();

    /// <summary>How long the shared browser took to launch (driver start included), for the report of a slow run.</summary>
    public static TimeSpan LaunchTime { get; private set; }

    /// <summary>The run's browser, launched on first use (and again if it crashed or was closed).</summary>
    public static async Task<IBrowser> SharedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (browser is { IsConnected: true })
            {
                return browser;
            }
            var stopwatch = Stopwatch.StartNew();
            if (playwright is null)
            {
                // Defensive: were anything in the driver to reach for a browser download, it is told not to.
                Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
                playwright = await Playwright.CreateAsync();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Close();
            }
            browser = await LaunchAsync(playwright);
            LaunchTime = stopwatch.Elapsed;
            return browser;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A browser of its own (headless, the flags above, a fresh temporary profile that Playwright deletes at close).</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright driver) =>
        driver.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Flags,
            // The launch itself takes 1–4 s on a loaded 2-core machine; a minute means it hangs.
            Timeout = 60_000,
        });

    /// <summary>
    /// At the end of the test run. Closing the driver's pipe would end chromium too (it is launched with
    /// --remote-debugging-pipe), but closing it first lets it delete its temporary profile.
    /// </summary>
    private static void Close()
    {
        try
        {
            browser?.CloseAsync().Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
        }
        playwright?.Dispose();
    }

    private static string FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("GODOCKER_CHROMIUM") is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"GODOCKER_CHROMIUM names {configured}, which does not exist");
        }
        var script = Path.Combine(Paths.RepoRoot, "scripts/chromium.sh");
        var info = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("path");
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not run {script}");
        var path = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 && path.Length > 0
            ? path
            : throw new InvalidOperationException("chromium is not installed: run `scripts/chromium.sh install` (./godocker.sh test does) or set GODOCKER_CHROMIUM");
    }
}
