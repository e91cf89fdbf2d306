using System.Diagnostics;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// `godocker exec -it` as a user at a terminal runs it: the real CLI binary in a pseudo-terminal the test types into,
/// against a real server and engine. Raw mode, the exit code, window resizes, Ctrl-C reaching the remote command.
/// </summary>
public sealed class ExecTerminalTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Prompt = "$ ";

    private async Task<long> RunningJobAsync()
    {
        var job = await fixture.Api.SubmitAsync(new JobSpec { Script = "sleep 600" });
        await fixture.Api.WaitForAsync(job.Id, j => j.State == JobState.Running);
        return job.Id;
    }

    private Process StartExec(PseudoTerminal terminal, long job, params string[] command) =>
        terminal.Start(Paths.Cli, new Dictionary<string, string> { ["GODOCKER_URL"] = fixture.Server.BaseUrl.ToString().TrimEnd('/') },
            ["exec", "-it", job.ToString(System.Globalization.CultureInfo.InvariantCulture), "--", .. command]);

    [Fact]
    public async Task ExecIt_RunsAnInteractiveShell_AndExitsWithItsExitCode()
    {
        var job = await RunningJobAsync();
        using var terminal = PseudoTerminal.Open(80, 24);
        using var cli = StartExec(terminal, job, "sh");
        await terminal.WaitForAsync(Prompt);

        terminal.Type("echo $((6*7)); exit 3\r");

        Assert.Equal(3, await terminal.ExitCodeAsync(cli));
        // The remote terminal echoed the line as typed, then the shell's answer on a line of its own.
        Assert.Contains("echo $((6*7)); exit 3", terminal.Output, StringComparison.Ordinal);
        Assert.Contains("\n42\r", terminal.Output, StringComparison.Ordinal);
        await fixture.Api.KillAsync(job);
    }

    [Fact]
    public async Task ExecIt_FollowsTheWindowSize_AtTheStart_AndWhenResized()
    {
        var job = await RunningJobAsync();
        using var terminal = PseudoTerminal.Open(100, 30);
        using var cli = StartExec(terminal, job, "sh");
        var at = await terminal.WaitForAsync(Prompt);
        terminal.Type("stty size\r");
        at = await terminal.WaitForAsync("30 100", at);

        terminal.Resize(120, 50);
        // SIGWINCH reaches the CLI on a thread of its own: ask again until the resize has gone through.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!terminal.Output[at..].Contains("50 120", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the resize never reached the job; the terminal shows: {terminal.Output[at..]}");
            terminal.Type("stty size\r");
            await Task.Delay(300);
        }
        terminal.Type("exit\r");

        Assert.Equal(0, await terminal.ExitCodeAsync(cli));
        await fixture.Api.KillAsync(job);
    }

    [Fact]
    public async Task CtrlC_InterruptsTheRemoteForegroundCommand_NotTheSession()
    {
        var job = await RunningJobAsync();
        using var terminal = PseudoTerminal.Open(80, 24);
        using var cli = StartExec(terminal, job, "sh");
        var at = await terminal.WaitForAsync(Prompt);
        terminal.Type("sleep 100; echo sleep-ended-$?\r");
        at = await terminal.WaitForAsync("sleep 100; echo sleep-ended-$?", at);
        await Task.Delay(500);
        var started = Stopwatch.StartNew();

        terminal.Type("\u0003");
        terminal.Type("echo still-here-$((1+1))\r");
        await terminal.WaitForAsync("still-here-2\r", at);
        terminal.Type("exit 0\r");

        Assert.Equal(0, await terminal.ExitCodeAsync(cli));
        Assert.False(cli.HasExited && started.Elapsed > TimeSpan.FromSeconds(60), "the sleep was not interrupted");
        // The interrupted sleep never reached its echo: the shell dropped the rest of that line, as at a real terminal.
        Assert.DoesNotContain("sleep-ended-0", terminal.Output, StringComparison.Ordinal);
        await fixture.Api.KillAsync(job);
    }
}
