using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Server.Auth;
using GoDocker.Server.Services;
using GoDocker.Server.Tests.UseCases;
using GoDocker.Storage;
using GoDocker.Storage.Dispatch;
using GoDocker.Storage.JobDirectories;
using GoDocker.Usage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Tests.Services;

/// <summary>
/// The attempt number fences a late launch: an order for an attempt the job has left (requeued when its node went down,
/// or placed again elsewhere as the next attempt) is acknowledged and dropped, never started, and the job is left as it is.
/// The executor loop runs for real over a SQLite store; the node is a recording executor (ours, not under test).
/// </summary>
public sealed class LateLaunchTests : UseCaseTest
{
    [Fact]
    public async Task ALaunchOrderForAnAttemptTheJobHasLeft_IsAcknowledged_AndNothingStarts()
    {
        var requeued = await RequeuedAsync(await RunningAsync(Alice));
        var placedAgain = await RequeuedAsync(await RunningAsync(Alice));
        Assert.Single(await Store.ApplyPlanAsync(
            new Plan([new(placedAgain.Id, placedAgain.Version, "n2", placedAgain.Spec.Resources)], new Dictionary<long, string>()),
            [new NodeInfo("n2", new Resources(4, 16L << 30, 0))], Ct));
        placedAgain = (await Store.GetAsync(placedAgain.Id, Ct))!;
        var node = new QuietNode("n1");
        using var queue = new InProcessDispatchQueue(Time, TimeSpan.FromMinutes(2));
        var dispatch = new CountingDispatch(queue);
        await dispatch.EnqueueAsync(new LaunchOrder(requeued.Id, 1, "n1"), Ct);
        await dispatch.EnqueueAsync(new LaunchOrder(placedAgain.Id, 1, "n1"), Ct);

        using var term = new CancellationTokenSource();
        var run = Service(node, dispatch).RunAsync(new Leadership("leader", "test", 1, Time.GetUtcNow().AddMinutes(1)), term.Token);
        await dispatch.Acked(2).WaitAsync(TimeSpan.FromSeconds(30));
        await term.CancelAsync();
        await run;

        Assert.Empty(node.Launches);
        Assert.Equal((JobState.Pending, 1, requeued.Version), await StateOfAsync(requeued.Id));
        Assert.Equal((JobState.Scheduled, 2, placedAgain.Version), await StateOfAsync(placedAgain.Id));
    }

    private async Task<Job> RequeuedAsync(Job running) =>
        await Store.TransitionAsync(new JobChange(running.Id, running.Version, JobState.Pending, "requeued", "requeued: node n1 down")
        {
            EndCause = EndCause.NodeDown,
        }, Ct);

    private async Task<(JobState, int, long)> StateOfAsync(long id) =>
        (await Store.GetAsync(id, Ct)) is { } job ? (job.State, job.Attempt, job.Version) : throw new KeyNotFoundException();

    private ExecutionService Service(IExecutor node, IDispatchQueue dispatch)
    {
        var auth = new AuthOptions();
        var nodes = new NodeRegistry([node], NodeStates, [], TimeSpan.FromMinutes(5), Time, NullLogger<NodeRegistry>.Instance);
        return new ExecutionService(
            Store, dispatch, nodes, new JobDirectory(Path.Combine(Settings.Server.DataDir, "jobs")), Scheduler, StopRequests, new OwnPauses(),
            new LaunchAuthorization(Accounts, new CallerResolver(Accounts, auth), Policy, auth),
            new UsageSampler(new MemoryUsageStore(), Time, Options.Create(Settings), NullLogger<UsageSampler>.Instance),
            new AttemptEnds(Store, NothingMeasured.Instance, Options.Create(Settings), NullLogger<AttemptEnds>.Instance), Time, Options.Create(Settings),
            new GoDocker.Server.Monitoring.ServerMetrics("test"), NullLogger<ExecutionService>.Instance);
    }

    /// <summary>A dispatch queue that counts acknowledgements.</summary>
    private sealed class CountingDispatch(IDispatchQueue inner) : IDispatchQueue
    {
        private readonly List<(int Count, TaskCompletionSource Done)> waiters = [];
        private int acked;

        public ValueTask EnqueueAsync(LaunchOrder order, CancellationToken cancellationToken) => inner.EnqueueAsync(order, cancellationToken);

        public async ValueTask<IDispatchLease> LeaseAsync(CancellationToken cancellationToken) => new Counted(await inner.LeaseAsync(cancellationToken), this);

        public Task Acked(int count)
        {
            lock (waiters)
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waiters.Add((count, done));
                Notify();
                return done.Task;
            }
        }

        private void Ack()
        {
            lock (waiters)
            {
                acked++;
                Notify();
            }
        }

        private void Notify()
        {
            foreach (var waiter in waiters.Where(w => acked >= w.Count))
            {
                waiter.Done.TrySetResult();
            }
        }

        private sealed class Counted(IDispatchLease lease, CountingDispatch queue) : IDispatchLease
        {
            public LaunchOrder Order => lease.Order;
            public int Delivery => lease.Delivery;

            public async ValueTask AckAsync(CancellationToken cancellationToken)
            {
                await lease.AckAsync(cancellationToken);
                queue.Ack();
            }

            public ValueTask NackAsync(TimeSpan redeliverAfter, CancellationToken cancellationToken) => lease.NackAsync(redeliverAfter, cancellationToken);
        }
    }
}
