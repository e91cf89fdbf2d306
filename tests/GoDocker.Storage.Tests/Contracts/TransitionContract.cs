using GoDocker.Jobs;
using GoDocker.Storage;

namespace GoDocker.Storage.Tests.Contracts;

public abstract class TransitionContract(IJobStoreProvider provider) : JobStoreTest(provider)
{
    [Fact]
    public async Task ALifeCycle_BumpsTheVersionAtEachStep_AndRecordsEachEventInOrder()
    {
        var job = await SubmitAsync();
        Time.Advance(TimeSpan.FromSeconds(1));
        job = await ScheduleAsync(job);
        Time.Advance(TimeSpan.FromSeconds(1));
        var startedAt = Time.GetUtcNow();
        job = await StartAsync(job);
        Time.Advance(TimeSpan.FromSeconds(1));
        job = await Store.TransitionAsync(new JobChange(job.Id, job.Version, JobState.Succeeded, "ended", "exit 0")
        {
            ExitCode = 0,
            EndedAt = Time.GetUtcNow(),
            Reason = "exited 0",
        }, Ct);
        Time.Advance(TimeSpan.FromSeconds(1));
        job = await MoveAsync(job, JobState.Archived, "archived");

        var stored = await GetAsync(job);
        Assert.Equal(JobState.Archived, stored.State);
        Assert.Equal(5, stored.Version);
        Assert.Equal($"container-{job.Id}", stored.ContainerId);   // kept when a change leaves it null
        Assert.Equal(0, stored.ExitCode);
        Assert.Equal(startedAt, stored.StartedAt);
        Assert.Equal(Start.AddSeconds(3), stored.EndedAt);
        Assert.Equal("n1", stored.Node);

        var events = await Store.GetEventsAsync(job.Id, Ct);
        Assert.Equal(["submitted", "scheduled", "started", "ended", "archived"], events.Select(e => e.Kind));
        Assert.Equal(Enumerable.Range(0, 5).Select(s => Start.AddSeconds(s)), events.Select(e => e.At));
    }

    [Fact]
    public async Task TheReturnedJob_IsWhatIsStored()
    {
        var running = await JobInStateAsync(JobState.Running);

        Assert.Equal(running with { Spec = null! }, (await GetAsync(running)) with { Spec = null! });
    }

    public static TheoryData<JobState, JobState> IllegalMoves() => new()
    {
        { JobState.Pending, JobState.Running },
        { JobState.Pending, JobState.Succeeded },
        { JobState.Pending, JobState.Archived },
        { JobState.Scheduled, JobState.Suspended },
        { JobState.Running, JobState.Scheduled },
        { JobState.Succeeded, JobState.Running },
        { JobState.Succeeded, JobState.Pending },
        { JobState.Failed, JobState.Pending },
        { JobState.Killed, JobState.Running },
        { JobState.Archived, JobState.Pending },
    };

    [Theory]
    [MemberData(nameof(IllegalMoves))]
    public async Task AnIllegalMove_Throws_AndChangesNothing(JobState from, JobState to)
    {
        var job = await JobInStateAsync(from);
        var eventsBefore = await EventKindsAsync(job);

        var error = await Assert.ThrowsAsync<IllegalTransitionException>(() => MoveAsync(job, to));

        Assert.Equal((job.Id, from, to), (error.JobId, error.From, error.To));
        var stored = await GetAsync(job);
        Assert.Equal(from, stored.State);
        Assert.Equal(job.Version, stored.Version);
        Assert.Equal(eventsBefore, await EventKindsAsync(job));
    }

    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Killed)]
    [InlineData(JobState.Rejected)]
    public async Task ATerminalJob_CanOnlyBeArchived(JobState terminal)
    {
        var job = await JobInStateAsync(terminal);

        foreach (var to in Enum.GetValues<JobState>().Where(s => s != JobState.Archived))
        {
            await Assert.ThrowsAsync<IllegalTransitionException>(() => MoveAsync(job, to));
        }
        var archived = await MoveAsync(job, JobState.Archived);

        Assert.Equal(JobState.Archived, (await GetAsync(archived)).State);
    }

    [Fact]
    public async Task AStaleVersion_Throws_AndNothingIsWritten()
    {
        var submitted = await SubmitAsync();
        var scheduled = await ScheduleAsync(submitted);          // version 2
        var eventsBefore = await EventKindsAsync(scheduled);

        var change = new JobChange(scheduled.Id, submitted.Version, JobState.Running, "started", "stale") { ContainerId = "c" };
        var error = await Assert.ThrowsAsync<JobVersionConflictException>(async () => await Store.TransitionAsync(change, Ct));

        Assert.Equal(scheduled.Id, error.JobId);
        var stored = await GetAsync(scheduled);
        Assert.Equal(JobState.Scheduled, stored.State);
        Assert.Equal(2, stored.Version);
        Assert.Null(stored.ContainerId);
        Assert.Equal(eventsBefore, await EventKindsAsync(scheduled));
    }

    [Fact]
    public async Task TwoWritersOfTheSameVersion_OnlyOneWins()
    {
        var job = await JobInStateAsync(JobState.Running);

        var outcomes = await Task.WhenAll(
            Outcome(() => MoveAsync(job, JobState.Succeeded)),
            Outcome(() => MoveAsync(job, JobState.Killed)));

        Assert.Single(outcomes, o => o is null);
        Assert.Single(outcomes, o => o is JobVersionConflictException);
        var stored = await GetAsync(job);
        Assert.Equal(job.Version + 1, stored.Version);
        Assert.Equal(4, (await EventKindsAsync(job)).Length);   // submitted, scheduled, started, one end

        static async Task<Exception?> Outcome(Func<Task> move)
        {
            try
            {
                await move();
                return null;
            }
            catch (JobVersionConflictException e)
            {
                return e;
            }
        }
    }

    [Fact]
    public async Task AnUnknownJob_IsAKeyNotFound()
    {
        await Assert.ThrowsAsync<KeyNotFoundException>(async () =>
            await Store.TransitionAsync(new JobChange(404, 1, JobState.Scheduled, "x", "x"), Ct));
    }

    [Fact]
    public async Task Requeue_ClearsWhereTheJobRan_AndTheNextPlacementIsAttempt2()
    {
        var running = await JobInStateAsync(JobState.Running);

        var requeued = await Store.TransitionAsync(new JobChange(running.Id, running.Version, JobState.Pending, "requeued", "node lost")
        {
            Reason = "requeued: node lost",
        }, Ct);

        var stored = await GetAsync(requeued);
        Assert.Equal(JobState.Pending, stored.State);
        Assert.Equal("requeued: node lost", stored.Reason);
        Assert.Null(stored.Node);
        Assert.Null(stored.ContainerId);
        Assert.Null(stored.StartedAt);
        Assert.Null(stored.ScheduledAt);
        Assert.Equal(1, stored.Attempt);

        var applied = Assert.Single(await ApplyAsync(Place(stored, "n2")));
        Assert.Equal(new AppliedPlacement(stored.Id, 2, "n2"), applied);
    }

    [Fact]
    public async Task AnEnd_KeepsTheTaskRunLogItCarries_AndANewAttemptStartsWithout()
    {
        var log = new GoDocker.Tes.TaskRunLog(
            [new GoDocker.Tes.TaskRunStep(0, new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 4, 10, 0, 5, TimeSpan.Zero), 3)],
            [new GoDocker.Tes.TaskRunOutput("file:///data/out.txt", "/work/out.txt", 12)],
            ["output 1: missing"]);
        var running = await JobInStateAsync(JobState.Running);
        var other = await JobInStateAsync(JobState.Running);

        var ended = await Store.TransitionAsync(JobLifecycle.End(running, JobState.Failed, GoDocker.Execution.EndCause.Exited, "exit code 3", running.StartedAt!.Value.AddSeconds(5), exitCode: 3) with { TaskLog = log }, Ct);
        var requeued = await Store.TransitionAsync(new JobChange(other.Id, other.Version, JobState.Pending, "requeued", "node lost") { Reason = "requeued", TaskLog = log }, Ct);

        var stored = (await GetAsync(ended)).TaskLog!;
        Assert.Equal(log.Steps, stored.Steps);
        Assert.Equal(log.Outputs, stored.Outputs);
        Assert.Equal(log.SystemErrors, stored.SystemErrors);
        Assert.Null((await GetAsync(requeued)).TaskLog);
    }

    [Fact]
    public async Task AppendEvent_AddsToTheTimeline_WithoutChangingTheJob()
    {
        var job = await SubmitAsync();
        var other = await SubmitAsync();

        await Store.AppendEventAsync(job.Id, new JobEvent(Start.AddMinutes(1), "note", "first"), Ct);
        await Store.AppendEventAsync(job.Id, new JobEvent(Start.AddMinutes(2), "note", "second"), Ct);

        var events = await Store.GetEventsAsync(job.Id, Ct);
        Assert.Equal(["submitted", "first", "second"], events.Select(e => e.Kind == "note" ? e.Message : e.Kind));
        Assert.Equal(Start.AddMinutes(2), events[2].At);
        Assert.Single(await Store.GetEventsAsync(other.Id, Ct));
        Assert.Equal(1, (await GetAsync(job)).Version);
    }
}
