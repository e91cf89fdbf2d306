using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Storage;
using GoDocker.Usage;
using static GoDocker.Core.Tests.Jobs.JobBuilder;

namespace GoDocker.Core.Tests.Jobs;

public sealed class JobLifecycleTests
{
    private static readonly DateTimeOffset Now = T0.AddMinutes(10);

    private static JobChange Change(Job job, JobState to) => new(job.Id, job.Version, to, "moved", "moved on purpose");

    // Written out by hand: Apply must follow JobTransitions, and this test must not read the table it relies on.
    public static TheoryData<JobState, JobState> AllowedMoves() => new()
    {
        { JobState.Pending, JobState.Scheduled }, { JobState.Pending, JobState.Killed }, { JobState.Pending, JobState.Rejected },
        { JobState.Pending, JobState.Failed },
        { JobState.Scheduled, JobState.Running }, { JobState.Scheduled, JobState.Pending }, { JobState.Scheduled, JobState.Failed },
        { JobState.Scheduled, JobState.Killed }, { JobState.Scheduled, JobState.Succeeded },
        { JobState.Running, JobState.Suspended }, { JobState.Running, JobState.Succeeded }, { JobState.Running, JobState.Failed },
        { JobState.Running, JobState.Killed }, { JobState.Running, JobState.Pending },
        { JobState.Suspended, JobState.Running }, { JobState.Suspended, JobState.Killed }, { JobState.Suspended, JobState.Failed },
        { JobState.Suspended, JobState.Pending },
        { JobState.Succeeded, JobState.Archived }, { JobState.Failed, JobState.Archived }, { JobState.Killed, JobState.Archived },
        { JobState.Rejected, JobState.Archived },
    };

    public static TheoryData<JobState, JobState> IllegalMoves() => new()
    {
        { JobState.Pending, JobState.Running }, { JobState.Pending, JobState.Succeeded }, { JobState.Pending, JobState.Pending },
        { JobState.Pending, JobState.Archived }, { JobState.Scheduled, JobState.Suspended }, { JobState.Running, JobState.Scheduled },
        { JobState.Running, JobState.Running }, { JobState.Suspended, JobState.Succeeded }, { JobState.Succeeded, JobState.Pending },
        { JobState.Failed, JobState.Succeeded }, { JobState.Killed, JobState.Running }, { JobState.Rejected, JobState.Scheduled },
        { JobState.Archived, JobState.Pending }, { JobState.Archived, JobState.Archived },
    };

    [Theory]
    [MemberData(nameof(AllowedMoves))]
    public void Apply_AnAllowedMove_ChangesTheState_BumpsTheVersion_AndMakesItsEvent(JobState from, JobState to)
    {
        Job job = AJob().In(from).ExpectedStart(Now.AddHours(1));

        var update = JobLifecycle.Apply(job, Change(job, to), Now);

        Assert.True(update.Changed);
        Assert.Equal(to, update.Job.State);
        Assert.Equal(6, update.Job.Version);
        Assert.Equal(new JobEvent(Now, "moved", "moved on purpose"), update.Event);
        Assert.Null(update.Job.ExpectedStart);
        Assert.Equal((job.Id, job.Owner, job.Spec, job.Attempt, job.SubmittedAt), (update.Job.Id, update.Job.Owner, update.Job.Spec, update.Job.Attempt, update.Job.SubmittedAt));
    }

    [Theory]
    [MemberData(nameof(IllegalMoves))]
    public void Apply_AnIllegalMove_Throws(JobState from, JobState to)
    {
        Job job = AJob().In(from);

        var error = Assert.Throws<IllegalTransitionException>(() => JobLifecycle.Apply(job, Change(job, to), Now));

        Assert.Equal((42, from, to), (error.JobId, error.From, error.To));
    }

    [Fact]
    public void Apply_AtAnotherVersion_IsAConflict_BeforeTheMoveIsChecked()
    {
        Job job = AJob().In(JobState.Running);

        var stale = Assert.Throws<JobVersionConflictException>(() => JobLifecycle.Apply(job, Change(job, JobState.Killed) with { ExpectedVersion = 4 }, Now));
        var staleAndIllegal = Assert.Throws<JobVersionConflictException>(() => JobLifecycle.Apply(job, Change(job, JobState.Scheduled) with { ExpectedVersion = 4 }, Now));

        Assert.Equal("job 42: version 4 is stale", stale.Message);
        Assert.Equal(42, staleAndIllegal.JobId);
    }

    [Fact]
    public void Apply_ToAnotherJob_IsRefused()
    {
        Job job = AJob().In(JobState.Running);

        Assert.Throws<ArgumentException>(() => JobLifecycle.Apply(job, Change(job, JobState.Killed) with { JobId = 7 }, Now));
    }

    [Theory]
    [InlineData(JobState.Scheduled)]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Suspended)]
    public void Requeue_ClearsNodeContainerAndTimes_KeepsTheAttempt_AndSaysWhy(JobState from)
    {
        Job job = AJob().In(from).Started(T0).ExpectedStart(Now);

        var requeued = JobLifecycle.Apply(job, Change(job, JobState.Pending), Now).Job;
        var requeuedBy = JobLifecycle.Apply(job, Change(job, JobState.Pending) with { Reason = "requeued by ana" }, Now).Job;

        Assert.Equal(JobState.Pending, requeued.State);
        Assert.Equal((string?)null, requeued.Node);
        Assert.Null(requeued.ContainerId);
        Assert.Null(requeued.StartedAt);
        Assert.Null(requeued.ScheduledAt);
        Assert.Null(requeued.ExpectedStart);
        Assert.Null(requeued.EndCause);
        Assert.Equal(1, requeued.Attempt);
        Assert.Equal("requeued, waiting for the scheduler", requeued.Reason);
        Assert.Equal("requeued by ana", requeuedBy.Reason);
    }

    [Fact]
    public void Apply_Start_SetsContainerAndStart_AndKeepsTheRest()
    {
        Job job = AJob().In(JobState.Scheduled).NoContainer();

        var started = JobLifecycle.Apply(job, Change(job, JobState.Running) with { ContainerId = "c2", StartedAt = Now }, Now).Job;

        Assert.Equal(("c2", Now, "n1", job.ScheduledAt), (started.ContainerId, started.StartedAt, started.Node, started.ScheduledAt));
        Assert.Null(started.EndedAt);
        Assert.Null(started.ExitCode);
    }

    [Fact]
    public void Apply_End_KeepsWhatTheChangeLeavesNull_AndTakesWhatItSets()
    {
        var stop = new StopRequest(JobState.Killed, "killed by ana", Now);
        Job job = AJob().In(JobState.Running).Started(T0).StopRequested(stop);

        var ended = JobLifecycle.Apply(job, Change(job, JobState.Killed) with
        {
            Reason = "killed by ana", ExitCode = 137, EndCause = EndCause.StopRequested, EndedAt = Now, ClearStopRequest = true,
        }, Now).Job;
        var endedKeepingTheRequest = JobLifecycle.Apply(job, Change(job, JobState.Failed) with { ExitCode = 1 }, Now).Job;

        Assert.Equal(("killed by ana", 137, EndCause.StopRequested, Now), (ended.Reason, ended.ExitCode, ended.EndCause, ended.EndedAt));
        Assert.Equal(("c1", T0, "n1"), (ended.ContainerId, ended.StartedAt, ended.Node));
        Assert.Null(ended.StopRequested);
        Assert.Equal(stop, endedKeepingTheRequest.StopRequested);
    }

    [Fact]
    public void Apply_WithoutAReason_ClearsTheOldOne()
    {
        Job job = AJob().In(JobState.Pending);

        Assert.Null(JobLifecycle.Apply(job, Change(job, JobState.Killed), Now).Job.Reason);
    }

    [Theory]
    [InlineData(JobState.Failed, JobState.Archived, true)]    // into a terminal state: the end cause stays
    [InlineData(JobState.Killed, JobState.Archived, true)]
    [InlineData(JobState.Running, JobState.Suspended, false)] // otherwise a stale one is dropped
    [InlineData(JobState.Running, JobState.Pending, false)]
    [InlineData(JobState.Suspended, JobState.Running, false)]
    public void Apply_KeepsTheEndCause_OnlyIntoATerminalState(JobState from, JobState to, bool kept)
    {
        Job job = AJob().In(from).Ended(EndCause.OutOfMemory, 137);

        var moved = JobLifecycle.Apply(job, Change(job, to), Now).Job;

        Assert.Equal(kept ? EndCause.OutOfMemory : null, moved.EndCause);
        Assert.Equal(137, moved.ExitCode);
    }

    public static TheoryData<JobState, bool, JobState, int?, double?> Charges() => new()
    {
        // from, started, to, ended (seconds after T0; null: at Now), wall seconds charged (null: no charge)
        { JobState.Running, true, JobState.Succeeded, 100, 100 },
        { JobState.Running, true, JobState.Failed, null, 600 },
        { JobState.Running, true, JobState.Killed, 30, 30 },
        { JobState.Running, true, JobState.Pending, 50, 50 },
        { JobState.Suspended, true, JobState.Killed, 70, 70 },
        { JobState.Suspended, true, JobState.Failed, null, 600 },
        { JobState.Suspended, true, JobState.Pending, 20, 20 },
        { JobState.Running, true, JobState.Suspended, null, null },
        { JobState.Suspended, true, JobState.Running, null, null },
        { JobState.Running, false, JobState.Failed, 100, null },
        { JobState.Running, false, JobState.Pending, null, null },
        { JobState.Scheduled, false, JobState.Failed, 100, null },
        { JobState.Scheduled, false, JobState.Running, null, null },
        { JobState.Scheduled, false, JobState.Pending, null, null },
        { JobState.Pending, false, JobState.Killed, 100, null },
        { JobState.Succeeded, true, JobState.Archived, null, null },
    };

    [Theory]
    [MemberData(nameof(Charges))]
    public void Apply_ChargesUsage_OnlyWhenARunThatStartedLeavesRunningOrSuspended(JobState from, bool started, JobState to, int? endedAfter, double? wallSeconds)
    {
        var builder = AJob().In(from);
        Job job = started ? builder.Started(T0) : builder;
        var change = Change(job, to) with { EndedAt = endedAfter is { } seconds ? T0.AddSeconds(seconds) : null };

        var charge = JobLifecycle.Apply(job, change, Now).Charge;

        if (wallSeconds is not { } wall)
        {
            Assert.Null(charge);
            return;
        }
        // 2 cpus, 4 GiB, 1 gpu for the wall time, billed to the attempt that ran, at its end.
        Assert.Equal(
            new UsageCharge(42, 1, "ana", "astro", endedAfter is { } s ? T0.AddSeconds(s) : Now, new JobConsumption(2 * wall, 4 * wall, wall)),
            charge);
    }

    [Fact]
    public void Scheduled_NamesTheNodeAndTheAttempt()
    {
        Assert.Equal(new JobEvent(Now, "scheduled", "scheduled on node n1 (attempt 2)"), JobLifecycle.Scheduled("n1", 2, Now));
    }

    [Theory]
    [InlineData(null, "submitted, waiting for the scheduler")]
    [InlineData("user", "held by user")]
    public void Submit_MakesAPendingJob_AndItsSubmittedEvent(string? heldBy, string reason)
    {
        var spec = AJob().Build().Spec;

        var (job, submitted) = JobLifecycle.Submit(spec, "ana", heldBy, Now);

        Assert.Equal((0L, "ana", JobState.Pending, reason, 1L, Now, heldBy), (job.Id, job.Owner, job.State, job.Reason, job.Version, job.SubmittedAt, job.HeldBy));
        Assert.Same(spec, job.Spec);
        Assert.Equal((0, (string?)null, (long?)null), (job.Attempt, job.Node, job.ArrayId));
        Assert.Equal(new JobEvent(Now, "submitted", "submitted by ana to project astro"), submitted);
    }

    [Theory]
    [InlineData(JobState.Killed)]
    [InlineData(JobState.Failed)]
    public void RequestStop_OnAPendingJob_EndsItAtOnce_AtTheRequestsTime(JobState endState)
    {
        Job job = AJob().In(JobState.Pending);
        var request = new StopRequest(endState, "killed by ana", Now);

        var update = JobLifecycle.RequestStop(job, request);

        Assert.Equal((endState, EndCause.StopRequested, Now, "killed by ana", 6L),
            (update.Job.State, update.Job.EndCause, update.Job.EndedAt, update.Job.Reason, update.Job.Version));
        // The event a job ended that way gets from the executor too (one kind per outcome, whoever ends it).
        Assert.Equal(new JobEvent(Now, endState == JobState.Killed ? "killed" : "failed", "killed by ana"), update.Event);
        Assert.Null(update.Job.StopRequested);
        Assert.Null(update.Charge);
    }

    [Fact]
    public void RequestStop_OnAScheduledJobNotYetLaunched_EndsItAtOnce()
    {
        Job job = AJob().In(JobState.Scheduled).NoContainer();

        var update = JobLifecycle.RequestStop(job, new StopRequest(JobState.Killed, "killed by ana", Now));

        Assert.Equal((JobState.Killed, EndCause.StopRequested), (update.Job.State, update.Job.EndCause));
        Assert.Equal(new JobEvent(Now, "killed", "killed by ana"), update.Event);
    }

    [Fact]
    public void RequestStop_ARequeueOfAScheduledJobNotYetLaunched_PutsItBackAtOnce_WithoutAnEndCause()
    {
        Job job = AJob().In(JobState.Scheduled).NoContainer();

        var update = JobLifecycle.RequestStop(job, new StopRequest(JobState.Pending, "requeued by ana", Now));

        Assert.Equal((JobState.Pending, "requeued by ana", (string?)null), (update.Job.State, update.Job.Reason, update.Job.Node));
        Assert.Null(update.Job.EndCause);
        Assert.Null(update.Job.EndedAt);
        Assert.Equal(new JobEvent(Now, "requeued", "requeued by ana"), update.Event);
    }

    [Theory]
    [InlineData(JobState.Scheduled)] // launched: it has a container
    [InlineData(JobState.Running)]
    [InlineData(JobState.Suspended)]
    public void RequestStop_OnAStartedJob_RecordsTheRequest_ForTheExecutor(JobState state)
    {
        Job job = AJob().In(state).Started(T0);
        var request = new StopRequest(JobState.Killed, "killed by ana", Now);

        var update = JobLifecycle.RequestStop(job, request);

        Assert.Equal(job with { StopRequested = request, Version = 6 }, update.Job);
        Assert.Equal(new JobEvent(Now, "stop-requested", "killed by ana"), update.Event);
        Assert.Null(update.Charge);
    }

    [Fact]
    public void RequestStop_Twice_KeepsTheFirstRequest()
    {
        var first = new StopRequest(JobState.Failed, "walltime exceeded", T0);
        Job job = AJob().In(JobState.Running).Started(T0).StopRequested(first);

        var update = JobLifecycle.RequestStop(job, new StopRequest(JobState.Killed, "killed by ana", Now));

        Assert.False(update.Changed);
        Assert.Same(job, update.Job);
    }

    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Killed)]
    [InlineData(JobState.Rejected)]
    [InlineData(JobState.Archived)]
    public void RequestStop_OnAnEndedJob_ChangesNothing(JobState state)
    {
        Job job = AJob().In(state);

        var update = JobLifecycle.RequestStop(job, new StopRequest(JobState.Killed, "killed by ana", Now));

        Assert.False(update.Changed);
        Assert.Null(update.Event);
        Assert.Same(job, update.Job);
    }

    public static TheoryData<string?, string?, string?, string?, string?> Holds() => new()
    {
        // held before, hold asked (null: release), reason after, event kind (null: unchanged), event message
        { null, "user", "held by user", "held", "held by ana" },
        { null, "admin", "held by admin", "held", "held by ana" },
        { "user", "admin", "held by admin", "held", "held by ana" },
        { "user", null, "released, waiting for the scheduler", "released", "released by ana" },
        { "admin", null, "released, waiting for the scheduler", "released", "released by ana" },
        { "user", "user", "held by user", null, null },
        { null, null, "submitted, waiting for the scheduler", null, null },
    };

    [Theory]
    [MemberData(nameof(Holds))]
    public void SetHold_OnAPendingJob_HoldsOrReleases_AndTheSameHoldAgainChangesNothing(
        string? heldBefore, string? heldBy, string? reason, string? eventKind, string? eventMessage)
    {
        var builder = AJob().In(JobState.Pending);
        Job job = heldBefore is null ? builder : builder.Held(heldBefore);

        var update = JobLifecycle.SetHold(job, heldBy, "ana", Now);

        Assert.Equal((heldBy, reason), (update.Job.HeldBy, update.Job.Reason));
        Assert.Equal(eventKind is null ? null : new JobEvent(Now, eventKind, eventMessage!), update.Event);
        Assert.Equal(eventKind is null ? 5 : 6, update.Job.Version);
    }

    [Theory]
    [InlineData(JobState.Scheduled)]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Suspended)]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Killed)]
    [InlineData(JobState.Archived)]
    public void SetHold_OnAJobNotPending_IsRefused(JobState state)
    {
        Job job = AJob().In(state);

        var held = Assert.Throws<InvalidOperationException>(() => JobLifecycle.SetHold(job, "user", "ana", Now));
        var released = Assert.Throws<InvalidOperationException>(() => JobLifecycle.SetHold(job, null, "ana", Now));

        Assert.Equal($"job 42 is {state}: only a pending job can be held or released", held.Message);
        Assert.Equal(held.Message, released.Message);
    }

    [Theory]
    [InlineData(JobState.Pending)]
    [InlineData(JobState.Scheduled)]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Suspended)]
    public void SetPriorityAdjustment_OnAJobNotEnded_SetsIt(JobState state)
    {
        Job job = AJob().In(state);

        var update = JobLifecycle.SetPriorityAdjustment(job, -10, "root", Now);

        Assert.Equal(job with { PriorityAdjustment = -10, Version = 6 }, update.Job);
        Assert.Equal(new JobEvent(Now, "priority", "priority adjustment set to -10 by root"), update.Event);
    }

    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Killed)]
    [InlineData(JobState.Rejected)]
    [InlineData(JobState.Archived)]
    public void SetPriorityAdjustment_OnAnEndedJob_IsRefused(JobState state)
    {
        Job job = AJob().In(state);

        var error = Assert.Throws<InvalidOperationException>(() => JobLifecycle.SetPriorityAdjustment(job, 10, "root", Now));

        Assert.Equal($"job 42 has ended ({state})", error.Message);
    }
}
