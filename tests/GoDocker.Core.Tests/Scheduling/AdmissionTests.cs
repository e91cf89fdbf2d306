using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Usage;
using static GoDocker.Core.Tests.Scheduling.SchedulingBuilders;

namespace GoDocker.Core.Tests.Scheduling;

public sealed class AdmissionTests
{
    private const long GiB = 1L << 30;

    private static Verdict Admit(IAdmission admission, PendingJobBuilder job, SnapshotBuilder scene)
    {
        var snapshot = scene.Jobs(job).Build();
        return admission.Admit(snapshot.Pending.Single(j => j.Id == job.Id), new CycleLedger(snapshot));
    }

    // --- hold ---

    [Fact]
    public void Hold_KeepsAHeldJobPending_SayingWhoHoldsItAndHowToRelease()
    {
        Assert.Equal(Verdict.Unschedulable("held by admin (godocker release 5)"), Admit(new HoldAdmission(), Job(5).HeldBy("admin"), Scene()));
        Assert.Equal(Verdict.Ok, Admit(new HoldAdmission(), Job(5), Scene()));
    }

    [Fact]
    public void AHeldJob_StaysPendingInTheCycle_EvenWithRoomAndADependencyThatCanNeverBeMet()
    {
        var plan = Cycle().Run(Scene().Jobs(Job(1).HeldBy("user").After("afterok:99"), Job(2)).Nodes(Node("n1")).Build());

        Assert.Equal([2L], PlacedIds(plan));
        Assert.Equal("held by user (godocker release 1)", plan.PendingReasons[1]);
        Assert.Empty(plan.Rejections);
    }

    // --- dependencies ---

    public static TheoryData<DependencyKind, JobState?, DependencyStatus> Evaluations()
    {
        var data = new TheoryData<DependencyKind, JobState?, DependencyStatus>();
        foreach (var kind in Enum.GetValues<DependencyKind>())
        {
            foreach (var waiting in new[] { JobState.Pending, JobState.Scheduled, JobState.Running, JobState.Suspended })
            {
                data.Add(kind, waiting, DependencyStatus.Waiting);
            }
            data.Add(kind, null, DependencyStatus.Never); // no such job
        }
        data.Add(DependencyKind.AfterOk, JobState.Succeeded, DependencyStatus.Met);
        data.Add(DependencyKind.AfterOk, JobState.Failed, DependencyStatus.Never);
        data.Add(DependencyKind.AfterOk, JobState.Killed, DependencyStatus.Never);
        data.Add(DependencyKind.AfterOk, JobState.Rejected, DependencyStatus.Never);
        data.Add(DependencyKind.AfterOk, JobState.Archived, DependencyStatus.Never);
        data.Add(DependencyKind.AfterAny, JobState.Succeeded, DependencyStatus.Met);
        data.Add(DependencyKind.AfterAny, JobState.Failed, DependencyStatus.Met);
        data.Add(DependencyKind.AfterAny, JobState.Killed, DependencyStatus.Met);
        data.Add(DependencyKind.AfterAny, JobState.Rejected, DependencyStatus.Met);
        data.Add(DependencyKind.AfterNotOk, JobState.Succeeded, DependencyStatus.Never);
        data.Add(DependencyKind.AfterNotOk, JobState.Failed, DependencyStatus.Met);
        data.Add(DependencyKind.AfterNotOk, JobState.Killed, DependencyStatus.Met);
        data.Add(DependencyKind.AfterNotOk, JobState.Rejected, DependencyStatus.Met);
        data.Add(DependencyKind.AfterNotOk, JobState.Archived, DependencyStatus.Never);
        return data;
    }

    [Theory]
    [MemberData(nameof(Evaluations))]
    public void Dependency_Evaluate(DependencyKind kind, JobState? other, DependencyStatus expected)
    {
        Assert.Equal(expected, new Dependency(kind, 1).Evaluate(other));
    }

    [Fact]
    public void Dependency_AfterAny_OnAnArchivedJob_IsMet()
    {
        Assert.Equal(DependencyStatus.Met, new Dependency(DependencyKind.AfterAny, 1).Evaluate(JobState.Archived));
    }

    [Fact]
    public void Dependencies_Waiting_KeepTheJobPending_NamingTheFirstUnmetOne()
    {
        var verdict = Admit(new DependencyAdmission(), Job(3).After("afterok:1,afterany:2"),
            Scene().Dependency(1, JobState.Succeeded).Dependency(2, JobState.Running));

        Assert.Equal(Verdict.Unschedulable("dependency afterany:2 not satisfied yet (job 2 is Running)"), verdict);
    }

    [Fact]
    public void Dependencies_AllMet_Admit()
    {
        var verdict = Admit(new DependencyAdmission(), Job(4).After("afterok:1,afterany:2,afternotok:3"),
            Scene().Dependency(1, JobState.Succeeded).Dependency(2, JobState.Killed).Dependency(3, JobState.Failed));

        Assert.Equal(Verdict.Ok, verdict);
        Assert.Equal(Verdict.Ok, Admit(new DependencyAdmission(), Job(5), Scene()));
    }

    [Fact]
    public void ADependencyThatCanNeverBeMet_RejectsTheJob_EvenIfAnotherStillWaits()
    {
        var verdict = Admit(new DependencyAdmission(), Job(3).After("afterok:1,afterok:2"),
            Scene().Dependency(1, JobState.Pending).Dependency(2, JobState.Failed));

        Assert.Equal(Verdict.Never("dependency never satisfied: afterok:2 (job 2 ended Failed)"), verdict);
    }

    [Fact]
    public void ADependencyOnAJobThatDoesNotExist_RejectsTheJob()
    {
        var verdict = Admit(new DependencyAdmission(), Job(3).After("afterany:77"), Scene());

        Assert.Equal(Verdict.Never("dependency never satisfied: afterany:77 (no such job)"), verdict);
    }

    [Fact]
    public void InTheCycle_NeverIsARejection_WaitingIsAReason_AndMetRuns()
    {
        var plan = Cycle().Run(Scene()
            .Jobs(Job(10).After("afterok:1"), Job(11).After("afternotok:1"), Job(12).After("afterany:2"), Job(13).After("afterok:2"), Job(14).After("afterok:404"))
            .Dependency(1, JobState.Succeeded)
            .Dependency(2, JobState.Running)
            .Nodes(Node("n1"))
            .Build());

        Assert.Equal([10L], PlacedIds(plan));
        Assert.Equal([11L, 14L], plan.Rejections.Keys.Order());
        Assert.All(plan.Rejections.Values, r => Assert.StartsWith("dependency never satisfied", r));
        Assert.Equal("dependency never satisfied: afternotok:1 (job 1 ended Succeeded)", plan.Rejections[11]);
        Assert.Equal("dependency afterany:2 not satisfied yet (job 2 is Running)", plan.PendingReasons[12]);
        Assert.Equal("dependency afterok:2 not satisfied yet (job 2 is Running)", plan.PendingReasons[13]);
        Assert.False(plan.PendingReasons.ContainsKey(11));
        Assert.False(plan.PendingReasons.ContainsKey(14));
    }

    [Fact]
    public void ARejectedJob_DoesNotBlockTheStrictFifoQueue()
    {
        var plan = StrictFifo().Run(Scene().Jobs(Job(1).After("afterok:5"), Job(2)).Dependency(5, JobState.Killed).Nodes(Node("n1")).Build());

        Assert.Equal([2L], PlacedIds(plan));
        Assert.StartsWith("dependency never satisfied", plan.Rejections[1]);
    }

    // --- arrays ---

    [Fact]
    public void ArrayLimit_CountsRunningTasksOfTheSameArrayOnly()
    {
        var scene = Scene().Running(Running(1).Array(100), Running(2).Array(100), Running(3).Array(200), Running(4));

        Assert.Equal(Verdict.Unschedulable("array 100: 2/2 tasks running (%2)"), Admit(new ArrayLimitAdmission(), Job(5).Array(100, 2), scene));
        Assert.Equal(Verdict.Ok, Admit(new ArrayLimitAdmission(), Job(6).Array(100, 3), Scene().Running(Running(1).Array(100), Running(2).Array(100))));
        Assert.Equal(Verdict.Ok, Admit(new ArrayLimitAdmission(), Job(7).Array(200, 2), Scene().Running(Running(3).Array(200))));
        Assert.Equal(Verdict.Ok, Admit(new ArrayLimitAdmission(), Job(8).Array(100), Scene().Running(Running(1).Array(100), Running(2).Array(100))));
    }

    [Fact]
    public void ArrayLimit_CountsTasksPlacedInTheSameCycle()
    {
        var tasks = Enumerable.Range(1, 6).Select(i => Job(i).Array(100, 3)).ToArray();

        var plan = Cycle().Run(Scene().Jobs(tasks).Jobs(Job(7).Array(200, 1), Job(8).Array(200, 1)).Running(Running(50).On("n2").Array(100)).Nodes(Node("n1").Cpus(16), Node("n2")).Build());

        Assert.Equal([1L, 2L, 7L], PlacedIds(plan));
        Assert.Equal("array 100: 3/3 tasks running (%3)", plan.PendingReasons[3]);
        Assert.Equal("array 200: 1/1 tasks running (%1)", plan.PendingReasons[8]);
    }

    // --- quotas ---

    [Fact]
    public void Quotas_WithoutAQuotaBook_AdmitEverything()
    {
        var scene = Scene().Running([.. Enumerable.Range(100, 50).Select(i => Running(i).Cpus(64))]);

        Assert.Equal(Verdict.Ok, Admit(new QuotaAdmission(), Job(1).Cpus(64), scene));
    }

    public static TheoryData<string, QuotaBook, string?> QuotaCases() => new()
    {
        // alice runs 2 jobs (3 cpus, 3 GiB, 1 gpu) in project "default"; she asks 1 cpu, 1 GiB, 1 gpu.
        { "no limits", new QuotaBook(), null },
        { "user jobs", new QuotaBook { UserDefault = new Quota { MaxRunningJobs = 2 } }, "user quota: 2/2 jobs running" },
        { "user cpus", new QuotaBook { Users = new Dictionary<string, Quota> { ["alice"] = new() { MaxCpus = 3.5 } } }, "user quota: 3/3.5 cpus running, this job asks 1" },
        { "user memory", new QuotaBook { UserDefault = new Quota { MaxMemoryBytes = 4 * GiB - 1 } }, "user quota: 3 GiB/4 GiB memory running, this job asks 1 GiB" },
        { "user gpus", new QuotaBook { UserDefault = new Quota { MaxGpus = 1 } }, "user quota: 1/1 gpus running, this job asks 1" },
        { "someone else's quota", new QuotaBook { Users = new Dictionary<string, Quota> { ["bob"] = new() { MaxRunningJobs = 0 } } }, null },
        { "room left", new QuotaBook { UserDefault = new Quota { MaxRunningJobs = 3, MaxCpus = 4, MaxMemoryBytes = 4 * GiB, MaxGpus = 2 } }, null },
        { "project jobs", new QuotaBook { ProjectDefault = new Quota { MaxRunningJobs = 3 } }, "project quota (default): 3/3 jobs running" },
        { "project cpus", new QuotaBook { Projects = new Dictionary<string, Quota> { ["default"] = new() { MaxCpus = 4 } } }, "project quota (default): 4/4 cpus running, this job asks 1" },
        { "user before project", new QuotaBook { UserDefault = new Quota { MaxRunningJobs = 2 }, ProjectDefault = new Quota { MaxRunningJobs = 1 } }, "user quota: 2/2 jobs running" },
        { "user cpu-hours", new QuotaBook { UserDefault = new Quota { MaxCpuHours = 10 }, UserCpuHours = new Dictionary<string, double> { ["alice"] = 10 } }, "user quota: 10/10 cpu-hours used in the last 30 days" },
        { "user cpu-hours left", new QuotaBook { UserDefault = new Quota { MaxCpuHours = 10 }, UserCpuHours = new Dictionary<string, double> { ["alice"] = 9.9 } }, null },
        { "project cpu-hours", new QuotaBook { ProjectDefault = new Quota { MaxCpuHours = 100 }, CpuHoursWindow = TimeSpan.FromDays(7), ProjectCpuHours = new Dictionary<string, double> { ["default"] = 123.46 } }, "project quota (default): 123.5/100 cpu-hours used in the last 7 days" },
    };

    [Theory]
    [MemberData(nameof(QuotaCases))]
    public void Quotas_CountWhatTheUserAndProjectRun(string name, QuotaBook book, string? expected)
    {
        var scene = Scene()
            .Running(Running(20).Cpus(2).Mem("2G").Gpus(1), Running(21).Mem("1G"), Running(22).Owner("bob"))
            .Quotas(book);

        var verdict = Admit(new QuotaAdmission(), Job(1).Gpus(1), scene);

        Assert.True(expected is null ? verdict.IsOk : verdict == Verdict.Unschedulable(expected), $"{name}: {verdict}");
    }

    [Fact]
    public void Quotas_CountJobsPlacedInTheSameCycle()
    {
        var book = new QuotaBook
        {
            UserDefault = new Quota { MaxRunningJobs = 2 },
            Projects = new Dictionary<string, Quota> { ["ml"] = new() { MaxCpus = 5 } },
        };
        var plan = Cycle().Run(Scene()
            .Jobs(Job(1), Job(2), Job(3), Job(4).Owner("bob").Project("ml").Cpus(2), Job(5).Owner("carol").Project("ml").Cpus(2), Job(6).Owner("dave").Project("ml").Cpus(2))
            .Running(Running(9).Owner("eve").Project("ml").On("n2"))
            .Nodes(Node("n1").Cpus(32), Node("n2").Cpus(32))
            .Quotas(book)
            .Build());

        Assert.Equal([1L, 2L, 4L, 5L], PlacedIds(plan));
        Assert.Equal("user quota: 2/2 jobs running", plan.PendingReasons[3]);
        Assert.Equal("project quota (ml): 5/5 cpus running, this job asks 2", plan.PendingReasons[6]);
    }

    [Fact]
    public void AJobOverQuota_DoesNotBlockTheStrictFifoQueue()
    {
        var plan = StrictFifo().Run(Scene()
            .Jobs(Job(1), Job(2), Job(3).Owner("bob"))
            .Nodes(Node("n1"))
            .Quotas(new QuotaBook { UserDefault = new Quota { MaxRunningJobs = 1 } })
            .Build());

        Assert.Equal([1L, 3L], PlacedIds(plan));
        Assert.Equal("user quota: 1/1 jobs running", plan.PendingReasons[2]);
    }

    [Fact]
    public void TheLedger_StartsFromTheRunningJobs_AndAddsPlacements()
    {
        var snapshot = Scene().Running(Running(1).Cpus(2).Mem("2G").Gpus(1).Array(7), Running(2).Owner("bob").Project("p")).Build();
        var ledger = new CycleLedger(snapshot);

        Assert.Equal(new Holding(1, new Resources(2, 2 * GiB, 1)), ledger.User("alice"));
        Assert.Equal(new Holding(1, new Resources(2, 2 * GiB, 1)), ledger.Project("default"));
        Assert.Equal(Holding.None, ledger.User("nobody"));
        Assert.Equal(1, ledger.ArrayRunning(7));

        ledger.Add(Job(3).Cpus(0.5).Mem("1G").Array(7, 2).Build());

        Assert.Equal(new Holding(2, new Resources(2.5, 3 * GiB, 1)), ledger.User("alice"));
        Assert.Equal(2, ledger.ArrayRunning(7));
        Assert.Equal(new Holding(1, new Resources(1, GiB, 0)), ledger.Project("p"));
        Assert.Same(snapshot, ledger.Snapshot);
    }
}
