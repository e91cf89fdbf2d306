using GoDocker.Jobs;
using GoDocker.Storage;

namespace GoDocker.Storage.Tests.Contracts;

public abstract class RequestStopContract(IJobStoreProvider provider) : JobStoreTest(provider)
{
    private StopRequest KillBy(string who) => new(JobState.Killed, $"killed by {who}", Time.GetUtcNow());

    [Fact]
    public async Task APendingJob_EndsAtOnce()
    {
        var job = await SubmitAsync();
        Time.Advance(TimeSpan.FromMinutes(1));
        var request = KillBy("alice");

        var stopped = await Store.RequestStopAsync(job.Id, request, Ct);

        var stored = await GetAsync(job);
        Assert.Equal(stopped with { Spec = null! }, stored with { Spec = null! });
        Assert.Equal(JobState.Killed, stored.State);
        Assert.Equal("killed by alice", stored.Reason);
        Assert.Equal(request.At, stored.EndedAt);
        Assert.Null(stored.StopRequested);       // nothing left for an executor to do
        Assert.Equal(2, stored.Version);
        Assert.Equal(["submitted", "killed"], await EventKindsAsync(job));
    }

    [Fact]
    public async Task AScheduledJobWithNoContainerYet_EndsAtOnce()
    {
        var job = await JobInStateAsync(JobState.Scheduled);

        var stopped = await Store.RequestStopAsync(job.Id, KillBy("alice"), Ct);

        Assert.Equal(JobState.Killed, stopped.State);
        Assert.Equal(JobState.Killed, (await GetAsync(job)).State);
        Assert.DoesNotContain(await Store.ListActiveAsync(Ct), j => j.Id == job.Id);
    }

    [Theory]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Suspended)]
    public async Task AStartedJob_KeepsRunning_WithTheRequestRecordedForTheExecutor(JobState started)
    {
        var job = await JobInStateAsync(started);
        var request = KillBy("alice");

        var stopping = await Store.RequestStopAsync(job.Id, request, Ct);

        var stored = await GetAsync(job);
        Assert.Equal(started, stored.State);
        Assert.False(stored.State.IsTerminal());
        Assert.Equal(request, stored.StopRequested);
        Assert.Equal(job.Version + 1, stored.Version);
        Assert.Equal(stored.Version, stopping.Version);
        Assert.Equal(request, stopping.StopRequested);
        var last = (await Store.GetEventsAsync(job.Id, Ct))[^1];
        Assert.Equal(("stop-requested", "killed by alice"), (last.Kind, last.Message));
    }

    [Fact]
    public async Task AskingAgain_ChangesNothing()
    {
        var job = await JobInStateAsync(JobState.Running);
        var first = await Store.RequestStopAsync(job.Id, KillBy("alice"), Ct);
        var eventsAfterFirst = await EventKindsAsync(job);
        Time.Advance(TimeSpan.FromSeconds(10));

        var second = await Store.RequestStopAsync(job.Id, KillBy("the walltime watcher"), Ct);

        Assert.Equal(first.Version, second.Version);
        Assert.Equal("killed by alice", second.StopRequested!.Reason);
        var stored = await GetAsync(job);
        Assert.Equal(first.Version, stored.Version);
        Assert.Equal("killed by alice", stored.StopRequested!.Reason);
        Assert.Equal(eventsAfterFirst, await EventKindsAsync(job));
    }

    [Fact]
    public async Task TheExecutorClearsTheRequest_WhenItApplies()
    {
        var job = await JobInStateAsync(JobState.Running);
        var stopping = await Store.RequestStopAsync(job.Id, KillBy("alice"), Ct);

        await Store.TransitionAsync(new JobChange(job.Id, stopping.Version, JobState.Killed, "ended", "killed by alice")
        {
            ClearStopRequest = true,
        }, Ct);

        var stored = await GetAsync(job);
        Assert.Equal(JobState.Killed, stored.State);
        Assert.Null(stored.StopRequested);
    }

    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Killed)]
    [InlineData(JobState.Rejected)]
    [InlineData(JobState.Archived)]
    public async Task AnEndedJob_IsReturnedUnchanged(JobState ended)
    {
        var job = await JobInStateAsync(ended);
        var eventsBefore = await EventKindsAsync(job);

        var returned = await Store.RequestStopAsync(job.Id, KillBy("alice"), Ct);

        var stored = await GetAsync(job);
        Assert.Equal(job with { Spec = null! }, stored with { Spec = null! });
        Assert.Equal(stored with { Spec = null! }, returned with { Spec = null! });
        Assert.Equal(eventsBefore, await EventKindsAsync(job));
    }

    [Fact]
    public async Task AnUnknownJob_IsAKeyNotFound()
    {
        await Assert.ThrowsAsync<KeyNotFoundException>(async () => await Store.RequestStopAsync(404, KillBy("alice"), Ct));
    }
}
