using System.Net;
using System.Net.Http.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>A server with the fair-share order, for the scheduling features of the API.</summary>
public sealed class FairShareServerFixture : ServerFixture
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string> { ["Scheduler:Policy"] = "fairshare" };
}

/// <summary>Arrays, dependencies, holds, suspend/resume, requeue, priority, quotas and usage, through the HTTP API against the real engine.</summary>
public sealed class SchedulingApiTests(FairShareServerFixture fixture) : IClassFixture<FairShareServerFixture>
{
    private GoDockerApi Api => fixture.Api;

    [Fact]
    public async Task Array_RunsEveryTask_WithItsIndex_NeverMoreAtOnceThanItsLimit()
    {
        var first = await Api.SubmitAsync(new JobSpec
        {
            Script = "echo task=$GODOCKER_TASK_ID first=$GODOCKER_TASK_FIRST last=$GODOCKER_TASK_LAST step=$GODOCKER_TASK_STEP count=$GODOCKER_TASK_COUNT array=$GODOCKER_ARRAY_JOB_ID; sleep 1",
            Array = "1-5:2%1",
        });

        var array = await WaitArrayEndedAsync(first.Id);

        Assert.Equal(3, array.Tasks);
        Assert.Equal(new Dictionary<string, int> { ["Succeeded"] = 3 }, array.ByState);
        foreach (var task in array.Items)
        {
            Assert.Equal(first.Id, task.ArrayId);
            Assert.Equal($"task={task.TaskId} first=1 last=5 step=2 count=3 array={first.Id}\n", await Api.StdoutAsync(task.Id));
        }
        Assert.Equal([1, 3, 5], array.Items.Select(t => t.TaskId!.Value).Order());
        // %1: no two tasks ever ran at the same time.
        var runs = array.Items.Select(t => (Start: t.StartedAt!.Value, End: t.EndedAt!.Value)).OrderBy(r => r.Start).ToList();
        for (var i = 1; i < runs.Count; i++)
        {
            Assert.True(runs[i].Start >= runs[i - 1].End, $"task runs overlap: {runs[i - 1]} and {runs[i]}");
        }
    }

    [Fact]
    public async Task AfterOk_StartsOnlyOnceTheOtherSucceeded_AfterNotOkOnASuccess_IsRejected()
    {
        var first = await Api.SubmitAsync(new JobSpec { Script = "sleep 2" });
        var next = await Api.SubmitAsync(new JobSpec { Command = ["true"], Dependency = $"afterok:{first.Id}" });
        var never = await Api.SubmitAsync(new JobSpec { Command = ["true"], Dependency = $"afternotok:{first.Id}" });

        var waiting = await Api.WaitForAsync(next.Id, j => j.Reason?.StartsWith("dependency", StringComparison.Ordinal) == true);
        Assert.StartsWith($"dependency afterok:{first.Id} not satisfied yet (job {first.Id} is ", waiting.Reason, StringComparison.Ordinal);
        var firstDone = await Api.WaitEndAsync(first.Id);
        var nextDone = await Api.WaitEndAsync(next.Id);
        var neverDone = await Api.WaitEndAsync(never.Id);

        Assert.Equal(JobState.Succeeded, nextDone.State);
        Assert.True(nextDone.StartedAt >= firstDone.EndedAt, $"started {nextDone.StartedAt}, before its dependency ended {firstDone.EndedAt}");
        Assert.Equal(JobState.Rejected, neverDone.State);
        Assert.Equal($"dependency never satisfied: afternotok:{first.Id} (job {first.Id} ended Succeeded)", neverDone.Reason);
        Assert.Null(neverDone.StartedAt);
    }

    [Fact]
    public async Task Dependency_OnAJobThatDoesNotExist_IsRefusedAtSubmit()
    {
        using var response = await Api.PostRawAsync("/api/v1/jobs", """{"command":["true"],"dependency":"afterok:99999999"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"dependency\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"command":["true"],"gpus":1}""", "gpus")]
    [InlineData("""{"command":["true"],"gpus":-1}""", "gpus")]
    [InlineData("""{"command":["true"],"constraints":["disk=ssd"]}""", "constraints")]
    [InlineData("""{"command":["true"],"array":"5-1"}""", "array")]
    [InlineData("""{"command":["true"],"dependency":"after:1"}""", "dependency")]
    public async Task BadSchedulingFields_AreRefused_NamingTheField(string body, string field)
    {
        using var response = await Api.PostRawAsync("/api/v1/jobs", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConstraintNoNodeMeets_KeepsTheJobPending_SayingWhy()
    {
        var job = await Api.SubmitAsync(new JobSpec { Command = ["true"], Constraints = ["disk==ssd"] });

        var waiting = await Api.WaitForAsync(job.Id, j => j.Reason?.Contains("disk==ssd", StringComparison.Ordinal) == true);

        Assert.Equal(JobState.Pending, waiting.State);
        Assert.Contains("does not meet disk==ssd", waiting.Reason, StringComparison.Ordinal);
        await Api.KillAsync(job.Id);
    }

    [Fact]
    public async Task Hold_KeepsTheJobPending_UntilReleased()
    {
        var job = await Api.SubmitAsync(new JobSpec { Command = ["true"], Hold = true });
        Assert.Equal("user", job.HeldBy);

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var held = await Api.GetAsync(job.Id);
        Assert.Equal(JobState.Pending, held.State);
        Assert.StartsWith("held by user", held.Reason, StringComparison.Ordinal);

        var released = await PostJobAsync($"/api/v1/jobs/{job.Id}/release", HttpStatusCode.OK);
        Assert.Null(released.HeldBy);
        Assert.Equal(JobState.Succeeded, (await Api.WaitEndAsync(job.Id)).State);
        using var again = await Api.PostRawAsync($"/api/v1/jobs/{job.Id}/hold", "");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Suspend_FreezesTheContainer_Resume_ThawsIt()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "while true; do date +%s%N >> ticks; sleep 0.1; done" });
        await Api.WaitForAsync(job.Id, j => j.State == JobState.Running);

        var suspended = await PostJobAsync($"/api/v1/jobs/{job.Id}/suspend", HttpStatusCode.OK);
        var container = await DockerEngine.Client.Containers.InspectContainerAsync((await DockerEngine.ContainersOfAsync(fixture.Server.InstanceId!, job.Id))[0].ID);
        var resumed = await PostJobAsync($"/api/v1/jobs/{job.Id}/resume", HttpStatusCode.OK);
        var after = await DockerEngine.Client.Containers.InspectContainerAsync(container.ID);

        Assert.Equal(JobState.Suspended, suspended.State);
        Assert.True(container.State!.Paused, "the container is not paused while the job is suspended");
        Assert.Equal(JobState.Running, resumed.State);
        Assert.False(after.State!.Paused);
        var done = await Api.GetAsync(job.Id);
        Assert.Contains(done.Events!, e => e.Kind == "suspended");
        Assert.Contains(done.Events!, e => e.Kind == "resumed");
        using var notSuspended = await Api.PostRawAsync($"/api/v1/jobs/{job.Id}/resume", "");
        Assert.Equal(HttpStatusCode.Conflict, notSuspended.StatusCode);
        await Api.KillAsync(job.Id);
        Assert.Equal(JobState.Killed, (await Api.WaitEndAsync(job.Id)).State);
    }

    [Fact]
    public async Task Requeue_StopsTheRun_AndRunsItAgain_KeepingHistory_AndChargingUsage()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "echo run $GODOCKER_ATTEMPT; sleep 300" });
        await Api.WaitForAsync(job.Id, j => j.State == JobState.Running);

        using (var response = await Api.PostRawAsync($"/api/v1/jobs/{job.Id}/requeue", ""))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        var second = await Api.WaitForAsync(job.Id, j => j.State == JobState.Running && j.Attempt == 2, TimeSpan.FromSeconds(30));

        Assert.Equal(["submitted", "scheduled", "started", "stop-requested", "requeued", "scheduled", "started"], second.Events!.Select(e => e.Kind));
        var usage = await Api.Http.GetFromJsonAsync($"/api/v1/usage?user={job.Owner}", GoDockerJson.Default.IReadOnlyListAccountUsageView);
        var mine = Assert.Single(usage!);
        Assert.True(mine.DecayedCpuHours > 0, "the first run was not charged to the user");
        Assert.Equal(1, mine.RunningJobs);
        await Api.KillAsync(job.Id);
        await Api.WaitEndAsync(job.Id);
    }

    [Fact]
    public async Task Priority_ShowsTheFairShareFactors_OfAPendingJob()
    {
        var job = await Api.SubmitAsync(new JobSpec { Command = ["true"], Hold = true });

        var priority = await Api.Http.GetFromJsonAsync($"/api/v1/jobs/{job.Id}/priority", GoDockerJson.Default.PriorityView);

        Assert.Equal("fairshare", priority!.Policy);
        Assert.Equal(["age", "fairshare-user", "fairshare-project", "jobsize", "user", "project", "adjustment"], priority.Factors.Select(f => f.Name));
        Assert.Equal(priority.Priority, priority.Factors.Sum(f => f.Contribution), 6);
        Assert.InRange(priority.Position, 1, priority.Pending);
        await Api.KillAsync(job.Id);
    }

    [Fact]
    public async Task ARunningJobsQuota_KeepsTheNextJobPending_WithTheQuotaAsReason()
    {
        var first = await Api.SubmitAsync(new JobSpec { Script = "sleep 300" });
        var login = first.Owner;
        try
        {
            using (var set = await Api.Http.PutAsJsonAsync($"/api/v1/limits/user/{login}", new AccountLimitsView { MaxRunningJobs = 1 }, GoDockerJson.Default.AccountLimitsView))
            {
                Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            }
            await Api.WaitForAsync(first.Id, j => j.State == JobState.Running);
            var second = await Api.SubmitAsync(new JobSpec { Command = ["true"] });

            var waiting = await Api.WaitForAsync(second.Id, j => j.Reason?.StartsWith("user quota", StringComparison.Ordinal) == true);
            Assert.Equal("user quota: 1/1 jobs running", waiting.Reason);
            await Api.KillAsync(first.Id);
            Assert.Equal(JobState.Succeeded, (await Api.WaitEndAsync(second.Id)).State);
        }
        finally
        {
            await Api.Http.PutAsJsonAsync($"/api/v1/limits/user/{login}", new AccountLimitsView(), GoDockerJson.Default.AccountLimitsView);
            await Api.KillAsync(first.Id);
        }
    }

    [Fact]
    public async Task Limits_RefuseBadValues_NamingTheField()
    {
        using var response = await Api.Http.PutAsJsonAsync("/api/v1/limits/user/someone", new AccountLimitsView { MaxMemory = "lots", MaxCpus = -1 }, GoDockerJson.Default.AccountLimitsView);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"maxMemory\"", body, StringComparison.Ordinal);
        Assert.Contains("\"maxCpus\"", body, StringComparison.Ordinal);
        Assert.Empty((await Api.Http.GetFromJsonAsync("/api/v1/limits?kind=user&name=someone", GoDockerJson.Default.IReadOnlyListAccountLimitsView))!);
    }

    private async Task<JobView> PostJobAsync(string path, HttpStatusCode expected)
    {
        using var response = await Api.PostRawAsync(path, "");
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
    }

    private async Task<ArrayView> WaitArrayEndedAsync(long id)
    {
        ArrayView? array = null;
        await Until.TrueAsync(async () => (array = (await Api.Http.GetFromJsonAsync($"/api/v1/arrays/{id}", GoDockerJson.Default.ArrayView))!).Items.All(t => t.State.IsTerminal()),
            TimeSpan.FromMinutes(3), () => $"array {id} ending: {string.Join(", ", array?.Items.Select(t => t.State) ?? [])}");
        return array!;
    }
}
