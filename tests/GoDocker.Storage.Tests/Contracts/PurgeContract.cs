using GoDocker.Execution;
using GoDocker.Jobs;

namespace GoDocker.Storage.Tests.Contracts;

/// <summary>
/// An operator's purge of old ended jobs: selected by end time, owner and state, never a job that has not ended; deleting
/// removes the job, its timeline and tags, and keeps the accounting records and usage charges (the history).
/// </summary>
public abstract class PurgeContract(IJobStoreProvider provider) : JobStoreTest(provider)
{
    private async Task<Job> EndedAsync(JobState to, string owner = "alice", SpecBuilder? spec = null)
    {
        var job = await SubmitAsync(spec ?? SpecBuilder.ASpec(), owner);
        if (to == JobState.Killed)
        {
            return await Store.RequestStopAsync(job.Id, new StopRequest(JobState.Killed, "killed by alice", Time.GetUtcNow()), Ct);
        }
        var running = await StartAsync(await ScheduleAsync(job));
        Time.Advance(TimeSpan.FromSeconds(10));
        return await Store.TransitionAsync(JobLifecycle.End(running, to, EndCause.Exited, "exited", Time.GetUtcNow(), exitCode: to == JobState.Succeeded ? 0 : 1), Ct);
    }

    private async Task<long[]> PurgeableAsync(PurgeQuery query) => [.. (await Store.ListPurgeableAsync(query, Ct)).Select(j => j.Id)];

    [Fact]
    public async Task OnlyJobsEndedBeforeTheTime_OfTheOwnerAndStates_AreSelected_NeverOnesNotEnded()
    {
        var old = await EndedAsync(JobState.Succeeded);
        var oldFailed = await EndedAsync(JobState.Failed);
        var bobs = await EndedAsync(JobState.Succeeded, owner: "bob");
        var killed = await EndedAsync(JobState.Killed);
        var pending = await SubmitAsync();
        var running = await StartAsync(await ScheduleAsync(await SubmitAsync()));
        Time.Advance(TimeSpan.FromDays(2));
        var recent = await EndedAsync(JobState.Succeeded);
        var cutoff = Time.GetUtcNow().AddDays(-1);

        Assert.Equal([old.Id, oldFailed.Id, bobs.Id, killed.Id], await PurgeableAsync(new PurgeQuery(cutoff)));
        Assert.Equal([old.Id, oldFailed.Id, killed.Id], await PurgeableAsync(new PurgeQuery(cutoff) { Owner = "alice" }));
        Assert.Equal([oldFailed.Id], await PurgeableAsync(new PurgeQuery(cutoff) { Owner = "alice", States = [JobState.Failed] }));
        Assert.Equal([old.Id, oldFailed.Id], await PurgeableAsync(new PurgeQuery(cutoff) { Limit = 2 }));
        // Asking for states that have not ended selects nothing: a purge never reaches pending or running jobs.
        Assert.Empty(await PurgeableAsync(new PurgeQuery(Time.GetUtcNow().AddDays(1)) { States = [JobState.Pending, JobState.Running] }));
        Assert.DoesNotContain(pending.Id, await PurgeableAsync(new PurgeQuery(Time.GetUtcNow().AddDays(1))));
        Assert.DoesNotContain(running.Id, await PurgeableAsync(new PurgeQuery(Time.GetUtcNow().AddDays(1))));
        Assert.Contains(recent.Id, await PurgeableAsync(new PurgeQuery(Time.GetUtcNow().AddDays(1))));
    }

    [Fact]
    public async Task Deleting_RemovesTheJobAndItsTimeline_KeepsAccounting_AndLeavesJobsNotEndedAlone()
    {
        var ended = await EndedAsync(JobState.Succeeded, spec: SpecBuilder.ASpec().Tags("purge-me"));
        var other = await EndedAsync(JobState.Failed);
        var running = await StartAsync(await ScheduleAsync(await SubmitAsync()));
        var pending = await SubmitAsync();
        var before = (await Store.ListAccountingAsync(new AccountingQuery(), Ct)).Items.Count;
        var cpuSeconds = await Store.CpuSecondsSinceAsync(GoDocker.Usage.AccountKind.User, "alice", Start, Ct);

        var deleted = await Store.DeleteEndedAsync([ended.Id, running.Id, pending.Id, 999_999], Ct);

        Assert.Equal([ended.Id], deleted);
        Assert.Null(await Store.GetAsync(ended.Id, Ct));
        Assert.Empty(await Store.GetEventsAsync(ended.Id, Ct));
        Assert.Empty((await Store.ListAsync(new JobQuery { Tag = "purge-me" }, Ct)).Items);
        Assert.Equal(JobState.Running, (await GetAsync(running)).State);
        Assert.Equal(JobState.Pending, (await GetAsync(pending)).State);
        Assert.Equal(JobState.Failed, (await GetAsync(other)).State);
        // The history stays: accounting records and the charges fair share and quotas read.
        var records = (await Store.ListAccountingAsync(new AccountingQuery(), Ct)).Items;
        Assert.Equal(before, records.Count);
        Assert.Contains(records, r => r.JobId == ended.Id);
        Assert.Equal(cpuSeconds, await Store.CpuSecondsSinceAsync(GoDocker.Usage.AccountKind.User, "alice", Start, Ct), 6);
        // Again: nothing left to delete.
        Assert.Empty(await Store.DeleteEndedAsync([ended.Id], Ct));
    }

    [Fact]
    public async Task APurgedJobsId_IsNeverGivenAgain()
    {
        var ended = await EndedAsync(JobState.Succeeded);
        Assert.Equal([ended.Id], await Store.DeleteEndedAsync([ended.Id], Ct));
        await ReopenAsync();

        var next = await SubmitAsync();

        // A new job with the purged id would inherit its archived directory.
        Assert.True(next.Id > ended.Id);
    }
}
