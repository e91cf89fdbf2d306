using System.Diagnostics;
using System.Net;
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
    // Static initializers run in the order written: these two come first, Flags reads them.

    /// <summary>
    /// The network namespace the browser runs in (GODOCKER_BROWSER_NAMESPACE, set by ./godocker.sh test from
    /// `scripts/chromium.sh namespace`), or null: the machine's own, where chromium fails requests in flight with
    /// net::ERR_NETWORK_CHANGED whenever a container starts or stops (scripts/chromium.sh says why).
    /// </summary>
    public static string? Namespace { get; } = Environment.GetEnvironmentVariable("GODOCKER_BROWSER_NAMESPACE") is { Length: > 0 } name ? name : null;

    /// <summary>The host's address on the browser namespace's link (GODOCKER_BROWSER_ADDRESS), when it has one.</summary>
    public static string? HostAddress { get; } = Namespace is null
        ? null
        : Environment.GetEnvironmentVariable("GODOCKER_BROWSER_ADDRESS") is { Length: > 0 } address
            ? address
            : throw new InvalidOperationException("GODOCKER_BROWSER_NAMESPACE is set without GODOCKER_BROWSER_ADDRESS (scripts/chromium.sh namespace prints both)");

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
        // In the browser's namespace both go to the host's end of its link instead (the first rule that matches wins),
        // so pages keep their 127.0.0.1 and localhost origins while their packets cross the link.
        HostAddress is { } host
            ? $"--host-resolver-rules=MAP localhost {host}, MAP 127.0.0.1 {host}, MAP * ~NOTFOUND"
            : "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ];

    /// <summary>
    /// Where a site the browser opens must listen (<see cref="OtherSite"/>): the link's host address when the browser
    /// is in its namespace (its requests arrive there), else loopback.
    /// </summary>
    public static IPAddress ListenAddress => HostAddress is { } host ? IPAddress.Parse(host) : IPAddress.Loopback;

    /// <summary>
    /// Where a test server the browser opens listens: 127.0.0.1 (the tests' own requests), and the link's host address
    /// when the browser is in its namespace. Only those two: never every address.
    /// </summary>
    public static string ServerListenHosts => HostAddress is { } host ? $"127.0.0.1;{host}" : "127.0.0.1";

    /// <summary>
    /// Settings a server the browser opens needs: with the link's address it no longer listens on loopback only, which a
    /// server without authentication refuses to start with unless told it is meant (the link reaches nothing but
    /// this machine and the browser's namespace).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ServerSettings { get; } = HostAddress is null
        ? new Dictionary<string, string>()
        : new Dictionary<string, string> { ["Auth:AllowNoneOnNetwork"] = "true" };


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

    /// <summary>
    /// A browser of its own (headless, the flags above, a fresh temporary profile that Playwright deletes at close), in
    /// the browser's namespace when there is one (through scripts/chromium-in-namespace.sh, told the real executable).
    /// </summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright driver)
    {
        var options = new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Flags,
            // The launch itself takes 1–4 s on a loaded 2-core machine; a minute means it hangs.
            Timeout = 60_000,
        };
        if (Namespace is not null)
        {
            options.ExecutablePath = Path.Combine(Paths.RepoRoot, "scripts/chromium-in-namespace.sh");
            // Env replaces the browser's whole environment: the test process's, plus the real executable.
            var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(entry => (string)entry.Key, entry => (string?)entry.Value ?? "");
            environment["GODOCKER_CHROMIUM_BINARY"] = ExecutablePath;
            options.Env = environment;
        }
        return driver.Chromium.LaunchAsync(options);
    }

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
