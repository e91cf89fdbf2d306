using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Interactive jobs as a user at a terminal has them: `godocker run -it` and `godocker attach`, the real CLI binary in
/// a pseudo-terminal the test types into, against a real server and engine. The job is queued and accounted as any
/// job; its terminal is the user's; detaching leaves it running; the site's quota of interactive jobs holds.
/// </summary>
public sealed class InteractiveJobTests(InteractiveJobTests.Site site) : IClassFixture<InteractiveJobTests.Site>
{
    /// <summary>The busybox image's shell, run as a user who is not root.</summary>
    private const string Prompt = "$ ";
    private const string CtrlP = "\u0010";
    private const string CtrlQ = "\u0011";

    public sealed class Site : ServerFixture
    {
        protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
        {
            ["Jobs:MaxInteractivePerUser"] = "2",
        };
    }

    private Process StartCli(PseudoTerminal terminal, params string[] args) =>
        terminal.Start(Paths.Cli, new Dictionary<string, string> { ["GODOCKER_URL"] = site.Server.BaseUrl.ToString().TrimEnd('/') }, args);

    /// <summary>The id `run` told on the terminal ("godocker: job N running on …").</summary>
    private static async Task<long> JobIdAsync(PseudoTerminal terminal)
    {
        var at = await terminal.WaitForAsync(" running on ");
        var line = terminal.Output[..at];
        var words = line[line.LastIndexOf("godocker: job ", StringComparison.Ordinal)..].Split(' ');
        return long.Parse(words[2], CultureInfo.InvariantCulture);
    }

    private async Task KillInteractiveJobsAsync()
    {
        foreach (var job in (await site.Api.ListAsync()).Items.Where(j => j.Interactive && !j.State.IsTerminal()))
        {
            await site.Api.KillAsync(job.Id);
            await site.Api.WaitEndAsync(job.Id);
        }
    }

    [Fact]
    public async Task RunIt_AttachesTheTerminalToTheJobsShell_AndExitsWithTheJobsExitCode()
    {
        using var terminal = PseudoTerminal.Open(100, 30);
        using var cli = StartCli(terminal, "run", "-it", "--cpus", "0.5", "--mem", "64M", "--time", "10m");
        var job = await JobIdAsync(terminal);
        // The image's own command, its shell; the prompt it printed before the CLI attached is replayed.
        var at = await terminal.WaitForAsync(Prompt);
        terminal.Type("stty size\r");
        at = await terminal.WaitForAsync("30 100", at);

        terminal.Type("echo $((6*7)); exit 3\r");

        Assert.Equal(3, await terminal.ExitCodeAsync(cli));
        // Printed just before the exit: the terminal's reader may see it after the exit is seen.
        await terminal.WaitForAsync("\n42\r", at);
        var ended = await site.Api.WaitEndAsync(job);
        Assert.True(ended.Interactive);
        Assert.Equal(JobState.Failed, ended.State);
        Assert.Equal(3, ended.ExitCode);
        Assert.Equal(0.5, ended.Cpus);
        var events = (await site.Api.GetAsync(job)).Events!;
        Assert.Contains(events, e => e.Kind == "attach");
        Assert.Contains(events, e => e.Kind == "detach" && e.Message.Contains("exit code 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CtrlC_InterruptsTheJobsForegroundCommand_NotTheSession()
    {
        using var terminal = PseudoTerminal.Open(80, 24);
        using var cli = StartCli(terminal, "run", "-it", "--", "/bin/sh");
        var at = await terminal.WaitForAsync(Prompt);
        // The foreground command says when it runs (its output, not the echo of what was typed): ^C is typed only then.
        terminal.Type("sh -c 'echo $((6*7))-running; sleep 100'; echo sleep-ended-$?\r");
        at = await terminal.WaitForAsync("42-running", at);

        terminal.Type("\u0003");
        terminal.Type("echo still-here-$((1+1))\r");
        await terminal.WaitForAsync("still-here-2\r", at);
        terminal.Type("exit\r");

        Assert.Equal(0, await terminal.ExitCodeAsync(cli));
        Assert.DoesNotContain("sleep-ended-0", terminal.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CtrlZ_StopsTheJobsForegroundCommand_AndTheShellsJobControlResumesIt()
    {
        using var terminal = PseudoTerminal.Open(80, 24);
        using var cli = StartCli(terminal, "run", "-it", "--", "/bin/sh");
        var at = await terminal.WaitForAsync(Prompt);
        // The foreground command says when it runs and when it is continued (its output, not the echo of what was typed):
        // ^Z and ^C are typed only then.
        terminal.Type("sh -c 'trap \"echo $((2*2))-resumed\" CONT; echo $((6*7))-running; while :; do sleep 1; done'\r");
        at = await terminal.WaitForAsync("42-running", at);

        terminal.Type("\u001a");

        // The shell took the terminal back with the sleep stopped (SIGTSTP from the job's own terminal): its jobs list it.
        at = await terminal.WaitForAsync(Prompt, at);
        terminal.Type("jobs\r");
        at = await terminal.WaitForAsync("Stopped", at);
        // Back in the foreground, then interrupted: the shell is free again and has no job left.
        terminal.Type("fg\r");
        at = await terminal.WaitForAsync("4-resumed", at);
        terminal.Type("\u0003");
        terminal.Type("jobs; echo resumed-and-stopped-$((2+3))\r");
        var before = at;
        at = await terminal.WaitForAsync("resumed-and-stopped-5\r", at);
        Assert.DoesNotContain("Stopped", terminal.Output[before..at], StringComparison.Ordinal);
        terminal.Type("exit\r");
        Assert.Equal(0, await terminal.ExitCodeAsync(cli));
    }

    [Fact]
    public async Task DetachKeys_LeaveTheJobRunning_AndAttachComesBackToTheSameShell()
    {
        using var first = PseudoTerminal.Open(80, 24);
        using var run = StartCli(first, "run", "-it");
        var job = await JobIdAsync(first);
        var at = await first.WaitForAsync(Prompt);
        first.Type("ANSWER=41\r");
        at = await first.WaitForAsync(Prompt, at);

        first.Type(CtrlP + CtrlQ);

        Assert.Equal(0, await first.ExitCodeAsync(run));
        Assert.Contains($"detached from job {job}", first.Output[at..], StringComparison.Ordinal);
        Assert.Equal(JobState.Running, (await site.Api.GetAsync(job)).State);

        // Another terminal, another process: the shell kept its variable, so it is the same session.
        using var second = PseudoTerminal.Open(80, 24);
        using var attach = StartCli(second, "attach", job.ToString(CultureInfo.InvariantCulture));
        await Task.Delay(500);
        second.Type("echo $((ANSWER+1))\r");
        var seen = await second.WaitForAsync("\n42\r");
        // A Ctrl-P alone is a key for the job, not half a detach: the session goes on.
        second.Type(CtrlP + "echo after-ctrl-p\r");
        await second.WaitForAsync("after-ctrl-p\r", seen);
        second.Type("exit 5\r");

        Assert.Equal(5, await second.ExitCodeAsync(attach));
        var ended = await site.Api.WaitEndAsync(job);
        Assert.Equal(5, ended.ExitCode);
    }

    [Fact]
    public async Task CtrlC_WhileTheJobWaits_CancelsIt_AsSrunDoes_AfterTellingWhyItWaits()
    {
        using var terminal = PseudoTerminal.Open(80, 24);
        // Held: it can only wait, and the CLI says why.
        using var cli = StartCli(terminal, "run", "-it", "--hold");
        await terminal.WaitForAsync("queued: ");
        var job = (await site.Api.ListAsync()).Items.Single(j => j.Interactive && j.State == JobState.Pending).Id;

        using (var interrupt = Process.Start("kill", ["-INT", cli.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }

        Assert.Equal(130, await terminal.ExitCodeAsync(cli));
        // Written just before the CLI exits: the terminal's reader may not have read it yet when the exit is seen.
        await terminal.WaitForAsync($"job {job} cancelled");
        Assert.Equal(JobState.Killed, (await site.Api.WaitEndAsync(job)).State);
    }

    [Fact]
    public async Task TheSitesQuota_OfInteractiveJobsPerUser_RefusesTheNextOne_AndBatchJobsAreNotCounted()
    {
        await KillInteractiveJobsAsync();
        try
        {
            var batch = await site.Api.SubmitAsync(new JobSpec { Command = ["sleep", "600"], Hold = true });
            var one = await site.Api.SubmitAsync(new JobSpec { Interactive = true, Hold = true });
            var two = await site.Api.SubmitAsync(new JobSpec { Interactive = true, Command = ["sleep", "600"], Hold = true });

            using var third = await site.Api.Http.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Interactive = true, Hold = true }, GoDockerJson.Default.JobSpec);

            Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
            Assert.Contains("2 interactive jobs", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            // Ending one makes room.
            await site.Api.KillAsync(one.Id);
            await site.Api.WaitEndAsync(one.Id);
            var again = await site.Api.SubmitAsync(new JobSpec { Interactive = true, Hold = true });
            Assert.True(again.Interactive);
            Assert.False(batch.Interactive);
            await site.Api.KillAsync(batch.Id);
            await site.Api.KillAsync(two.Id);
        }
        finally
        {
            await KillInteractiveJobsAsync();
        }
    }

    [Fact]
    public async Task AnInteractiveArray_IsRefused_NamingTheField()
    {
        using var response = await site.Api.Http.PostAsJsonAsync("/api/v1/jobs", new JobSpec { Interactive = true, Array = "1-3" }, GoDockerJson.Default.JobSpec);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"array\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AttachToABatchJob_OrAPendingOne_Is409_SayingWhy()
    {
        var batch = await site.Api.SubmitAsync(new JobSpec { Command = ["sleep", "600"] });
        await site.Api.WaitForAsync(batch.Id, j => j.State == JobState.Running);
        var pending = await site.Api.SubmitAsync(new JobSpec { Command = ["sleep", "600"], Hold = true });
        try
        {
            var (batchSocket, batchStatus) = await ExecSocket.ConnectAsync(AttachUrl(batch.Id), ExecSocket.Bearer(null));
            var (pendingSocket, pendingStatus) = await ExecSocket.ConnectAsync(AttachUrl(pending.Id), ExecSocket.Bearer(null));
            batchSocket?.Dispose();
            pendingSocket?.Dispose();

            Assert.Equal(HttpStatusCode.Conflict, batchStatus);
            Assert.Equal(HttpStatusCode.Conflict, pendingStatus);
            using var plain = await site.Api.Http.GetAsync($"/api/v1/jobs/{batch.Id}/attach?cols=80");
            Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
            Assert.Contains("rows", await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await site.Api.KillAsync(batch.Id);
            await site.Api.KillAsync(pending.Id);
        }
    }

    private Uri AttachUrl(long job) =>
        new UriBuilder(site.Server.BaseUrl) { Scheme = "ws", Path = $"/api/v1/jobs/{job}/attach" }.Uri;
}
