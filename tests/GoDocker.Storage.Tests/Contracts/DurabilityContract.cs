using System.Collections.Concurrent;
using GoDocker.Jobs;
using GoDocker.Storage;

namespace GoDocker.Storage.Tests.Contracts;

public abstract class DurabilityContract(IJobStoreProvider provider) : JobStoreTest(provider)
{
    [Fact]
    public async Task Jobs_AndTheirTimelines_SurviveReopeningTheStore()
    {
        var pending = await SubmitAsync();
        var running = await JobInStateAsync(JobState.Running);
        var stopping = await Store.RequestStopAsync(running.Id, new StopRequest(JobState.Killed, "killed by alice", Time.GetUtcNow()), Ct);
        var eventsBefore = await Store.GetEventsAsync(running.Id, Ct);

        await ReopenAsync();

        Assert.Equal(pending with { Spec = null! }, (await GetAsync(pending)) with { Spec = null! });
        var reread = await GetAsync(running);
        Assert.Equal(stopping with { Spec = null! }, reread with { Spec = null! });
        Assert.Equal(running.Spec.Cpus, reread.Spec.Cpus);
        Assert.Equal(eventsBefore, await Store.GetEventsAsync(running.Id, Ct));
        Assert.Equal([running.Id], (await Store.ListActiveAsync(Ct)).Select(j => j.Id));

        var next = await SubmitAsync();
        Assert.True(next.Id > running.Id, "ids are not reused after a reopen");
    }

    [Fact]
    public async Task Meta_IsCreatedOnce_AndStableAcrossReopen()
    {
        var created = 0;
        string Create()
        {
            created++;
            return Guid.NewGuid().ToString("N");
        }

        var first = await GetOrCreateMetaAsync("instance-id", Create);
        var again = await GetOrCreateMetaAsync("instance-id", Create);
        await ReopenAsync();
        var afterReopen = await GetOrCreateMetaAsync("instance-id", Create);
        var other = await GetOrCreateMetaAsync("other-key", Create);

        Assert.Equal(first, again);
        Assert.Equal(first, afterReopen);
        Assert.NotEqual(first, other);
        Assert.Equal(2, created);
    }

    [Fact]
    public async Task ConcurrentSubmits_GetDistinctIds_AndAllAreStored()
    {
        const int Writers = 8;
        const int JobsEach = 200;
        var ids = new ConcurrentBag<long>();

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < JobsEach; i++)
            {
                ids.Add((await SubmitAsync($"user{w}")).Id);
            }
        })));

        Assert.Equal(Writers * JobsEach, ids.Count);
        Assert.Equal(Writers * JobsEach, ids.Distinct().Count());
        var all = await Store.ListAsync(new JobQuery { Limit = 10_000 }, Ct);
        Assert.Equal(Writers * JobsEach, all.Total);
        Assert.Equal(ids.Order(), all.Items.Select(j => j.Id));
        Assert.Equal(JobsEach, (await Store.ListAsync(new JobQuery { Owner = "user3" }, Ct)).Total);
    }

    [Fact]
    public async Task ReadsProceed_WhileWritesAreUnderway()
    {
        var writing = Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await SubmitAsync();
            }
        });
        long lastTotal = 0;
        while (!writing.IsCompleted)
        {
            var total = (await Store.ListAsync(new JobQuery { Limit = 1 }, Ct)).Total;
            Assert.True(total >= lastTotal, "a reader saw jobs disappear");
            lastTotal = total;
        }
        await writing;

        Assert.Equal(200, (await Store.ListAsync(new JobQuery(), Ct)).Total);
    }
}
