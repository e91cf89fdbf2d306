using System.Globalization;
using System.Text.RegularExpressions;
using GoDocker.Contracts;
using GoDocker.Jobs;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GoDocker.IntegrationTests.Web;

/// <summary>
/// The job page's terminal (xterm.js over GET /jobs/{id}/exec) in Debian's chromium against a real server and engine:
/// a shell in a running job answers what is typed, learns the terminal's size from the page and again when the box
/// changes, and ends with its exit status shown; the page can open another. Leaves screenshots under the test results
/// (screenshots/WebTerminalTests/).
/// </summary>
public sealed partial class WebTerminalTests(WebInterfaceTests.Site web, ITestOutputHelper output) : WebTest<WebInterfaceTests.Site>(web, output)
{
    private static Viewport Named(string viewport) => viewport == "phone" ? Viewport.Phone : Viewport.Desktop;

    /// <summary>The terminal's screen rows (xterm's DOM renderer: one div per row).</summary>
    private static ILocator Rows(IPage page) => page.GetByTestId("terminal-screen").Locator(".xterm-rows > div");

    /// <summary>The row that is exactly <paramref name="text"/> (xterm pads rows with no-break spaces).</summary>
    private static ILocator RowOf(IPage page, Regex text) => Rows(page).Filter(new() { HasTextRegex = text });

    [GeneratedRegex(@"^\s*42\s*$")]
    private static partial Regex FortyTwo();

    [GeneratedRegex(@"^\s*(\d+) (\d+)\s*$")]
    private static partial Regex SttySize();

    /// <summary>Types a line into the focused terminal.</summary>
    private static async Task TypeLineAsync(IPage page, string line)
    {
        await page.Keyboard.TypeAsync(line);
        await page.Keyboard.PressAsync("Enter");
    }

    /// <summary>Asks the shell its terminal's size (busybox stty) and reads the answer's columns; earlier answers are cleared first.</summary>
    private static async Task<int> ColumnsAsync(IPage page)
    {
        await ClearAsync(page);
        await TypeLineAsync(page, "stty size");
        var row = RowOf(page, SttySize());
        await Expect(row).ToHaveCountAsync(1);
        var match = SttySize().Match(await row.TextContentAsync() ?? "");
        return int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Clears the screen, and waits until no answer of an earlier command is left on it.</summary>
    private static async Task ClearAsync(IPage page)
    {
        await TypeLineAsync(page, "clear");
        await Expect(RowOf(page, SttySize())).ToHaveCountAsync(0);
        await Expect(RowOf(page, FortyTwo())).ToHaveCountAsync(0);
    }

    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public Task AShellInARunningJob_AnswersWhatITypeInTheTerminal_AndShowsHowItEnded(string viewport) => BrowseAsync(Named(viewport), async page =>
    {
        var job = await Web.SubmitAsync("alice", new JobSpec { Name = "with-a-terminal", Script = "sleep 300", MailType = "END,FAIL", MailUser = "alice@example.org" });
        try
        {
            await Web.WaitForAsync(job.Id, j => j.State == JobState.Running);
            await WebInterfaceTests.LogInAsync(page, "alice");
            await page.Page.GotoAsync($"/jobs/{job.Id}");
            // The job page's smaller additions: the job's mail settings and its directory's state.
            await Expect(page.Page.GetByTestId("mail")).ToHaveTextAsync("END,FAIL to alice@example.org");
            await Expect(page.Page.GetByTestId("directory")).ToHaveTextAsync("present");
            var terminal = page.Page.GetByTestId("terminal");
            await Expect(terminal.GetByLabel("Command")).ToHaveValueAsync("/bin/sh");

            await terminal.GetByRole(AriaRole.Button, new() { Name = "Open terminal" }).ClickAsync();

            // Connected (keystrokes before that would go nowhere), and the shell's prompt is on the screen.
            await Expect(terminal.GetByRole(AriaRole.Button, new() { Name = "Close terminal" })).ToBeVisibleAsync();
            await Expect(page.Page.GetByTestId("terminal-screen").Locator(".xterm-rows")).ToContainTextAsync("$", new() { Timeout = 30_000 });
            await TypeLineAsync(page.Page, "echo $((6*7))");
            await Expect(RowOf(page.Page, FortyTwo())).ToHaveCountAsync(1);

            // The shell's terminal is as wide as the page's box: on a phone a narrow one, and the page does not scroll sideways.
            var columns = await ColumnsAsync(page.Page);
            if (viewport == "phone")
            {
                Assert.InRange(columns, 20, 60);
                var (scroll, inner) = (await page.Page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await page.Page.EvaluateAsync<int>("window.innerWidth"));
                Assert.True(scroll <= inner, $"the page is {scroll} px wide on a {inner} px screen");
            }
            else
            {
                Assert.InRange(columns, 100, 200);
                // A narrower window: the screen follows its box and tells the shell (a resize message).
                await page.Page.SetViewportSizeAsync(800, 800);
                var narrower = columns;
                for (var tries = 0; tries < 20 && narrower > columns - 20; tries++)
                {
                    await Task.Delay(250);
                    narrower = await ColumnsAsync(page.Page);
                }
                Assert.True(narrower <= columns - 20, $"the shell's terminal stayed {narrower} columns wide in a narrower window (was {columns})");
                await page.Page.SetViewportSizeAsync(Viewport.Desktop.Width, Viewport.Desktop.Height);
                await ClearAsync(page.Page);
                await TypeLineAsync(page.Page, "echo $((6*7))");
                await Expect(RowOf(page.Page, FortyTwo())).ToHaveCountAsync(1);
            }
            await page.ScreenshotAsync($"terminal.{viewport}");

            await TypeLineAsync(page.Page, "exit 3");

            await Expect(terminal.GetByTestId("terminal-end")).ToHaveTextAsync("The session ended: exit code 3.");
            // The screen stays for reading, and another session can be opened.
            await Expect(Rows(page.Page).Filter(new() { HasText = "exit 3" })).ToHaveCountAsync(1);
            await Expect(terminal.GetByRole(AriaRole.Button, new() { Name = "Open terminal" })).ToBeVisibleAsync();
            await Expect(page.Page.GetByTestId("timeline")).ToContainTextAsync("alice ran /bin/sh (with a terminal)");
            await page.ScreenshotAsync($"terminal-ended.{viewport}");

            // A second session on the same page: a fresh screen, a fresh shell.
            await terminal.GetByRole(AriaRole.Button, new() { Name = "Open terminal" }).ClickAsync();
            await Expect(terminal.GetByRole(AriaRole.Button, new() { Name = "Close terminal" })).ToBeVisibleAsync();
            await Expect(Rows(page.Page).Filter(new() { HasText = "exit 3" })).ToHaveCountAsync(0);
            await Expect(terminal.GetByTestId("terminal-end")).ToHaveCountAsync(0);
            await terminal.GetByRole(AriaRole.Button, new() { Name = "Close terminal" }).ClickAsync();
            await Expect(terminal.GetByTestId("terminal-end")).ToHaveTextAsync("The session ended: you closed it.");
            await Expect(terminal.GetByRole(AriaRole.Button, new() { Name = "Open terminal" })).ToBeVisibleAsync();
        }
        finally
        {
            using var alice = Web.As("alice");
            using var _ = await alice.PostAsync($"/api/v1/jobs/{job.Id}/kill", null);
        }
    }, $"{nameof(AShellInARunningJob_AnswersWhatITypeInTheTerminal_AndShowsHowItEnded)}_{viewport}");

    [Fact]
    public Task AnInteractiveJobsPage_AttachesToTheJobsOwnTerminal_WhoseEndIsTheJobs() => BrowseAsync(Viewport.Desktop, async page =>
    {
        var job = await Web.SubmitAsync("alice", new JobSpec { Name = "interactive-in-the-browser", Interactive = true });
        try
        {
            await Web.WaitForAsync(job.Id, j => j.State == JobState.Running);
            await WebInterfaceTests.LogInAsync(page, "alice");
            await page.Page.GotoAsync($"/jobs/{job.Id}");
            var terminal = page.Page.GetByTestId("terminal");
            await Expect(terminal).ToContainTextAsync("the terminal is its own");

            await terminal.GetByRole(AriaRole.Button, new() { Name = "Open terminal" }).ClickAsync();
            await Expect(terminal.GetByRole(AriaRole.Button, new() { Name = "Close terminal" })).ToBeVisibleAsync();
            await TypeLineAsync(page.Page, "echo $((6*7))");
            await Expect(RowOf(page.Page, FortyTwo())).ToHaveCountAsync(1);
            await page.ScreenshotAsync("interactive.desktop");

            // The job's own shell: its exit is the job's end.
            await TypeLineAsync(page.Page, "exit 4");

            await Expect(terminal.GetByTestId("terminal-end")).ToHaveTextAsync("The session ended: exit code 4.");
            var ended = await Web.WaitForAsync(job.Id, j => j.State.IsTerminal(), TimeSpan.FromSeconds(30));
            Assert.Equal(4, ended.ExitCode);
            Assert.Contains(ended.Events!, e => e.Kind == "attach" && e.Message == "alice attached");
        }
        finally
        {
            using var alice = Web.As("alice");
            using var _ = await alice.PostAsync($"/api/v1/jobs/{job.Id}/kill", null);
        }
    });

    [Fact]
    public Task LeavingThePage_ClosesTheSession() => BrowseAsync(Viewport.Desktop, async page =>
    {
        var job = await Web.SubmitAsync("alice", new JobSpec { Name = "left-terminal", Script = "sleep 300" });
        try
        {
            await Web.WaitForAsync(job.Id, j => j.State == JobState.Running);
            await WebInterfaceTests.LogInAsync(page, "alice");
            await page.Page.GotoAsync($"/jobs/{job.Id}");
            var terminal = page.Page.GetByTestId("terminal");
            await terminal.GetByLabel("Command").FillAsync("sh -c 'echo ready; exec sleep 600'");
            await terminal.GetByRole(AriaRole.Button, new() { Name = "Open terminal" }).ClickAsync();
            await Expect(page.Page.GetByTestId("terminal-screen").Locator(".xterm-rows")).ToContainTextAsync("ready");

            await page.Page.GetByRole(AriaRole.Link, new() { Name = "Jobs", Exact = true }).ClickAsync();

            // The server saw the client close: the session's end is on the job's timeline.
            var ended = await Web.WaitForAsync(job.Id, j => j.Events?.Any(e => e.Kind == "exec-ended") == true, TimeSpan.FromSeconds(30));
            Assert.Contains(ended.Events!, e => e.Kind == "exec-ended" && e.Message.EndsWith("ended: the client closed the session", StringComparison.Ordinal));
        }
        finally
        {
            using var alice = Web.As("alice");
            using var _ = await alice.PostAsync($"/api/v1/jobs/{job.Id}/kill", null);
        }
    });
}
