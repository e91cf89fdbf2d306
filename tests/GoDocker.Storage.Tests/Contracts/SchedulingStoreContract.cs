using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Storage;
using GoDocker.Usage;
using static GoDocker.Storage.Tests.Contracts.SpecBuilder;

namespace GoDocker.Storage.Tests.Contracts;

/// <summary>What the store keeps for fair share, quotas, arrays, dependencies and holds.</summary>
public abstract class SchedulingStoreContract(IJobStoreProvider provider) : JobStoreTest(provider)
{
    [Fact]
    public async Task AnArray_IsStoredInOneGo_ItsIdIsItsFirstTasks()
    {
        var spec = ASpec().Build();
        var tasks = await Store.SubmitArrayAsync(
            [.. new[] { 1, 3, 5 }.Select(i => spec with { Task = new ArrayTask(i, 1, 5, 2, 2) { Count = 3 } })], "alice", null, Ct);

        Assert.Equal(3, tasks.Count);
        Assert.All(tasks, t => Assert.Equal(tasks[0].Id, t.ArrayId));
        var stored = await Store.ListAsync(new JobQuery { ArrayId = tasks[0].Id }, Ct);
        Assert.Equal([1, 3, 5], stored.Items.Select(j => j.Spec.Task!.Id));
        Assert.All(stored.Items, j => Assert.Equal(tasks[0].Id, j.ArrayId));
        var input = await Store.ReadSchedulingInputAsync(Ct);
        Assert.All(input.Pending, p => Assert.Equal((tasks[0].Id, 2), (p.ArrayId, p.ArrayMaxRunning)));
    }

    [Fact]
    public async Task TheSchedulingInput_CarriesWhatTheCycleNeeds()
    {
        var spec = ASpec().Build() with
        {
            Gpus = 2,
            WalltimeSeconds = 600,
            Constraints = [new Constraint("disk", "ssd", true)],
            Dependencies = [new Dependency(DependencyKind.AfterOk, 1)],
        };
        var first = await SubmitAsync();
        var held = await Store.SubmitAsync(spec, "bob", "user", Ct);
        var running = await StartAsync(await ScheduleAsync(first));

        var input = await Store.ReadSchedulingInputAsync(Ct);

        var pending = Assert.Single(input.Pending);
        Assert.Equal((held.Id, 2, 600L, "user"), (pending.Id, pending.Request.Gpus, pending.WalltimeSeconds!.Value, pending.HeldBy));
        Assert.Equal("disk==ssd", Assert.Single(pending.Constraints).ToString());
        Assert.Equal(new Dependency(DependencyKind.AfterOk, 1), Assert.Single(pending.Dependencies));
        Assert.Equal(JobState.Running, input.DependencyStates[running.Id]);
        var run = Assert.Single(input.Running);
        Assert.Equal((running.Id, "alice", "n1"), (run.Id, run.Owner, run.Node));
    }

    [Fact]
    public async Task AJobThatRan_IsChargedToItsOwnerAndProject_OnceAndDecayed()
    {
        var job = await StartAsync(await ScheduleAsync(await SubmitAsync(ASpec().Cpus(2).Mem("4G").Project("bio"))));
        Time.Advance(TimeSpan.FromHours(1));
        await Store.TransitionAsync(new JobChange(job.Id, job.Version, JobState.Succeeded, "succeeded", "exited 0") { EndedAt = Time.GetUtcNow() }, Ct);
        Time.Advance(TimeSpan.FromDays(7)); // one half-life

        var input = await Store.ReadSchedulingInputAsync(Ct);

        var user = input.DecayedUsage[(AccountKind.User, "alice")].At(Time.GetUtcNow(), UsageHalfLife);
        Assert.Equal(2 * 3600 / 2.0, user.CpuSeconds, 6);
        Assert.Equal(4 * 3600 / 2.0, user.MemoryGibSeconds, 6);
        Assert.Equal(2 * 3600.0, input.DecayedUsage[(AccountKind.Project, "bio")].CpuSeconds, 6);
        Assert.Equal(2 * 3600.0, input.UserWindowCpuSeconds["alice"], 6);
        Assert.Equal(2 * 3600.0, await Store.CpuSecondsSinceAsync(AccountKind.Project, "bio", Start, Ct), 6);
        Assert.Equal(0, await Store.CpuSecondsSinceAsync(AccountKind.User, "alice", Time.GetUtcNow(), Ct));
    }

    [Fact]
    public async Task ARequeue_ChargesTheRunSoFar_AndTheNextRunAgain()
    {
        var job = await StartAsync(await ScheduleAsync(await SubmitAsync()));
        Time.Advance(TimeSpan.FromMinutes(10));
        var requeued = await Store.TransitionAsync(new JobChange(job.Id, job.Version, JobState.Pending, "requeued", "requeued by alice"), Ct);
        var again = await StartAsync(await ScheduleAsync(requeued));
        Time.Advance(TimeSpan.FromMinutes(5));
        await Store.TransitionAsync(new JobChange(again.Id, again.Version, JobState.Failed, "failed", "exit code 1") { EndedAt = Time.GetUtcNow() }, Ct);

        Assert.Equal(15 * 60.0, await Store.CpuSecondsSinceAsync(AccountKind.User, "alice", Start, Ct), 6);
        Assert.Null((await GetAsync(job)).ExpectedStart);
    }

    [Fact]
    public async Task APlan_RejectsWhatCanNeverRun_AndRecordsExpectedStarts()
    {
        var never = await SubmitAsync();
        var waiting = await SubmitAsync();
        var at = Start.AddHours(2);

        await Store.ApplyPlanAsync(new Plan([], new Dictionary<long, string> { [waiting.Id] = "waiting for resources: expected to start by ..." })
        {
            Rejections = new Dictionary<long, string> { [never.Id] = "dependency never satisfied: afterok:9 (job 9 ended Failed)" },
            ExpectedStarts = new Dictionary<long, DateTimeOffset> { [waiting.Id] = at },
        }, Nodes, Ct);

        var rejected = await GetAsync(never);
        Assert.Equal((JobState.Rejected, "dependency never satisfied: afterok:9 (job 9 ended Failed)"), (rejected.State, rejected.Reason));
        Assert.Equal("rejected", (await EventKindsAsync(never))[^1]);
        Assert.Equal(at, (await GetAsync(waiting)).ExpectedStart);
        var scheduled = await ScheduleAsync(await GetAsync(waiting));
        Assert.Null(scheduled.ExpectedStart);
    }

    [Fact]
    public async Task Hold_AndRelease_OnlyForPendingJobs()
    {
        var job = await SubmitAsync();

        var held = await Store.SetHoldAsync(job.Id, "admin", "root", Ct);
        Assert.Equal(("admin", "held by admin"), (held.HeldBy, held.Reason));
        Assert.Equal("admin", (await Store.ReadSchedulingInputAsync(Ct)).Pending[0].HeldBy);
        var released = await Store.SetHoldAsync(job.Id, null, "root", Ct);
        Assert.Null((await GetAsync(job)).HeldBy);
        Assert.Equal(["submitted", "held", "released"], await EventKindsAsync(job));

        await ScheduleAsync(released);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Store.SetHoldAsync(job.Id, "user", "alice", Ct));
        await Assert.ThrowsAsync<KeyNotFoundException>(async () => await Store.SetHoldAsync(99999, "user", "alice", Ct));
    }

    [Fact]
    public async Task Limits_AreReplaced_AndRemovedWhenEmpty()
    {
        await Store.SetLimitsAsync(new AccountLimits(AccountKind.User, "alice", 2, 5, new Quota { MaxCpus = 8, MaxMemoryBytes = 32 * GiB }), Ct);
        await Store.SetLimitsAsync(new AccountLimits(AccountKind.Project, "bio", 70, null, Quota.Unlimited), Ct);
        await Store.SetLimitsAsync(new AccountLimits(AccountKind.User, "alice", null, null, new Quota { MaxRunningJobs = 3 }), Ct);

        var alice = Assert.Single(await Store.GetLimitsAsync(AccountKind.User, "alice", Ct));
        Assert.Equal((null, null, 3, null), (alice.Shares, alice.Priority, alice.Quota.MaxRunningJobs, alice.Quota.MaxCpus));
        Assert.Equal(70, Assert.Single(await Store.GetLimitsAsync(AccountKind.Project, null, Ct)).Shares);

        await Store.SetLimitsAsync(new AccountLimits(AccountKind.User, "alice", null, null, Quota.Unlimited), Ct);
        Assert.Empty(await Store.GetLimitsAsync(AccountKind.User, null, Ct));
    }

    [Fact]
    public async Task ADependencyOnAnArray_IsOnAllItsTasks()
    {
        var spec = ASpec().Build();
        var tasks = await Store.SubmitArrayAsync([spec with { Task = new ArrayTask(1, 1, 2, 1, null) }, spec with { Task = new ArrayTask(2, 1, 2, 1, null) }], "alice", null, Ct);
        var dependent = await Store.SubmitAsync(spec with { Dependencies = [new Dependency(DependencyKind.AfterOk, tasks[0].Id)] }, "alice", null, Ct);
        await MoveAsync(await StartAsync(await ScheduleAsync(tasks[0])), JobState.Succeeded);

        Assert.Equal(JobState.Running, (await Store.ReadSchedulingInputAsync(Ct)).DependencyStates[tasks[0].Id]);

        await MoveAsync(await StartAsync(await ScheduleAsync(tasks[1])), JobState.Failed);
        var input = await Store.ReadSchedulingInputAsync(Ct);
        Assert.Equal(JobState.Failed, input.DependencyStates[tasks[0].Id]);
        Assert.Contains(input.Pending, p => p.Id == dependent.Id);
    }

    [Fact]
    public async Task APlacement_IsReChecked_AgainstTheGpusCommittedOnItsNode()
    {
        IReadOnlyList<NodeInfo> gpuNodes = [new("g1", new Resources(8, 32 * GiB, 2))];
        var spec = ASpec().Build() with { Gpus = 2 };
        var first = await Store.SubmitAsync(spec, "alice", null, Ct);
        var second = await Store.SubmitAsync(spec with { Gpus = 1 }, "alice", null, Ct);
        Assert.Single(await Store.ApplyPlanAsync(PlanOf(Place(first, "g1")), gpuNodes, Ct));

        var applied = await Store.ApplyPlanAsync(PlanOf(Place(second, "g1")), gpuNodes, Ct);

        Assert.Empty(applied);
        Assert.Equal(JobState.Pending, (await GetAsync(second)).State);
    }
}
