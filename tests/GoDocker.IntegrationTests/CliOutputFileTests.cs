using System.Globalization;
using System.Text.Json;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// `godocker submit --stdout/--stderr`, sbatch's -o/-e, through the real CLI binary, server and engine: the job's own
/// shell writes the file in the granted volume on the host; the path is taken literally; the server refuses a path a
/// job could not write, and `logs` and `show` say where the output went.
/// </summary>
public sealed class CliOutputFileTests : IAsyncLifetime
{
    private readonly SharedFolder shared = new("shared", "/shared");
    private readonly string workDir = Directory.CreateTempSubdirectory("godocker-cli-").FullName;
    private ServerProcess server = null!;

    private string Shared => shared.HostPath;

    private string Out => Path.Combine(Shared, "out");

    public async Task InitializeAsync()
    {
        shared.Open("out");
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
    public async Task Stdout_GoesToTheFileInTheVolume_AndLogsAndShowSayWhere()
    {
        var id = Id(await Godocker("submit", "--volume", "shared", "--stdout", "/shared/out/%j.out", "--", "echo", "hi"));
        Assert.Equal(JobState.Succeeded, (await server.Api.WaitEndAsync(id)).State);

        var logs = await Godocker("logs", $"{id}");
        var show = await Godocker("show", $"{id}");
        var json = await Godocker("show", "-o", "json", $"{id}");
        using var response = await server.Api.Http.GetAsync($"/api/v1/jobs/{id}/stdout");

        Assert.Equal("hi\n", await File.ReadAllTextAsync(Path.Combine(Out, $"{id}.out")));
        // As sbatch -o: the job directory's file stays empty, and logs says where the output went (exit 0, stdout empty).
        Assert.Equal((0, ""), (logs.ExitCode, logs.Stdout));
        Assert.Equal($"godocker: job {id}'s stdout goes to /shared/out/{id}.out (--stdout), not the job directory\n", logs.Stderr);
        Assert.Contains($"/shared/out/{id}.out", show.Stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal($"/shared/out/{id}.out", doc.RootElement.GetProperty("stdout").GetString());
        Assert.False(doc.RootElement.TryGetProperty("stderr", out var stderr) && stderr.ValueKind != JsonValueKind.Null);
        Assert.Equal($"/shared/out/{id}.out", Assert.Single(response.Headers.GetValues("GoDocker-Output-Path")));
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Stderr_GoesToItsFile_WithThePatternsExpanded_StdoutStayingInTheJobDirectory()
    {
        var id = Id(await Godocker("submit", "--volume", "shared", "-J", "align", "--stderr", "/shared/out/%x-%u-%6j.err",
            "--", "sh", "-c", "echo out; echo err >&2"));
        var job = await server.Api.WaitEndAsync(id);

        var logs = await Godocker("logs", "--stderr", $"{id}");

        Assert.Equal(JobState.Succeeded, job.State);
        var file = $"align-{job.Owner}-{id.ToString("D6", CultureInfo.InvariantCulture)}.err";
        Assert.Equal("err\n", await File.ReadAllTextAsync(Path.Combine(Out, file)));
        Assert.Equal("out\n", await server.Api.StdoutAsync(id));
        Assert.Equal("", await server.Api.StderrAsync(id));
        Assert.Equal($"/shared/out/{file}", job.Stderr);
        Assert.Equal($"godocker: job {id}'s stderr goes to /shared/out/{file} (--stderr), not the job directory\n", logs.Stderr);
    }

    [Fact]
    public async Task AHostilePath_IsAFileName_NeverRun()
    {
        // Each would create a file named pwned… in the job's working folder, the volume, if a shell ran it.
        const string name = "it's \"$(touch pwned1)\" `touch pwned2` $(touch${IFS}pwned3); touch pwned4 *.out";
        var script = Path.Combine(workDir, "job.sh");
        await File.WriteAllTextAsync(script, """
            #!/bin/sh
            #GODOCKER --volume shared --chdir /shared
            echo literal
            """);

        var id = Id(await Godocker("submit", "--stdout", "/shared/out/" + name, "--stderr", "/shared/out/" + name, script));
        var job = await server.Api.WaitEndAsync(id);

        Assert.True(job.State == JobState.Succeeded, $"{job.State} {job.Reason}: {await server.Api.StderrAsync(id)}");
        Assert.Equal("literal\n", await File.ReadAllTextAsync(Path.Combine(Out, name)));
        Assert.Empty(Directory.GetFiles(Shared, "pwned*", SearchOption.AllDirectories));
        Assert.Equal("/shared/out/" + name, job.Stdout);
    }

    [Fact]
    public async Task AFolderThatDoesNotExist_FailsTheJob_SayingWhyInTheJobDirectorysStderr()
    {
        var id = Id(await Godocker("submit", "--volume", "shared", "--stdout", "/shared/missing/%j.out", "--", "echo", "hi"));
        var job = await server.Api.WaitEndAsync(id);

        var logs = await Godocker("logs", "--stderr", $"{id}");

        Assert.Equal((JobState.Failed, 1), (job.State, job.ExitCode));
        Assert.Equal(0, logs.ExitCode);
        Assert.Contains($"/shared/missing/{id}.out", logs.Stdout.Split('\n')[0], StringComparison.Ordinal);
        Assert.EndsWith($"godocker: cannot open the --stdout file /shared/missing/{id}.out (above): the job did not run\n", logs.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Shared, "missing")));
    }

    [Theory]
    [InlineData("stdout", "read-only", "--volume", "shared:ro", "--stdout", "/shared/out/x.out")]
    [InlineData("stderr", "read-only", "--volume", "shared:ro", "--stderr", "/shared/out/x.err")]
    [InlineData("stdout", "not inside a volume", "--volume", "shared", "--stdout", "/tmp/x.out")]
    [InlineData("stderr", "not inside a volume", "--volume", "shared", "--stderr", "/etc/x.err")]
    [InlineData("stdout", "mounts no volume", "--stdout", "/shared/out/x.out")]
    [InlineData("stdout", "not a normalized path", "--volume", "shared", "--stdout", "/shared/out/../../etc/x")]
    [InlineData("stderr", "not a pattern", "--volume", "shared", "--stderr", "/shared/out/%N.err")]
    public async Task APathTheJobCouldNotWrite_IsRefused_NamingTheField(string field, string why, params string[] options)
    {
        var submit = await Godocker(["submit", .. options, "--", "echo", "hi"]);

        Assert.Equal(1, submit.ExitCode);
        Assert.Contains($"  {field}: ", submit.Stderr, StringComparison.Ordinal);
        Assert.Contains(why, submit.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Out));
    }
}
