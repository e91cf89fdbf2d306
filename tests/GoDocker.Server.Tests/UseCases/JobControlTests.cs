using GoDocker.Access;
using GoDocker.Jobs;
using GoDocker.Server.UseCases;

namespace GoDocker.Server.Tests.UseCases;

public sealed class JobControlTests : UseCaseTest
{
    private static readonly Caller Manager = User("carol", "default");

    public static TheoryData<string> Controls => ["kill", "requeue", "hold", "release", "suspend", "resume"];

    private Task<ControlOutcome> ControlAsync(string control, Caller caller, long id) => control switch
    {
        "kill" => Control().KillAsync(caller, id, Ct),
        "requeue" => Control().RequeueAsync(caller, id, Ct),
        "hold" => Control().HoldAsync(caller, id, Ct),
        "release" => Control().ReleaseAsync(caller, id, Ct),
        "suspend" => Control().SuspendAsync(caller, id, Ct),
        "resume" => Control().ResumeAsync(caller, id, Ct),
        _ => throw new ArgumentOutOfRangeException(nameof(control)),
    };

    [Theory]
    [MemberData(nameof(Controls))]
    public async Task AJobTheCallerMayNotSee_IsNotFound_AsAJobThatDoesNotExist(string control)
    {
        var alices = await SubmittedAsync(Alice);

        Assert.Equal(new ControlOutcome.NotFound(alices.Id), await ControlAsync(control, Bob, alices.Id));
        Assert.Equal(new ControlOutcome.NotFound(999), await ControlAsync(control, Bob, 999));
        Assert.Equal(JobState.Pending, (await GetAsync(alices.Id)).State);
    }

    [Theory]
    [MemberData(nameof(Controls))]
    public async Task AJobTheCallerMaySeeButNotControl_IsForbidden(string control)
    {
        Policy = new AccessPolicy { ManagersControlProjectJobs = false };
        var alices = await SubmittedAsync(Alice);

        var outcome = await ControlAsync(control, Manager, alices.Id);

        Assert.Equal(new ControlOutcome.Forbidden($"you may see job {alices.Id} but not control it"), outcome);
    }

    [Fact]
    public async Task Kill_OfAPendingJob_EndsItAtOnce_WithNothingForTheExecutor()
    {
        var job = await SubmittedAsync(Alice);

        var killed = Assert.IsType<ControlOutcome.Done>(await Control().KillAsync(Alice, job.Id, Ct)).Job;

        Assert.Equal((JobState.Killed, "killed by alice", null), (killed.State, killed.Reason, killed.StopRequested));
        Assert.False(await SignalledWithinAsync(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task Kill_OfARunningJob_RecordsTheStop_AndSignalsTheExecutorLoop()
    {
        var job = await RunningAsync(Alice);

        var stopping = Assert.IsType<ControlOutcome.Done>(await Control().KillAsync(Manager, job.Id, Ct)).Job;

        Assert.Equal(JobState.Running, stopping.State);
        Assert.Equal((JobState.Killed, "killed by carol"), (stopping.StopRequested!.EndState, stopping.StopRequested.Reason));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Assert.Equal(job.Id, await StopRequests.NextAsync(timeout.Token));
    }

    [Fact]
    public async Task Requeue_OfARunningJob_RecordsAStopBackToPending()
    {
        var job = await RunningAsync(Alice);

        var requeued = Assert.IsType<ControlOutcome.Done>(await Control().RequeueAsync(Alice, job.Id, Ct)).Job;

        Assert.Equal((JobState.Pending, "requeued by alice"), (requeued.StopRequested!.EndState, requeued.StopRequested.Reason));
    }

    [Fact]
    public async Task Requeue_OfAPendingJob_IsAConflict_NamingTheState()
    {
        var job = await SubmittedAsync(Alice);

        var outcome = await Control().RequeueAsync(Alice, job.Id, Ct);

        Assert.Equal(new ControlOutcome.Conflict($"job {job.Id} is Pending: only a scheduled, running or suspended job can be requeued"), outcome);
    }

    [Theory]
    [InlineData("alice", "user")]        // the owner's own hold
    [InlineData("root-admin", "admin")]  // an administrator's hold of another's job
    public async Task Hold_RecordsWhoseHoldItIs(string by, string heldBy)
    {
        var job = await SubmittedAsync(Alice);

        var held = Assert.IsType<ControlOutcome.Done>(await Control().HoldAsync(by == "alice" ? Alice : Admin, job.Id, Ct)).Job;

        Assert.Equal(heldBy, held.HeldBy);
    }

    [Fact]
    public async Task Release_OfAnAdministratorsHold_IsForbiddenToTheOwner_AndDoneByAnAdministrator()
    {
        var job = await SubmittedAsync(Alice);
        await Control().HoldAsync(Admin, job.Id, Ct);

        var byOwner = await Control().ReleaseAsync(Alice, job.Id, Ct);
        var byAdmin = await Control().ReleaseAsync(Admin, job.Id, Ct);

        Assert.Equal(new ControlOutcome.Forbidden($"job {job.Id} is held by an administrator; only an administrator can release it"), byOwner);
        Assert.Null(Assert.IsType<ControlOutcome.Done>(byAdmin).Job.HeldBy);
    }

    [Fact]
    public async Task Hold_OfAnEndedJob_IsAConflict()
    {
        var job = await SubmittedAsync(Alice);
        await Control().KillAsync(Alice, job.Id, Ct);

        Assert.IsType<ControlOutcome.Conflict>(await Control().HoldAsync(Alice, job.Id, Ct));
    }

    [Theory]
    [InlineData("suspend", JobState.Pending, "job {0} is Pending: only a running job can be suspended")]
    [InlineData("resume", JobState.Pending, "job {0} is Pending: only a suspended job can be resumed")]
    [InlineData("suspend", JobState.Running, "node n1 is not served by this server")]
    public async Task SuspendOrResume_ThatCannotBeDone_IsAConflict_SayingWhy(string control, JobState state, string reason)
    {
        var job = state == JobState.Running ? await RunningAsync(Alice) : await SubmittedAsync(Alice);

        var outcome = await ControlAsync(control, Alice, job.Id);

        Assert.Equal(new ControlOutcome.Conflict(string.Format(System.Globalization.CultureInfo.InvariantCulture, reason, job.Id)), outcome);
        Assert.Equal(state, (await GetAsync(job.Id)).State);
    }

    [Theory]
    [InlineData(1_000_000_001)]
    [InlineData(-1_000_000_001)]
    [InlineData(int.MinValue)]
    public async Task SetPriority_OutOfRange_IsInvalid_NamingTheAdjustment(int adjustment)
    {
        var job = await SubmittedAsync(Alice);

        var outcome = await Control().SetPriorityAsync(Admin, job.Id, adjustment, Ct);

        Assert.Equal(new ControlOutcome.Invalid("adjustment", "the adjustment must be between -1000000000 and 1000000000"), outcome);
    }

    [Fact]
    public async Task SetPriority_IsAnAdministrators_AndWakesTheScheduler()
    {
        var job = await SubmittedAsync(Alice);
        await Scheduler.WaitAsync(TimeSpan.Zero, Time, Ct); // the submit's poke

        var byOwner = await Control().SetPriorityAsync(Alice, job.Id, 5, Ct);
        var byAdmin = await Control().SetPriorityAsync(Admin, job.Id, 1_000_000_000, Ct);

        Assert.IsType<ControlOutcome.Forbidden>(byOwner);
        Assert.Equal(1_000_000_000, Assert.IsType<ControlOutcome.Done>(byAdmin).Job.PriorityAdjustment);
        Assert.True(Scheduler.WaitAsync(TimeSpan.FromSeconds(5), TimeProvider.System, Ct).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task SetPriority_OfAMissingOrEndedJob_IsNotFoundOrAConflict()
    {
        var job = await SubmittedAsync(Alice);
        await Control().KillAsync(Alice, job.Id, Ct);

        Assert.Equal(new ControlOutcome.NotFound(999), await Control().SetPriorityAsync(Admin, 999, 1, Ct));
        Assert.Equal(new ControlOutcome.Conflict($"job {job.Id} has ended (Killed)"), await Control().SetPriorityAsync(Admin, job.Id, 1, Ct));
    }

    [Fact]
    public async Task KillArray_KillsEveryTaskNotEnded_AndIsNotFoundToWhoeverMayNotSeeIt()
    {
        var tasks = Assert.IsType<SubmitOutcome.Stored>(await Submission().SubmitAsync(Alice, ASpec() with { Array = "1-3" }, null, Ct)).Jobs;
        await Control().KillAsync(Alice, tasks[0].Id, Ct);
        var arrayId = tasks[0].Id;

        var byBob = await Control().KillArrayAsync(Bob, arrayId, Ct);
        var byAlice = Assert.IsType<ArrayOutcome.Done>(await Control().KillArrayAsync(Alice, arrayId, Ct));

        Assert.Equal(new ArrayOutcome.NotFound(arrayId), byBob);
        Assert.All(byAlice.Tasks, t => Assert.Equal(JobState.Killed, t.State));
        Assert.Equal(["killed by alice", $"array {arrayId} killed by alice", $"array {arrayId} killed by alice"], byAlice.Tasks.Select(t => t.Reason));
    }

    [Fact]
    public async Task KillArray_ByWhoeverMaySeeButNotControlIt_IsForbidden()
    {
        Policy = new AccessPolicy { ManagersControlProjectJobs = false };
        var tasks = Assert.IsType<SubmitOutcome.Stored>(await Submission().SubmitAsync(Alice, ASpec() with { Array = "1-2" }, null, Ct)).Jobs;

        var outcome = await Control().KillArrayAsync(Manager, tasks[0].Id, Ct);

        Assert.Equal(new ArrayOutcome.Forbidden($"you may see array {tasks[0].Id} but not control it"), outcome);
        Assert.All(await Control().ArrayTasksAsync(Alice, tasks[0].Id, Ct), t => Assert.Equal(JobState.Pending, t.State));
    }

    private async Task<bool> SignalledWithinAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            await StopRequests.NextAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
