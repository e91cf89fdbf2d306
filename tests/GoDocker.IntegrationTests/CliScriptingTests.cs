using System.Globalization;
using System.Text.Json;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// What a workflow manager (Snakemake's --cluster, --cluster-status, --cluster-cancel) runs, through the real CLI
/// binary against a real server and engine: volumes and --chdir, --parsable, --wait, status words, kill by filter,
/// and the godocker-kill link run without a shell.
/// </summary>
public sealed class CliScriptingTests : IAsyncLifetime
{
    private readonly SharedFolder shared = new("shared", "/shared");
    private readonly string workDir = Directory.CreateTempSubdirectory("godocker-cli-").FullName;
    private ServerProcess server = null!;

    private string Shared => shared.HostPath;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(Shared, "input.txt"), "from the shared filesystem\n");
        server = await ServerProcess.StartAsync(shared.Settings());
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(workDir, recursive: true);
        shared.Dispose();
    }

    private Task<Cli.Result> Godocker(params string[] args) => Cli.RunAsync(server.BaseUrl, workDir, args);

    private static long Id(Cli.Result submit)
    {
        Assert.True(submit.ExitCode == 0, submit.Stderr);
        return long.Parse(submit.Stdout.Trim(), CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Volume_AndChdir_StartTheJobWhereTheFilesAre_ReadOnlyWhenAsked()
    {
        var script = Path.Combine(workDir, "job.sh");
        await File.WriteAllTextAsync(script, """
            #!/bin/sh
            #GODOCKER --volume shared --chdir /shared
            pwd; cat input.txt; echo written > output.txt && echo wrote
            """);

        var rw = Id(await Godocker("submit", "--parsable", script));
        var ro = Id(await Godocker("submit", "--volume", "shared:ro", script));
        await server.Api.WaitEndAsync(rw);
        await server.Api.WaitEndAsync(ro);

        Assert.Equal("/shared\nfrom the shared filesystem\nwrote\n", await server.Api.StdoutAsync(rw));
        Assert.Equal("written\n", await File.ReadAllTextAsync(Path.Combine(Shared, "output.txt")));
        // The command line's :ro wins over the script's plain `--volume shared`: the write fails.
        Assert.StartsWith("/shared\nfrom the shared filesystem\n", await server.Api.StdoutAsync(ro), StringComparison.Ordinal);
        Assert.DoesNotContain("wrote", await server.Api.StdoutAsync(ro), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Volume_NotGranted_IsTheServersRefusal()
    {
        var submit = await Godocker("submit", "--volume", "nosuch", "--", "true");

        Assert.Equal(1, submit.ExitCode);
        Assert.Contains("nosuch", submit.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitWait_PrintsTheIdFirst_AndExitsWithTheJobsCode()
    {
        var submit = await Godocker("submit", "--wait", "--export", "CODE=5", "--", "sh", "-c", "exit $CODE");

        var id = long.Parse(submit.Stdout.Trim(), CultureInfo.InvariantCulture);
        Assert.Equal(5, submit.ExitCode);
        Assert.Equal(JobState.Failed, (await server.Api.GetAsync(id)).State);
    }

    [Fact]
    public async Task Status_PrintsOneWordPerJob_AndFailsForAnUnknownIdAfterTheOthers()
    {
        var ok = Id(await Godocker("submit", "--", "true"));
        var bad = Id(await Godocker("submit", "--", "sh", "-c", "exit 3"));
        var running = Id(await Godocker("submit", "--", "sleep", "300"));
        await server.Api.WaitEndAsync(ok);
        await server.Api.WaitEndAsync(bad);

        var status = await Godocker("status", $"{ok}", $"{bad}", "999999", $"{running}");
        var json = await Godocker("status", "-o", "json", $"{bad}");
        await Godocker("kill", $"{running}");

        Assert.Equal("success\nfailed\nrunning\n", status.Stdout);
        Assert.Equal(1, status.ExitCode);
        Assert.Contains("999999", status.Stderr, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json.Stdout);
        var job = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal(bad, job.GetProperty("id").GetInt64());
        Assert.Equal("Failed", job.GetProperty("state").GetString());
        Assert.Equal(3, job.GetProperty("exitCode").GetInt32());
        Assert.Equal("Exited", job.GetProperty("endCause").GetString());
    }

    [Fact]
    public async Task CommandsThatExitWithAJobsCode_Use125ForTheirOwnFailures()
    {
        // A job's exit 3 is 3; the CLI's own failures (unknown job, refused submit, bad option, unreachable server) are 125,
        // where plain commands say 1, 2 and 3.
        var three = Id(await Godocker("submit", "--", "sh", "-c", "exit 3"));
        var job = await Godocker("wait", $"{three}");
        var unknown = await Godocker("wait", "999999");
        var refused = await Godocker("submit", "--wait", "--volume", "nosuch", "--", "true");
        var badOption = await Godocker("wait", "--timeout", "soon", $"{three}");
        var exec = await Godocker("exec", "999999", "--", "true");
        var attach = await Godocker("attach", "999999");
        var plain = await Godocker("show", "999999");
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var nobody = new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}");
        listener.Stop();
        var unreachable = await Cli.RunAsync(nobody, workDir, "wait", $"{three}");
        var unreachablePlain = await Cli.RunAsync(nobody, workDir, "show", $"{three}");

        Assert.Equal(3, job.ExitCode);
        Assert.Equal((125, 125, 125, 125, 125), (unknown.ExitCode, refused.ExitCode, badOption.ExitCode, exec.ExitCode, attach.ExitCode));
        Assert.Contains("999999", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("nosuch", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("--timeout", badOption.Stderr, StringComparison.Ordinal);
        Assert.Equal(125, unreachable.ExitCode);
        Assert.Contains("cannot reach", unreachable.Stderr, StringComparison.Ordinal);
        Assert.Equal((1, 3), (plain.ExitCode, unreachablePlain.ExitCode));
    }

    [Fact]
    public async Task OutOfMemoryAndWalltime_AreEndCausesAToolReads_InStatusAndShow()
    {
        var oom = Id(await Godocker("submit", "--mem", "32M", "--", "dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1"));
        var late = Id(await Godocker("submit", "--time", "2s", "--", "sleep", "60"));
        await server.Api.WaitEndAsync(oom);
        await server.Api.WaitEndAsync(late, TimeSpan.FromMinutes(1));

        var status = await Godocker("status", "-o", "json", $"{oom}", $"{late}");
        var words = await Godocker("status", $"{oom}", $"{late}");
        var show = await Godocker("show", "-o", "json", $"{late}");

        Assert.Equal("failed\nfailed\n", words.Stdout);
        using var doc = JsonDocument.Parse(status.Stdout);
        Assert.Equal(["OutOfMemory", "Walltime"], doc.RootElement.EnumerateArray().Select(j => j.GetProperty("endCause").GetString()));
        Assert.Equal(137, doc.RootElement[0].GetProperty("exitCode").GetInt32());
        using var shown = JsonDocument.Parse(show.Stdout);
        Assert.Equal("Walltime", shown.RootElement.GetProperty("endCause").GetString());
    }

    [Fact]
    public async Task Kill_ByExactNameAndTag_KillsOnlyTheUnfinishedMatches()
    {
        var a = Id(await Godocker("submit", "-J", "align", "-t", "run7", "--", "sleep", "300"));
        var b = Id(await Godocker("submit", "-J", "align", "-t", "run7", "--hold", "--", "sleep", "300"));
        var longerName = Id(await Godocker("submit", "-J", "align-2", "-t", "run7", "--", "sleep", "300"));
        var otherTag = Id(await Godocker("submit", "-J", "align", "-t", "run8", "--", "sleep", "300"));
        var owner = (await server.Api.GetAsync(a)).Owner;

        var kill = await Godocker("kill", "-n", "align", "--tag", "run7", "-u", owner);
        await server.Api.WaitEndAsync(a);
        await server.Api.WaitEndAsync(b);

        Assert.Equal(0, kill.ExitCode);
        Assert.Equal([$"{a}", $"{b}"], kill.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]));
        Assert.Equal(JobState.Killed, (await server.Api.GetAsync(a)).State);
        Assert.Equal(JobState.Killed, (await server.Api.GetAsync(b)).State);
        Assert.False((await server.Api.GetAsync(longerName)).State.IsTerminal());
        Assert.False((await server.Api.GetAsync(otherTag)).State.IsTerminal());
        await Godocker("kill", $"{longerName}", $"{otherTag}");
    }

    [Fact]
    public async Task GodockerKillLink_RunWithoutAShell_KillsTheJobs()
    {
        var bin = Directory.CreateTempSubdirectory("godocker-links-").FullName;
        try
        {
            var link = Path.Combine(bin, "godocker-kill");
            File.CreateSymbolicLink(link, Paths.Cli);
            var first = Id(await Godocker("submit", "--", "sleep", "300"));
            var second = Id(await Godocker("submit", "--", "sleep", "300"));

            var kill = await Cli.RunProgramAsync(link, server.BaseUrl, workDir, null, new Dictionary<string, string>(), $"{first}", $"{second}");
            var status = await Cli.RunProgramAsync(Path.Combine(bin, "godocker-kill"), server.BaseUrl, workDir, null, new Dictionary<string, string>(), "status", $"{first}");

            Assert.True(kill.ExitCode == 0, kill.Stderr);
            Assert.Equal(JobState.Killed, (await server.Api.WaitEndAsync(first)).State);
            Assert.Equal(JobState.Killed, (await server.Api.WaitEndAsync(second)).State);
            // The link's name decides: "status" is not a command of godocker-kill but a bad job id.
            Assert.Equal(2, status.ExitCode);
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }
}
