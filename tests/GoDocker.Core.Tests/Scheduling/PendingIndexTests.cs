using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Storage;
using static GoDocker.Core.Tests.Scheduling.SchedulingBuilders;

namespace GoDocker.Core.Tests.Scheduling;

/// <summary>The index alone, fed hand-made reads (the store contract tests feed it real ones).</summary>
public sealed class PendingIndexTests
{
    private static ChangedJob Pending(PendingJobBuilder job) { var built = job.Build(); return new ChangedJob(built.Id, JobState.Pending, built.ArrayId) { Pending = built }; }

    private static ChangedJob Holding(long id, string node) =>
        new(id, JobState.Running, null) { Running = Running(id).On(node).Cpus(2).Build() };

    private static ChangedJob Ended(long id, JobState state = JobState.Succeeded, long? array = null) => new(id, state, array);

    private static SchedulingChanges Full(params ChangedJob[] jobs) => new(true, new ChangeMark(1, []), jobs, []);

    private static SchedulingChanges Delta(params ChangedJob[] jobs) => new(false, new ChangeMark(2, []), jobs, []);

    [Fact]
    public void ADelta_ReplacesEachJobItCarries_AndKeepsThePendingInIdOrder()
    {
        var index = new PendingIndex();
        index.Apply(Full(Pending(Job(1)), Pending(Job(3)), Pending(Job(5)), Holding(2, "a")));

        // 3 starts, 2 is requeued (an older job back among newer ones), 6 is new, 5 changes.
        index.Apply(Delta(Holding(3, "b"), Pending(Job(2)), Pending(Job(6)), Pending(Job(5).Adjust(7))));

        Assert.Equal([1, 2, 5, 6], index.Input.Pending.Select(p => p.Id));
        Assert.Equal(7, index.Input.Pending[2].PriorityAdjustment);
        Assert.Equal([3], index.Input.Running.Select(r => r.Id));
        Assert.Equal(["b"], index.Input.UsageByNode.Keys);
        Assert.Equal(new ChangeMark(2, []), index.Mark);
    }

    [Fact]
    public void APlansReasons_ReachOnlyJobsStillPending_AndLeaveTheLastInputAsItWas()
    {
        var index = new PendingIndex();
        index.Apply(Full(Pending(Job(1)), Pending(Job(2))));
        var before = index.Input;

        index.Applied(new Plan([], new Dictionary<long, string> { [1] = "waiting: no node", [9] = "waiting: gone" }));

        Assert.Equal(["waiting: no node", null], index.Input.Pending.Select(p => p.CurrentReason));
        Assert.Null(before.Pending[0].CurrentReason);
    }

    [Fact]
    public void DependencyStates_NameOnlyWhatPendingJobsDependOn_AndSumUpArrays()
    {
        var index = new PendingIndex();
        index.Apply(new SchedulingChanges(true, new ChangeMark(1, []),
            [Pending(Job(20).After("afterok:10")), Pending(Job(21).After("afterany:12"))],
            [Ended(10, JobState.Succeeded, 10), Ended(11, JobState.Failed, 10), Holding(12, "a")]));

        Assert.Equal(new Dictionary<long, JobState> { [10] = JobState.Failed, [12] = JobState.Running }, index.Input.DependencyStates);

        // 21 leaves the queue: 12 is named by no one now. 12 ends: still tracked, not shown.
        index.Apply(Delta(Ended(21, JobState.Killed), Ended(12)));

        Assert.Equal(new Dictionary<long, JobState> { [10] = JobState.Failed }, index.Input.DependencyStates);
        Assert.Empty(index.Input.Running);
    }

    [Fact]
    public void WhatNoPendingJobNamesAnyMore_IsNoLongerFollowed()
    {
        var index = new PendingIndex();
        index.Apply(new SchedulingChanges(true, new ChangeMark(1, []),
            [Pending(Job(20).After("afterok:10")), Pending(Job(21).After("afterok:11")), Pending(Job(22).After("afterok:11"))],
            [Holding(10, "a"), Ended(11), Ended(12, JobState.Succeeded, 11)]));
        Assert.Equal(2, index.WatchedCount);

        // 10 ends and 20 starts: no one names 10 now. 21 starts, 22 still names 11 (an array: its tasks stay followed).
        index.Apply(Delta(Ended(10), Holding(20, "a"), Holding(21, "a")));

        Assert.Equal(1, index.WatchedCount);
        Assert.Equal(new Dictionary<long, JobState> { [11] = JobState.Succeeded }, index.Input.DependencyStates);

        // 22 is held (still pending, still naming 11) in the same read as it leaves: counted out and in, 11 stays.
        index.Apply(Delta(Pending(Job(22).After("afterok:11").HeldBy("user"))));
        Assert.Equal(1, index.WatchedCount);
        Assert.Equal(new Dictionary<long, JobState> { [11] = JobState.Succeeded }, index.Input.DependencyStates);

        index.Apply(Delta(Ended(22, JobState.Killed)));

        Assert.Equal(0, index.WatchedCount);
        Assert.Empty(index.Input.DependencyStates);
    }

    [Fact]
    public void ARebuild_ForgetsEverythingBefore()
    {
        var index = new PendingIndex();
        index.Apply(Full(Pending(Job(1)), Holding(2, "a")));

        index.Apply(Full(Pending(Job(3))));

        Assert.Equal([3], index.Input.Pending.Select(p => p.Id));
        Assert.Empty(index.Input.Running);
    }
}
