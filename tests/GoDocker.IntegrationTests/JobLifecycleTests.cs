using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>A job's whole life through the API, on the real engine: run, output, exit code, limits, end states.</summary>
public sealed class JobLifecycleTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private GoDockerApi Api => fixture.Api;

    [Fact]
    public async Task Script_Succeeds_AndItsOutputIsInTheJobDirectory()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "echo hello from $GODOCKER_JOB_ID\necho oops >&2", Tags = ["lifecycle"] });

        var done = await Api.WaitEndAsync(job.Id);

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal(0, done.ExitCode);
        Assert.Equal($"hello from {job.Id}\n", await Api.StdoutAsync(job.Id));
        Assert.Equal("oops\n", await Api.StderrAsync(job.Id));
        Assert.Equal(["submitted", "scheduled", "started", "succeeded"], done.Events!.Select(e => e.Kind));
        Assert.Contains("scheduled on node local", done.Events![1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_RunsAsArgv_WithoutShellInterpretation()
    {
        var job = await Api.SubmitAsync(new JobSpec { Command = ["echo", "a  b", "$HOME", "*"] });

        var done = await Api.WaitEndAsync(job.Id);

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("a  b $HOME *\n", await Api.StdoutAsync(job.Id));
    }

    [Fact]
    public async Task FailingExitCode_IsRecorded_AsFailed()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "echo before; exit 42" });

        var done = await Api.WaitEndAsync(job.Id);

        Assert.Equal(JobState.Failed, done.State);
        Assert.Equal(42, done.ExitCode);
        Assert.Equal("exit code 42", done.Reason);
        Assert.Equal("before\n", await Api.StdoutAsync(job.Id));
    }

    [Fact]
    public async Task Container_IsRemoved_WhenTheJobEnds()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "true" });
        await Api.WaitEndAsync(job.Id);

        await Until.TrueAsync(async () => (await DockerEngine.ContainersOfAsync(fixture.Server.InstanceId!, job.Id)).Count == 0, TimeSpan.FromSeconds(60),
            "the ended job's container removed");
    }

    [Fact]
    public async Task Environment_AndWorkingDirectory_AreSet()
    {
        var job = await Api.SubmitAsync(new JobSpec
        {
            Script = "echo \"$GREETING $GODOCKER_JOB_ID $GODOCKER_CPUS $(pwd)\"",
            Env = new Dictionary<string, string> { ["GREETING"] = "hi there" },
            Cpus = 0.5,
        });

        await Api.WaitEndAsync(job.Id);

        Assert.Equal($"hi there {job.Id} 0.5 /godocker/job\n", await Api.StdoutAsync(job.Id));
    }

    [Fact]
    public async Task CpuAndMemoryLimits_AreVisibleInTheContainersCgroup()
    {
        var job = await Api.SubmitAsync(new JobSpec
        {
            Script = """
                cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us
                cat /sys/fs/cgroup/memory/memory.limit_in_bytes
                cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes 2>/dev/null || echo no-swap-accounting
                cat /sys/fs/cgroup/pids/pids.max
                """,
            Cpus = 0.5,
            Memory = "48M",
        });

        var done = await Api.WaitEndAsync(job.Id);

        Assert.Equal(JobState.Succeeded, done.State);
        var lines = (await Api.StdoutAsync(job.Id)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("50000", lines[0]);
        Assert.Equal("100000", lines[1]);
        Assert.Equal((48L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), lines[2]);
        Assert.Contains(lines[3], new[] { (48L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), "no-swap-accounting" });
        Assert.Equal("4096", lines[4]);
    }

    [Fact]
    public async Task ExceedingMemory_FailsTheJob_OutOfMemory()
    {
        // dd allocates its 128 MiB block and fills it: the kernel kills it at the 32 MiB limit.
        var job = await Api.SubmitAsync(new JobSpec { Script = "dd if=/dev/zero of=/dev/null bs=128M count=1", Memory = "32M" });

        var done = await Api.WaitEndAsync(job.Id);

        Assert.Equal(JobState.Failed, done.State);
        Assert.StartsWith("out of memory", done.Reason, StringComparison.Ordinal);
        Assert.Equal(GoDocker.Execution.EndCause.OutOfMemory, done.EndCause);
        Assert.Equal(137, done.ExitCode);
    }

    [Fact]
    public async Task MissingImage_FailsAtOnce_WithAClearReason()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "true", Image = "godocker/not-built-here:1.0" });

        var done = await Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(15));

        Assert.Equal(JobState.Failed, done.State);
        Assert.Contains("image godocker/not-built-here:1.0 is not present on node local", done.Reason, StringComparison.Ordinal);
        Assert.Null(done.StartedAt);
    }

    [Fact]
    public async Task Walltime_EndsAJobThatRunsTooLong()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "sleep 60", Walltime = "2s" });

        var done = await Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(30));

        Assert.Equal(JobState.Failed, done.State);
        Assert.Equal("walltime exceeded (limit 00:00:02)", done.Reason);
        Assert.Equal(GoDocker.Execution.EndCause.Walltime, done.EndCause);
        Assert.True(done.EndedAt - done.StartedAt < TimeSpan.FromSeconds(15), "the job outlived its walltime by far");
    }

    [Fact]
    public async Task Container_IsHardened()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status" });

        await Api.WaitEndAsync(job.Id);

        var output = await Api.StdoutAsync(job.Id);
        Assert.Contains("CapEff:\t0000000000000000", output, StringComparison.Ordinal);
        Assert.Contains("NoNewPrivs:\t1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_FiltersByStateAndTag()
    {
        var tag = "list-" + Guid.NewGuid().ToString("N")[..8];
        var a = await Api.SubmitAsync(new JobSpec { Script = "true", Tags = [tag] });
        var b = await Api.SubmitAsync(new JobSpec { Script = "exit 1", Tags = [tag] });
        await Api.WaitEndAsync(a.Id);
        await Api.WaitEndAsync(b.Id);

        var tagged = await Api.ListAsync($"?tag={tag}");
        var failed = await Api.ListAsync($"?tag={tag}&state=Failed");
        var paged = await Api.ListAsync($"?tag={tag}&limit=1&offset=1");

        Assert.Equal([a.Id, b.Id], tagged.Items.Select(j => j.Id));
        Assert.Equal([b.Id], failed.Items.Select(j => j.Id));
        Assert.Equal(2, paged.Total);
        Assert.Equal([b.Id], paged.Items.Select(j => j.Id));
    }

    [Fact]
    public async Task WithoutAccounts_AServerRunningAsRoot_RunsJobsAsNobody_NeverAsRoot()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "id -u; id -g; echo $HOME" });
        var refusedRoot = await Api.PostRawAsync("/api/v1/jobs", """{"script": "id -u", "root": true}""");

        await Api.WaitEndAsync(job.Id);

        Assert.Equal("65534\n65534\n/godocker/job\n", await Api.StdoutAsync(job.Id));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refusedRoot.StatusCode);
    }
}
