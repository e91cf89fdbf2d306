using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Restart safety: SIGKILL the server with jobs pending, running, and finishing while it is down; start it
/// again on the same data directory. Nothing is lost, nothing runs twice, every end is recorded.
/// </summary>
public sealed class RestartTests : IAsyncLifetime
{
    private ServerProcess server = null!;

    public async Task InitializeAsync() =>
        // Two cpus offered, one per job: two run, the third waits.
        server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Executor:Docker:Cpus"] = "2" });

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task ServerKilledWithJobsInFlight_RecoversEveryJob_AndRunsNoneTwice()
    {
        var api = server.Api;
        // a and b wait for files the test drops: a's while no server watches, b's once the restarted server has recovered.
        var endsWhileDown = await api.SubmitAsync(new JobSpec { Script = $"echo run-a; {JobRelease.WaitFor()}; echo done-a", Cpus = 1 });
        var outlivesRestart = await api.SubmitAsync(new JobSpec { Script = $"echo run-b; {JobRelease.WaitFor()}; echo done-b", Cpus = 1 });
        var pending = await api.SubmitAsync(new JobSpec { Script = "echo run-c", Cpus = 1 });
        await api.WaitForAsync(endsWhileDown.Id, j => j.State == JobState.Running);
        await api.WaitForAsync(outlivesRestart.Id, j => j.State == JobState.Running);
        Assert.Equal(JobState.Pending, (await api.GetAsync(pending.Id)).State);

        await server.KillHardAsync();
        await JobRelease.DropAsync(server, endsWhileDown.Id);
        await Until.TrueAsync(async () => (await DockerEngine.ContainersOfAsync(server.InstanceId!, endsWhileDown.Id)) is [{ State: "exited" }],
            TimeSpan.FromSeconds(60), "job a's container ending while no server watches");
        await server.StartAgainAsync();
        api = server.Api;

        var a = await api.WaitEndAsync(endsWhileDown.Id, TimeSpan.FromSeconds(60));
        var c = await api.WaitEndAsync(pending.Id, TimeSpan.FromSeconds(60));
        // c ran on a's slot, so the recovery is done: b was re-attached, not recorded early.
        var bAfterRecovery = await api.GetAsync(outlivesRestart.Id);
        await JobRelease.DropAsync(server, outlivesRestart.Id);
        var b = await api.WaitEndAsync(outlivesRestart.Id, TimeSpan.FromSeconds(60));

        Assert.Equal(JobState.Running, bAfterRecovery.State);
        Assert.All([a, b, c], j => Assert.Equal(JobState.Succeeded, j.State));
        Assert.All([a, b, c], j => Assert.Equal(1, j.Attempt));
        Assert.All([a, b, c], j => Assert.Single(j.Events!, e => e.Kind == "started"));
        // Output appended by a second run would show twice.
        Assert.Equal("run-a\ndone-a\n", await api.StdoutAsync(a.Id));
        Assert.Equal("run-b\ndone-b\n", await api.StdoutAsync(b.Id));
        Assert.Equal("run-c\n", await api.StdoutAsync(c.Id));
        Assert.True(b.EndedAt > a.EndedAt);
        Assert.True(c.StartedAt >= a.EndedAt, "the pending job started before a slot was free");
        // Each container is removed right after its end is recorded.
        await Until.TrueAsync(async () => (await DockerEngine.ContainersOfAsync(server.InstanceId!)).Count == 0, TimeSpan.FromSeconds(60),
            "every container removed");
    }

    [Fact]
    public async Task ServerKilledRightAfterSubmit_StillRunsThePendingJob()
    {
        var api = server.Api;
        var tag = "burst-" + Guid.NewGuid().ToString("N")[..8];
        var jobs = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            jobs.Add((await api.SubmitAsync(new JobSpec { Script = $"echo {i}", Tags = [tag], Cpus = 0.5 })).Id);
        }
        await server.KillHardAsync();
        await server.StartAgainAsync();

        foreach (var id in jobs)
        {
            var done = await server.Api.WaitEndAsync(id, TimeSpan.FromSeconds(60));
            Assert.Equal(JobState.Succeeded, done.State);
            Assert.Single(done.Events!, e => e.Kind == "started");
        }
        Assert.Equal(10, (await server.Api.ListAsync($"?tag={tag}")).Total);
    }
}
