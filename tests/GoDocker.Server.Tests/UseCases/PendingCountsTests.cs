using System.Reflection;
using GoDocker.Jobs;
using GoDocker.Server.UseCases;
using GoDocker.Storage;

namespace GoDocker.Server.Tests.UseCases;

public sealed class PendingCountsTests : UseCaseTest
{
    [Fact]
    public async Task SubmitsThatFindTheCountStaleTogether_WaitForOneRead()
    {
        await SubmittedAsync(Alice);
        await SubmittedAsync(Alice);
        var store = ListCountingStore.Over(Store);
        var counts = new PendingCounts(store.AsStore, Time);

        var burst = Enumerable.Range(0, 8).Select(_ => counts.CountAsync("alice", Ct)).ToArray();
        store.Open();

        Assert.All(await Task.WhenAll(burst), count => Assert.Equal(2, count));
        Assert.Equal(1, store.Lists);
    }

    [Fact]
    public async Task ACount_IsIncrementedLocally_ThenReadAgainAfterTwoSeconds()
    {
        await SubmittedAsync(Alice);
        var store = ListCountingStore.Over(Store);
        store.Open();
        var counts = new PendingCounts(store.AsStore, Time);

        Assert.Equal(1, await counts.CountAsync("alice", Ct));
        counts.Added("alice");
        Assert.Equal(2, await counts.CountAsync("alice", Ct));
        Assert.Equal(1, store.Lists);

        Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await counts.CountAsync("alice", Ct));
        Assert.Equal(2, store.Lists);
    }

    /// <summary>The store, with every <see cref="IJobStore.ListAsync"/> counted and held until <see cref="Open"/>.</summary>
    public class ListCountingStore : DispatchProxy
    {
        private readonly TaskCompletionSource opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private IJobStore inner = null!;
        private int lists;

        public int Lists => Volatile.Read(ref lists);

        public static ListCountingStore Over(IJobStore inner)
        {
            var counting = (ListCountingStore)Create<IJobStore, ListCountingStore>();
            counting.inner = inner;
            return counting;
        }

        public IJobStore AsStore => (IJobStore)this;

        public void Open() => opened.TrySetResult();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IJobStore.ListAsync))
            {
                Interlocked.Increment(ref lists);
                return new ValueTask<JobPage>(HeldAsync((JobQuery)args![0]!, (CancellationToken)args[1]!));
            }
            return targetMethod.Invoke(inner, args);
        }

        private async Task<JobPage> HeldAsync(JobQuery query, CancellationToken cancellationToken)
        {
            await opened.Task.WaitAsync(cancellationToken);
            return await inner.ListAsync(query, cancellationToken);
        }
    }
}
