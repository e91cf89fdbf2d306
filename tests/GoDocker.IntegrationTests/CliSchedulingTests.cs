using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// The `godocker` client's scheduling commands (the published NativeAOT binary under `godocker.sh test`) against a
/// real server with the fair-share policy and the real Docker engine: arrays, dependencies, hold and release,
/// suspend and resume, requeue, priority, quotas and usage. Tests of one class run one at a time, so each leaves
/// nothing running behind it (the quota test counts running jobs).
/// </summary>
public sealed class CliSchedulingTests(CliSchedulingTests.FairShareServer fixture) : IClassFixture<CliSchedulingTests.FairShareServer>, IDisposable
{
    /// <summary>The login every request acts as (no authentication: the server's local user, an admin).</summary>
    public const string User = "cli-sched";

    public sealed class FairShareServer : ServerFixture
    {
        protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
        {
            ["Scheduler:Policy"] = "fairshare",
            ["Server:LocalUser"] = User,
        };
    }

    private readonly string workDir = Directory.CreateTempSubdirectory("godocker-cli-sched-").FullName;

    public void Dispose() => Directory.Delete(workDir, recursive: true);

    private Task<Cli.Result> Godocker(params string[] args) => Cli.RunAsync(fixture.Server.BaseUrl, workDir, args);

    private async Task<long> SubmitAsync(params string[] args)
    {
        var submit = await Godocker(["submit", .. args]);
        Assert.True(submit.ExitCode == 0, $"submit {string.Join(' ', args)}: exit {submit.ExitCode}: {submit.Stderr}");
        return long.Parse(submit.Stdout.Trim(), CultureInfo.InvariantCulture);
    }

    private static string Text(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A "Label: value" line of `godocker show`, whatever the padding the longest label of that job gives.</summary>
    private static void AssertField(string show, string label, string value) =>
        Assert.Matches(new Regex($"(?m)^{Regex.Escape(label)}: +{Regex.Escape(value)}$"), show);

    private async Task<ArrayView> WaitArrayEndAsync(long arrayId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var json = await Godocker("array", Text(arrayId), "-o", "json");
            Assert.True(json.ExitCode == 0, json.Stderr);
            var array = JsonSerializer.Deserialize(json.Stdout, GoDockerJson.Default.ArrayView)!;
            if (array.Items.All(t => t.State.IsTerminal()))
            {
                return array;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"array {arrayId} still has unfinished tasks: {string.Join(", ", array.ByState.Select(s => $"{s.Value} {s.Key}"))}");
            }
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task SubmitArray_WithALimit_RunsEveryTask_AtMostNAtOnce_EachWithItsTaskId()
    {
        var arrayId = await SubmitAsync("--array", "1-4%2", "-J", "sweep", "--", "sh", "-c", "echo task $GODOCKER_TASK_ID; sleep 1");

        var array = await WaitArrayEndAsync(arrayId);
        var table = await Godocker("array", Text(arrayId));
        var listing = await Godocker("jobs", "--array", Text(arrayId), "--all");

        Assert.Equal(arrayId, array.ArrayId);
        Assert.Equal(4, array.Tasks);
        Assert.All(array.Items, t => Assert.Equal(JobState.Succeeded, t.State));
        Assert.Equal(new[] { 1, 2, 3, 4 }, array.Items.Select(t => t.TaskId!.Value).Order().ToArray());
        Assert.Contains($"array {arrayId} (sweep, {User}): 4 tasks: 4 Succeeded", table.Stdout, StringComparison.Ordinal);
        foreach (var task in array.Items)
        {
            var logs = await Godocker("logs", Text(task.Id));
            Assert.Equal($"task {task.TaskId}\n", logs.Stdout);
            Assert.Contains($"{arrayId}_{task.TaskId}", listing.Stdout, StringComparison.Ordinal);
        }
        // %2: no moment saw more than two tasks running.
        foreach (var task in array.Items)
        {
            var at = task.StartedAt!.Value;
            Assert.True(array.Items.Count(t => t.StartedAt <= at && at < t.EndedAt) <= 2, $"more than 2 tasks running at {at:O}");
        }
    }

    [Fact]
    public async Task KillArray_StopsEveryUnfinishedTask()
    {
        var arrayId = await SubmitAsync("-a", "1-3", "--", "sleep", "300");
        await fixture.Api.WaitForAsync(arrayId, j => j.State == JobState.Running);

        var kill = await Godocker("kill", "--array", Text(arrayId));
        var array = await WaitArrayEndAsync(arrayId);

        Assert.Equal(0, kill.ExitCode);
        Assert.StartsWith($"array {arrayId} ", kill.Stdout, StringComparison.Ordinal);
        Assert.All(array.Items, t => Assert.Equal(JobState.Killed, t.State));
    }

    [Fact]
    public async Task Dependency_AfterOkChain_RunsInOrder_AndAfterNotOkOnASuccess_IsRejected()
    {
        var first = await SubmitAsync("--", "sh", "-c", "sleep 2");
        var second = await SubmitAsync("--dependency", $"afterok:{first}", "--", "sh", "-c", "sleep 1");
        // The third takes its dependency from its script's #GODOCKER line.
        var script = Path.Combine(workDir, "third.sh");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\n#GODOCKER -d afterok:{second}\ntrue\n");
        var third = await SubmitAsync(script);
        var never = await SubmitAsync("-d", $"afternotok:{first}", "--", "true");

        var wait = await Godocker("wait", Text(third));
        var a = await fixture.Api.GetAsync(first);
        var b = await fixture.Api.GetAsync(second);
        var c = await fixture.Api.GetAsync(third);
        var rejected = await fixture.Api.WaitEndAsync(never);
        var show = await Godocker("show", Text(second));

        Assert.Equal(0, wait.ExitCode);
        Assert.All((JobView[])[a, b, c], j => Assert.Equal(JobState.Succeeded, j.State));
        Assert.True(a.EndedAt <= b.StartedAt, $"second started {b.StartedAt:O} before first ended {a.EndedAt:O}");
        Assert.True(b.EndedAt <= c.StartedAt, $"third started {c.StartedAt:O} before second ended {b.EndedAt:O}");
        Assert.Equal(JobState.Rejected, rejected.State);
        Assert.Contains("dependency never satisfied", rejected.Reason, StringComparison.Ordinal);
        AssertField(show.Stdout, "Dependency", $"afterok:{first}");
    }

    [Fact]
    public async Task Hold_KeepsAJobPending_UntilReleased()
    {
        var id = await SubmitAsync("--hold", "--", "true");
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // two scheduling cycles

        var held = await fixture.Api.GetAsync(id);
        var show = await Godocker("show", Text(id));
        var pending = await Godocker("jobs", "--pending");
        var release = await Godocker("release", Text(id));
        var wait = await Godocker("wait", Text(id));
        var hold = await Godocker("hold", Text(id));

        Assert.Equal(JobState.Pending, held.State);
        Assert.Equal("user", held.HeldBy);
        AssertField(show.Stdout, "Held by", "user");
        Assert.Contains("EXPECTED START", pending.Stdout, StringComparison.Ordinal);
        Assert.Contains("held by user", pending.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, release.ExitCode);
        Assert.Equal($"{id} Pending\n", release.Stdout);
        Assert.Equal(0, wait.ExitCode);
        // An ended job cannot be held: one line naming it, exit 1.
        Assert.Equal(1, hold.ExitCode);
        Assert.Contains($"job {id}", hold.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuspendResume_FreezesARunningJob_ThenLetsItFinish()
    {
        // The job ends once it sees a file the test drops only while it is suspended: it can end only when thawed.
        var id = await SubmitAsync("--", "sh", "-c", $"{JobRelease.WaitFor("go")}; echo done");
        await fixture.Api.WaitForAsync(id, j => j.State == JobState.Running);

        var suspend = await Godocker("suspend", Text(id));
        var container = Assert.Single(await DockerEngine.ContainersOfAsync(fixture.Server.InstanceId!, id));
        await JobRelease.DropAsync(fixture.Server, id, "go");
        await Task.Delay(TimeSpan.FromSeconds(3)); // several of its polls for the file: frozen, it sees none of them
        var stillSuspended = await fixture.Api.GetAsync(id);
        var outputWhileSuspended = await fixture.Api.StdoutAsync(id);
        var resume = await Godocker("resume", Text(id));
        var wait = await Godocker("wait", Text(id));

        Assert.Equal($"{id} Suspended\n", suspend.Stdout);
        Assert.Equal("paused", container.State);
        Assert.Equal(JobState.Suspended, stillSuspended.State);
        Assert.Equal("", outputWhileSuspended);
        Assert.Equal($"{id} Running\n", resume.Stdout);
        Assert.Equal(0, wait.ExitCode);
        Assert.Equal("done\n", await fixture.Api.StdoutAsync(id));
    }

    [Fact]
    public async Task Requeue_StopsARunningJob_AndRunsItAgainAsAttemptTwo()
    {
        var id = await SubmitAsync("--", "sh", "-c", "echo attempt $GODOCKER_ATTEMPT; [ \"$GODOCKER_ATTEMPT\" = 1 ] && exec sleep 300; true");
        await fixture.Api.WaitForAsync(id, j => j.State == JobState.Running);

        var requeue = await Godocker("requeue", Text(id));
        var wait = await Godocker("wait", Text(id));
        var show = await Godocker("show", Text(id));

        Assert.Equal(0, requeue.ExitCode);
        Assert.Contains("requeued by", requeue.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, wait.ExitCode);
        Assert.Equal(2, (await fixture.Api.GetAsync(id)).Attempt);
        AssertField(show.Stdout, "Attempt", "2");
        Assert.Contains("attempt 2", await fixture.Api.StdoutAsync(id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Priority_ShowsTheFairShareFactors_AndAnAdminAdjustment()
    {
        var id = await SubmitAsync("-H", "--", "true");
        try
        {
            var table = await Godocker("priority", Text(id));
            var json = await Godocker("priority", Text(id), "-o", "json");
            var set = await Godocker("priority", Text(id), "--set", "100");
            var show = await Godocker("show", Text(id));

            Assert.True(table.ExitCode == 0, table.Stderr);
            Assert.Contains($"Job {id}: priority ", table.Stdout, StringComparison.Ordinal);
            Assert.Contains("(fairshare), position ", table.Stdout, StringComparison.Ordinal);
            foreach (var factor in (string[])["FACTOR", "age", "fairshare-user", "fairshare-project", "adjustment", "total", "Reason:", "Expected start:"])
            {
                Assert.Contains(factor, table.Stdout, StringComparison.Ordinal);
            }
            var view = JsonSerializer.Deserialize(json.Stdout, GoDockerJson.Default.PriorityView)!;
            Assert.Equal("fairshare", view.Policy);
            Assert.Contains(view.Factors, f => f.Name == "fairshare-user" && f.Weight > 0);
            Assert.Equal($"{id} priority adjustment +100\n", set.Stdout);
            AssertField(show.Stdout, "Admin priority", "+100");
        }
        finally
        {
            await Godocker("kill", Text(id));
        }
    }

    [Fact]
    public async Task Pending_ShowsWhenAJobWaitingForResourcesIsExpectedToStart()
    {
        var cpus = (await fixture.Api.HealthAsync()).Nodes[0].Cpus.ToString(CultureInfo.InvariantCulture);
        var big = await SubmitAsync("--cpus", cpus, "--time", "10m", "--", "sleep", "300");
        long waiting = 0;
        try
        {
            await fixture.Api.WaitForAsync(big, j => j.State == JobState.Running);
            waiting = await SubmitAsync("--cpus", cpus, "--time", "1m", "--", "true");
            var job = await fixture.Api.WaitForAsync(waiting, j => j.ExpectedStart is not null, TimeSpan.FromSeconds(20));

            var pending = await Godocker("jobs", "--pending");
            var show = await Godocker("show", Text(waiting));

            var expected = job.ExpectedStart!.Value.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            var row = Assert.Single(pending.Stdout.Split('\n'), l => l.TrimStart().StartsWith(Text(waiting) + " ", StringComparison.Ordinal));
            Assert.Contains(expected, row, StringComparison.Ordinal);
            Assert.Matches(new Regex($"(?m)^Expected start: +{Regex.Escape(expected)}:"), show.Stdout);
        }
        finally
        {
            await Godocker(["kill", Text(big), .. waiting == 0 ? Array.Empty<string>() : [Text(waiting)]]);
            await fixture.Api.WaitEndAsync(big);
        }
    }

    [Fact]
    public async Task QuotaMaxJobsOne_KeepsASecondJobPending_WhileTheFirstRuns()
    {
        var set = await Godocker("quota", "set", "--user", User, "--max-jobs", "1");
        var merged = await Godocker("quota", "set", "--user", User, "--max-cpus", "4");
        var shown = await Godocker("quota", "show", "--user", User, "-o", "json");
        long first = 0, second = 0;
        try
        {
            first = await SubmitAsync("--", "sleep", "300");
            await fixture.Api.WaitForAsync(first, j => j.State == JobState.Running);
            second = await SubmitAsync("--", "true");
            var waiting = await fixture.Api.WaitForAsync(second, j => j.Reason?.Contains("user quota", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(20));
            var pending = await Godocker("jobs", "--pending");
            var usage = await Godocker("usage", "--user", User, "-o", "json");

            Assert.Equal(0, set.ExitCode);
            Assert.Equal(0, merged.ExitCode);
            var limits = Assert.Single(JsonSerializer.Deserialize(shown.Stdout, GoDockerJson.Default.IReadOnlyListAccountLimitsView)!);
            Assert.Equal(1, limits.MaxRunningJobs); // kept by the second set, which named only --max-cpus
            Assert.Equal(4, limits.MaxCpus);
            Assert.Equal(JobState.Pending, waiting.State);
            Assert.Equal("user quota: 1/1 jobs running", waiting.Reason);
            Assert.Contains("user quota: 1/1 jobs running", pending.Stdout, StringComparison.Ordinal);
            var mine = Assert.Single(JsonSerializer.Deserialize(usage.Stdout, GoDockerJson.Default.IReadOnlyListAccountUsageView)!);
            Assert.Equal(1, mine.RunningJobs);
            Assert.Equal(1, mine.Quota!.MaxRunningJobs);
        }
        finally
        {
            var clear = await Godocker("quota", "set", "--user", User, "--clear");
            Assert.Equal(0, clear.ExitCode);
            if (first != 0)
            {
                await Godocker("kill", Text(first));
                await fixture.Api.WaitEndAsync(first);
            }
        }
        Assert.Equal(JobState.Succeeded, (await fixture.Api.WaitEndAsync(second)).State);
    }

    [Fact]
    public async Task Usage_ListsTheUserAndTheProject()
    {
        var id = await SubmitAsync("--", "true");
        await Godocker("wait", Text(id));

        var table = await Godocker("usage");
        var json = await Godocker("usage", "-o", "json");

        Assert.Equal(0, table.ExitCode);
        Assert.Contains("RUNNING(JOBS/CPUS/MEM/GPUS)", table.Stdout, StringComparison.Ordinal);
        Assert.Single(table.Stdout.Split('\n'), l => Regex.IsMatch(l, $"^user +{User} "));
        Assert.Single(table.Stdout.Split('\n'), l => Regex.IsMatch(l, "^project +default "));
        var accounts = JsonSerializer.Deserialize(json.Stdout, GoDockerJson.Default.IReadOnlyListAccountUsageView)!;
        Assert.Contains(accounts, a => a.Kind == "user" && a.Name == User);
        Assert.Contains(accounts, a => a.Kind == "project" && a.Name == "default");
    }

    [Fact]
    public async Task History_ListsWhatEnded_InTheColumnsAsked_AsATableCsvAndJson()
    {
        var id = await SubmitAsync("--name", "hist,ory", "--", "sh", "-c", "exit 3");
        await Godocker("wait", Text(id));

        var table = await Godocker("history", "-j", Text(id));
        var csv = await Godocker("history", "-j", Text(id), "--format", "jobid,JobName,state,ExitCode,Cause,Node,Attempt", "-o", "csv");
        var json = await Godocker("history", "-S", "now-1hour", "-u", User, "-s", "failed", "-o", "json");
        var unknown = await Godocker("history", "--format", "JobID,Bogus");

        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.StartsWith("JobID  JobName   User ", table.Stdout, StringComparison.Ordinal);
        Assert.True(Regex.IsMatch(table.Stdout, $@"(?m)^ *{id}  hist,ory  {User} +default +[0-9.]+  Failed +3$"), table.Stdout);
        Assert.Equal($"JobID,JobName,State,ExitCode,Cause,Node,Attempt\r\n{id},\"hist,ory\",Failed,3,Exited,local,1\r\n", csv.Stdout);
        var list = JsonSerializer.Deserialize(json.Stdout, GoDockerJson.Default.AccountingList)!;
        Assert.Contains(list.Items, r => r.JobId == id && r.ExitCode == 3 && r.ElapsedSeconds >= 0);
        Assert.All(list.Items, r => Assert.Equal((User, GoDocker.Usage.AccountedState.Failed), (r.Owner, r.State)));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("'Bogus' is not a column", unknown.Stderr, StringComparison.Ordinal);
    }
}
