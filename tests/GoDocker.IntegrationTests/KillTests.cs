using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>Kill: SIGTERM, then SIGKILL after the grace period (3 s in tests); the job ends Killed.</summary>
public sealed class KillTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private GoDockerApi Api => fixture.Api;

    [Fact]
    public async Task Kill_StopsTheContainer_AndRecordsKilled()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "echo started; sleep 300" });
        await Api.WaitForAsync(job.Id, j => j.State == JobState.Running);
        await WaitForOutputAsync(job.Id, "started");

        var killed = await Api.KillAsync(job.Id);
        var done = await Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(60));

        Assert.NotNull(killed.StopRequested);
        Assert.Equal(JobState.Killed, done.State);
        Assert.StartsWith("killed by ", done.Reason, StringComparison.Ordinal);
        Assert.Contains(done.Events!, e => e.Kind == "stop-requested");
        Assert.Equal("killed", done.Events![^1].Kind);
        // The shell died of the SIGTERM (128 + 15), not of the SIGKILL the grace period ends with (137).
        Assert.Equal(143, done.ExitCode);
        await Until.TrueAsync(async () => (await DockerEngine.ContainersOfAsync(fixture.Server.InstanceId!, job.Id)).Count == 0,
            TimeSpan.FromSeconds(60), "the killed job's container removed");
    }

    [Fact]
    public async Task Kill_SendsSigtermFirst_ThenSigkillAfterTheGracePeriod()
    {
        // The job traps TERM (says so) and keeps running: only SIGKILL, 3 s later, ends it.
        var job = await Api.SubmitAsync(new JobSpec
        {
            Script = "trap 'echo got TERM' TERM\necho ready\nwhile true; do sleep 0.1; done",
        });
        await Api.WaitForAsync(job.Id, j => j.State == JobState.Running);
        await WaitForOutputAsync(job.Id, "ready");

        var before = DateTimeOffset.UtcNow;
        await Api.KillAsync(job.Id);
        var done = await Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(60));

        Assert.Equal(JobState.Killed, done.State);
        Assert.Contains("got TERM", await Api.StdoutAsync(job.Id), StringComparison.Ordinal);
        Assert.True(done.EndedAt - before >= TimeSpan.FromSeconds(2.5), $"ended {done.EndedAt - before} after the kill: SIGKILL came before the grace period");
        Assert.Equal(137, done.ExitCode);
    }

    [Fact]
    public async Task Kill_OfAPendingJob_EndsItWithoutRunning()
    {
        // 64 cpus fit no node of this machine... but are refused at submit; so fill the queue instead:
        // a job asking for all cpus waits behind a running one.
        var health = await Api.HealthAsync();
        var blocker = await Api.SubmitAsync(new JobSpec { Script = "sleep 300", Cpus = health.Nodes[0].Cpus });
        await Api.WaitForAsync(blocker.Id, j => j.State == JobState.Running);
        var waiting = await Api.SubmitAsync(new JobSpec { Script = "echo should never run", Cpus = health.Nodes[0].Cpus });
        await Api.WaitForAsync(waiting.Id, j => j.Reason?.StartsWith("waiting for", StringComparison.Ordinal) == true);

        await Api.KillAsync(waiting.Id);
        var done = await Api.GetAsync(waiting.Id);
        await Api.KillAsync(blocker.Id);
        await Api.WaitEndAsync(blocker.Id, TimeSpan.FromSeconds(20));

        Assert.Equal(JobState.Killed, done.State);
        Assert.Null(done.StartedAt);
        Assert.Equal(0, done.Attempt);
        Assert.Equal(JobState.Killed, (await Api.GetAsync(waiting.Id)).State);
    }

    [Fact]
    public async Task Kill_OfAnEndedJob_ChangesNothing()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "true" });
        var done = await Api.WaitEndAsync(job.Id);

        var after = await Api.KillAsync(job.Id);

        Assert.Equal(JobState.Succeeded, after.State);
        Assert.Equal(done.Events!.Count, (await Api.GetAsync(job.Id)).Events!.Count);
    }

    private Task WaitForOutputAsync(long id, string text) =>
        Until.TrueAsync(async () => (await Api.StdoutAsync(id)).Contains(text, StringComparison.Ordinal), TimeSpan.FromSeconds(60), $"job {id} printing '{text}'");
}
