using System.Globalization;
using Docker.DotNet.Models;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Someone acts on a job's container behind GoDocker's back (docker restart, rm -f, stop, kill, pause) on the
/// real engine: the record says what happened, never a plain exit it did not see through.
/// </summary>
public sealed class OutsideInterferenceTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private GoDockerApi Api => fixture.Api;

    [Fact]
    public async Task DockerRestart_EndsTheJobFailed_NeverTheRerunsExitZero()
    {
        // Each run leaves a line: the first waits for the restart, the second (the command run again) exits 0 at once.
        var (job, container) = await RunningAsync("echo run >> \"$GODOCKER_JOB_DIR/runs\"; [ $(wc -l < \"$GODOCKER_JOB_DIR/runs\") -ge 2 ] || sleep 300");
        var runs = Path.Combine(fixture.Server.DataDir, "jobs", job.Id.ToString(CultureInfo.InvariantCulture), "runs");
        await Until.TrueAsync(() => Task.FromResult(File.Exists(runs) && new FileInfo(runs).Length > 0), TimeSpan.FromSeconds(60), "the first run's line");

        await DockerEngine.Client.Containers.RestartContainerAsync(container, new ContainerRestartParameters { WaitBeforeKillSeconds = 1 });
        var ended = await Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(60));
        var json = await Api.Http.GetStringAsync($"/api/v1/jobs/{job.Id}");

        // docker restart is a stop, then a start, and which of them the server sees first depends on timing: the stop's
        // end before the engine starts the container again (recorded as such, and the container removed, so the command
        // may or may not run again) or the second run already started (the command ran twice). Either way the rerun's
        // exit 0 is never taken for the job's.
        Assert.Equal(JobState.Failed, ended.State);
        Assert.Matches("\"endCause\":\"(RestartedOutside|StoppedOutside|KilledOutside)\"", json);
        Assert.StartsWith("run\n", await File.ReadAllTextAsync(runs), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerRestart_WhileNoServerWatches_IsSeenAtRecovery_TheCommandRanTwice()
    {
        // The same restart, deterministic: the server is down while the container is stopped and started again and
        // its second run exits 0; the recovery finds a start later than the one recorded.
        var (job, container) = await RunningAsync("echo run >> \"$GODOCKER_JOB_DIR/runs\"; [ $(wc -l < \"$GODOCKER_JOB_DIR/runs\") -ge 2 ] || sleep 300");
        var runs = Path.Combine(fixture.Server.DataDir, "jobs", job.Id.ToString(CultureInfo.InvariantCulture), "runs");
        await Until.TrueAsync(() => Task.FromResult(File.Exists(runs) && new FileInfo(runs).Length > 0), TimeSpan.FromSeconds(60), "the first run's line");

        await fixture.Server.KillHardAsync();
        await DockerEngine.Client.Containers.RestartContainerAsync(container, new ContainerRestartParameters { WaitBeforeKillSeconds = 1 });
        await Until.TrueAsync(async () => (await DockerEngine.Client.Containers.InspectContainerAsync(container)).State?.Status == "exited",
            TimeSpan.FromSeconds(60), "the second run to exit");
        await fixture.Server.StartAgainAsync();
        var ended = await Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(60));

        Assert.Equal("run\nrun\n", await File.ReadAllTextAsync(runs));
        Assert.Equal(JobState.Failed, ended.State);
        Assert.StartsWith("container restarted outside GoDocker", ended.Reason, StringComparison.Ordinal);
        Assert.Contains("\"endCause\":\"RestartedOutside\"", await Api.Http.GetStringAsync($"/api/v1/jobs/{job.Id}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerRmForce_EndsTheJobFailed_Removed()
    {
        var (job, container) = await RunningAsync("sleep 300");

        await DockerEngine.Client.Containers.RemoveContainerAsync(container, new ContainerRemoveParameters { Force = true });
        var ended = await Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(60));

        Assert.Equal(JobState.Failed, ended.State);
        Assert.StartsWith("container removed outside GoDocker", ended.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerStop_EndsTheJobFailed_StoppedOutside()
    {
        var (job, container) = await RunningAsync("sleep 300");

        await DockerEngine.Client.Containers.StopContainerAsync(container, new ContainerStopParameters { WaitBeforeKillSeconds = 5 });
        var ended = await Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(60));

        Assert.Equal(JobState.Failed, ended.State);
        Assert.StartsWith("container stopped outside GoDocker", ended.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerKill_EndsTheJobFailed_KilledOutside_WithTheSignal()
    {
        // The job traps TERM and exits 0 on it: only the engine's events tell that someone signalled it.
        var (job, container) = await RunningAsync("trap 'exit 0' TERM\nwhile true; do sleep 0.1; done");

        await DockerEngine.Client.Containers.KillContainerAsync(container, new ContainerKillParameters { Signal = "TERM" });
        var ended = await Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(60));

        Assert.Equal(JobState.Failed, ended.State);
        Assert.StartsWith("container killed outside GoDocker (signal 15)", ended.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerPause_ShowsOnTheJob_AndGoDockersOwnSuspendDoesNot()
    {
        var (job, container) = await RunningAsync("sleep 300");
        await PostAsync($"/api/v1/jobs/{job.Id}/suspend");
        await PostAsync($"/api/v1/jobs/{job.Id}/resume");

        await DockerEngine.Client.Containers.PauseContainerAsync(container);
        var paused = await Api.WaitForAsync(job.Id, j => j.Events!.Any(e => e.Kind == "paused-outside"), TimeSpan.FromSeconds(20));
        await DockerEngine.Client.Containers.UnpauseContainerAsync(container);
        var unpaused = await Api.WaitForAsync(job.Id, j => j.Events!.Any(e => e.Kind == "unpaused-outside"), TimeSpan.FromSeconds(20));
        await Api.KillAsync(job.Id);

        Assert.Equal(JobState.Running, paused.State);
        Assert.Contains(paused.Events!, e => e.Message.StartsWith("container paused outside GoDocker", StringComparison.Ordinal));
        Assert.Single(unpaused.Events!, e => e.Kind == "paused-outside");
        Assert.Single(unpaused.Events!, e => e.Kind == "unpaused-outside");
        Assert.Contains(unpaused.Events!, e => e.Kind == "suspended");
        Assert.Contains(unpaused.Events!, e => e.Kind == "resumed");
    }

    [Fact]
    public async Task SuspendRacingAKill_AnswersTheFriendlyConflict()
    {
        // A kill recorded while the suspend waits for the engine's pause makes the suspend's record stale. Bounded:
        // the kill is sent a little later each round until it lands in that window.
        string? friendly = null;
        var answers = new List<string>();
        for (var round = 0; round < 12 && friendly is null; round++)
        {
            var (job, _) = await RunningAsync("sleep 300");
            var suspend = Api.Http.PostAsync($"/api/v1/jobs/{job.Id}/suspend", null);
            await Task.Delay(TimeSpan.FromMilliseconds(round * 4));
            await Api.KillAsync(job.Id);
            using var answer = await suspend;
            var body = await answer.Content.ReadAsStringAsync();
            answers.Add($"{(int)answer.StatusCode} {body}");
            if (answer.StatusCode == System.Net.HttpStatusCode.Conflict && body.Contains("changed meanwhile", StringComparison.Ordinal))
            {
                friendly = body;
            }
            await Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(30));
        }

        Assert.DoesNotContain(answers, a => a.Contains("is stale", StringComparison.Ordinal));
        Assert.True(friendly is not null, "no round hit the race:\n" + string.Join('\n', answers));
    }

    private async Task<(GoDocker.Contracts.JobView Job, string Container)> RunningAsync(string script)
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = script });
        await Api.WaitForAsync(job.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(30));
        var container = (await DockerEngine.ContainersOfAsync(fixture.Server.InstanceId!, job.Id)).Single();
        return (job, container.ID);
    }

    private async Task PostAsync(string path)
    {
        using var answer = await Api.Http.PostAsync(path, null);
        Assert.True(answer.IsSuccessStatusCode, $"{path}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }
}
