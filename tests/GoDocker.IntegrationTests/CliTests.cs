using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>The `godocker` client (the published NativeAOT binary under `godocker.sh test`) against a real server.</summary>
public sealed class CliTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly string workDir = Directory.CreateTempSubdirectory("godocker-cli-").FullName;

    private Task<Cli.Result> Godocker(params string[] args) => Cli.RunAsync(fixture.Server.BaseUrl, workDir, args);

    public void Dispose() => Directory.Delete(workDir, recursive: true);

    [Fact]
    public async Task SubmitScript_TakesItsOptionsFromGodockerLines_AndFlagsWin()
    {
        var script = Path.Combine(workDir, "job.sh");
        await File.WriteAllTextAsync(script, """
            #!/bin/sh
            #GODOCKER --name from-directive --cpus 0.5 --mem 48M
            #GODOCKER -e GREETING=directive -t cli-directives
            echo "$GREETING $GODOCKER_CPUS $GODOCKER_MEMORY_BYTES"
            """);

        var submit = await Godocker("submit", "--cpus", "0.25", "-e", "GREETING=flag", script);
        var id = long.Parse(submit.Stdout.Trim(), CultureInfo.InvariantCulture);
        var wait = await Godocker("wait", id.ToString(CultureInfo.InvariantCulture));
        var job = await fixture.Api.GetAsync(id);

        Assert.Equal(0, submit.ExitCode);
        Assert.Equal(0, wait.ExitCode);
        Assert.Equal("from-directive", job.Name);
        Assert.Equal(0.25, job.Cpus);
        Assert.Equal(48L << 20, job.MemoryBytes);
        Assert.Equal(["cli-directives"], job.Tags);
        Assert.Equal($"flag 0.25 {48L << 20}\n", await fixture.Api.StdoutAsync(id));
    }

    [Fact]
    public async Task Wait_ExitsWithTheJobsExitCode()
    {
        var submit = await Godocker("submit", "--", "sh", "-c", "exit 7");
        var wait = await Godocker("wait", submit.Stdout.Trim());

        Assert.Equal(7, wait.ExitCode);
    }

    [Fact]
    public async Task Logs_Follow_PrintsTheOutputUntilTheJobEnds()
    {
        var submit = await Godocker("submit", "-s", "echo one; sleep 1; echo two");
        var logs = await Godocker("logs", "-f", submit.Stdout.Trim());

        Assert.Equal(0, logs.ExitCode);
        Assert.Equal("one\ntwo\n", logs.Stdout);
        Assert.True((await fixture.Api.GetAsync(long.Parse(submit.Stdout.Trim(), CultureInfo.InvariantCulture))).State.IsTerminal());
    }

    [Fact]
    public async Task JobsShowKill_WorkOnARunningJob()
    {
        var id = (await Godocker("submit", "-t", "cli-kill", "--", "sleep", "300")).Stdout.Trim();
        await fixture.Api.WaitForAsync(long.Parse(id, CultureInfo.InvariantCulture), j => j.State == JobState.Running);

        var table = await Godocker("jobs", "--tag", "cli-kill");
        var json = await Godocker("jobs", "--tag", "cli-kill", "-o", "json");
        var kill = await Godocker("kill", id);
        var wait = await Godocker("wait", id);
        var show = await Godocker("show", id);

        Assert.Contains(id, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Running", table.Stdout, StringComparison.Ordinal);
        var list = JsonSerializer.Deserialize(json.Stdout, GoDockerJson.Default.JobList)!;
        Assert.Equal(JobState.Running, Assert.Single(list.Items).State);
        Assert.Equal(0, kill.ExitCode);
        Assert.NotEqual(0, wait.ExitCode);
        Assert.Contains("Killed", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("started", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("killed", show.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FilesLsAndGet_ServeTheJobDirectory()
    {
        var id = (await Godocker("submit", "-s", "mkdir out; echo 42 > out/answer.txt")).Stdout.Trim();
        await Godocker("wait", id);

        var ls = await Godocker("files", "ls", id, "out");
        var get = await Godocker("files", "get", id, "out/answer.txt", "-O", "-");
        var escape = await Godocker("files", "get", id, "../../godocker.db", "-O", "-");

        Assert.Contains("answer.txt", ls.Stdout, StringComparison.Ordinal);
        Assert.Equal("42\n", get.Stdout);
        Assert.Equal(2, escape.ExitCode);
        Assert.Contains("'..' are not allowed", escape.Stderr, StringComparison.Ordinal);
        Assert.Equal("", escape.Stdout);
    }

    [Fact]
    public async Task BadInput_RefusedByTheServer_IsReportedWithTheField_ExitCode1()
    {
        var result = await Godocker("submit", "--image", "Not A Valid Image!", "--", "true");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("image", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInput_CaughtByTheClient_IsAUsageError_ExitCode2()
    {
        var result = await Godocker("submit", "--cpus", "0", "--", "true");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--cpus", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableServer_GivesOneClearLine_ExitCode3()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await Cli.RunAsync(new Uri($"http://127.0.0.1:{port}"), workDir, "jobs");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"cannot reach the GoDocker server at http://127.0.0.1:{port}", line, StringComparison.Ordinal);
    }
}
