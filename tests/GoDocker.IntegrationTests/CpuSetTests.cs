using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Cpus as real cpus (Jobs:CpuSets, on by default): a job asking for whole cpus on a Docker node sees exactly that many
/// (nproc, its cgroup's cpuset), disjoint from the other pinned jobs of the node, given back when it ends and known to a
/// restarted server from the engine; a fractional job keeps only its quota. The node offers the engine's 2 cpus; each
/// test starts with no job of its own running (they run one after another in this class).
/// </summary>
public sealed class CpuSetTests : IAsyncLifetime
{
    // What a job prints about its cpus: nproc (sched_getaffinity), the cpuset cgroup's list (cgroup v1, as the engine
    // of these tests), the cfs quota and period.
    private const string ShowCpus =
        "echo nproc=$(nproc); echo cpuset=$(cat /sys/fs/cgroup/cpuset/cpuset.cpus); "
        + "echo quota=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)/$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)";

    private ServerProcess server = null!;

    public async Task InitializeAsync() =>
        server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Executor:Docker:Cpus"] = "2" });

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task OneCpuJob_SeesOneCpu_AndKeepsItsQuota()
    {
        var job = await server.Api.SubmitAsync(new JobSpec { Script = ShowCpus, Cpus = 1 });

        var ended = await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(60));
        var seen = Parse(await server.Api.StdoutAsync(job.Id));

        Assert.Equal(JobState.Succeeded, ended.State);
        Assert.Equal("1", seen["nproc"]);
        Assert.Matches("^[01]$", seen["cpuset"]);
        Assert.Equal("100000/100000", seen["quota"]);
        // The timeline says where it ran.
        Assert.Contains(ended.Events!, e => e.Kind == "started" && e.Message.EndsWith($"on cpus {seen["cpuset"]}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoOneCpuJobs_HoldDifferentCpus_AndACpuIsTakenAgainAfterItsJobEnds()
    {
        var first = await StartHoldingAsync(1);
        var second = await StartHoldingAsync(1);
        try
        {
            Assert.Equal("1", first.Seen["nproc"]);
            Assert.Equal("1", second.Seen["nproc"]);
            Assert.Equal(["0", "1"], new[] { first.Seen["cpuset"], second.Seen["cpuset"] }.Order());

            // The first ends; its cpu is the only free one, so the next 1-cpu job gets it while the second still runs.
            await JobRelease.DropAsync(server, first.Id);
            Assert.Equal(JobState.Succeeded, (await server.Api.WaitEndAsync(first.Id, TimeSpan.FromSeconds(60))).State);
            var third = await server.Api.SubmitAsync(new JobSpec { Script = ShowCpus, Cpus = 1 });
            Assert.Equal(JobState.Succeeded, (await server.Api.WaitEndAsync(third.Id, TimeSpan.FromSeconds(60))).State);
            var thirdSeen = Parse(await server.Api.StdoutAsync(third.Id));

            Assert.Equal(JobState.Running, (await server.Api.GetAsync(second.Id)).State);
            Assert.Equal(first.Seen["cpuset"], thirdSeen["cpuset"]);
            Assert.Equal("1", thirdSeen["nproc"]);
        }
        finally
        {
            await JobRelease.DropAsync(server, first.Id);
            await JobRelease.DropAsync(server, second.Id);
        }
        await server.Api.WaitEndAsync(second.Id, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task TwoCpuJob_GetsBothCpusOfTheNode()
    {
        var job = await server.Api.SubmitAsync(new JobSpec { Script = ShowCpus, Cpus = 2 });

        Assert.Equal(JobState.Succeeded, (await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(60))).State);
        var seen = Parse(await server.Api.StdoutAsync(job.Id));

        Assert.Equal("2", seen["nproc"]);
        Assert.Equal("0-1", seen["cpuset"]);
        Assert.Equal("200000/100000", seen["quota"]);
    }

    [Fact]
    public async Task FractionalJob_KeepsOnlyItsQuota_OnEveryCpu_BesideAPinnedJob()
    {
        var pinned = await StartHoldingAsync(1);
        try
        {
            var job = await server.Api.SubmitAsync(new JobSpec { Script = ShowCpus, Cpus = 0.5 });
            var ended = await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(60));
            var seen = Parse(await server.Api.StdoutAsync(job.Id));

            Assert.Equal(JobState.Succeeded, ended.State);
            // Not confined to the cpu the pinned job does not hold: a share of time on any of the engine's cpus.
            Assert.Equal("2", seen["nproc"]);
            Assert.Equal("0-1", seen["cpuset"]);
            Assert.Equal("50000/100000", seen["quota"]);
            Assert.DoesNotContain(ended.Events!, e => e.Message.Contains("on cpus", StringComparison.Ordinal));
        }
        finally
        {
            await JobRelease.DropAsync(server, pinned.Id);
        }
        await server.Api.WaitEndAsync(pinned.Id, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task AfterAServerRestart_ANewJobDoesNotGetTheCpuOfAJobStillRunning()
    {
        var running = await StartHoldingAsync(1);
        try
        {
            await server.KillHardAsync();
            await server.StartAgainAsync();
            // Nothing of the first server's choice is left in memory: only the engine knows which cpu the job holds.
            var next = await server.Api.SubmitAsync(new JobSpec { Script = ShowCpus, Cpus = 1 });
            Assert.Equal(JobState.Succeeded, (await server.Api.WaitEndAsync(next.Id, TimeSpan.FromSeconds(60))).State);
            var seen = Parse(await server.Api.StdoutAsync(next.Id));

            Assert.Equal(JobState.Running, (await server.Api.GetAsync(running.Id)).State);
            Assert.Equal("1", seen["nproc"]);
            Assert.NotEqual(running.Seen["cpuset"], seen["cpuset"]);
        }
        finally
        {
            await JobRelease.DropAsync(server, running.Id);
        }
        Assert.Equal(JobState.Succeeded, (await server.Api.WaitEndAsync(running.Id, TimeSpan.FromSeconds(60))).State);
    }

    [Fact]
    public async Task WithCpuSetsOff_AWholeCpuJobKeepsOnlyItsQuota()
    {
        await server.DisposeAsync();
        server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Executor:Docker:Cpus"] = "2", ["Jobs:CpuSets"] = "false" });
        var job = await server.Api.SubmitAsync(new JobSpec { Script = ShowCpus, Cpus = 1 });

        Assert.Equal(JobState.Succeeded, (await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(60))).State);
        var seen = Parse(await server.Api.StdoutAsync(job.Id));

        Assert.Equal("2", seen["nproc"]);
        Assert.Equal("100000/100000", seen["quota"]);
    }

    [Fact]
    public async Task OnAnOvercommittedNode_TwoOneCpuJobsShareItsCpu_AndTheTimelineSaysSo()
    {
        // One cpu offered (so one id, 0, to pin to), placed twice over: the second job cannot have a cpu of its own.
        await server.DisposeAsync();
        server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Executor:Docker:Cpus"] = "1", ["Scheduler:CpuOvercommit"] = "2" });
        var first = await StartHoldingAsync(1);
        var second = await StartHoldingAsync(1);
        try
        {
            var firstView = await server.Api.GetAsync(first.Id);
            var secondView = await server.Api.GetAsync(second.Id);

            Assert.Equal("0", first.Seen["cpuset"]);
            Assert.Equal("0", second.Seen["cpuset"]);
            Assert.Contains(firstView.Events!, e => e.Kind == "started" && e.Message.EndsWith("on cpus 0", StringComparison.Ordinal));
            Assert.Contains(secondView.Events!, e => e.Kind == "started" && e.Message.Contains("on cpus 0 (shared with other jobs", StringComparison.Ordinal));
        }
        finally
        {
            await JobRelease.DropAsync(server, first.Id);
            await JobRelease.DropAsync(server, second.Id);
        }
        await server.Api.WaitEndAsync(first.Id, TimeSpan.FromSeconds(60));
        await server.Api.WaitEndAsync(second.Id, TimeSpan.FromSeconds(60));
    }

    /// <summary>A job of <paramref name="cpus"/> that prints its cpus, then runs until the test drops its release.</summary>
    private async Task<(long Id, Dictionary<string, string> Seen)> StartHoldingAsync(double cpus)
    {
        var job = await server.Api.SubmitAsync(new JobSpec { Script = $"{ShowCpus}; echo shown; {JobRelease.WaitFor()}", Cpus = cpus });
        await server.Api.WaitForAsync(job.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(60));
        var output = "";
        await Until.TrueAsync(async () => (output = await server.Api.StdoutAsync(job.Id)).Contains("shown\n", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), () => $"job {job.Id} printing its cpus (so far: {output})");
        return (job.Id, Parse(output));
    }

    private static Dictionary<string, string> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
}
