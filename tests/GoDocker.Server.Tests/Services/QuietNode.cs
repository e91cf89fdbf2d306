using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Scheduling;

namespace GoDocker.Server.Tests.Services;

/// <summary>
/// A node for tests of what sits above the executors (ours, not under test): it describes itself with
/// <paramref name="capacity"/> (4 cpus, 16 GiB unless told) or fails as <see cref="Failure"/> says, holds no container,
/// runs nothing (every launch is refused) and records every launch asked of it.
/// </summary>
internal sealed class QuietNode(string node, Resources? capacity = null) : IExecutor
{
    /// <summary>What describing the node throws; null: it answers.</summary>
    public Exception? Failure { get; set; }
    public List<LaunchRequest> Launches { get; } = [];
    /// <summary>What sampling a container reads (by container id); null: no sample, as for a container gone.</summary>
    public Func<string, GoDocker.Usage.UsageSample?> Usage { get; set; } = _ => null;
    public string Name => "quiet";
    public string NodeName => node;

    public ValueTask<NodeInfo> DescribeAsync(CancellationToken cancellationToken) =>
        Failure is { } failure
            ? ValueTask.FromException<NodeInfo>(failure)
            : ValueTask.FromResult(new NodeInfo(node, capacity ?? new Resources(4, 16L << 30, 0)));

    public ValueTask<LaunchOutcome> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        lock (Launches)
        {
            Launches.Add(request);
        }
        return ValueTask.FromResult<LaunchOutcome>(new LaunchOutcome.Refused("a quiet node runs nothing"));
    }

    public async ValueTask<ContainerExit> WaitAsync(string containerId, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new OperationCanceledException(cancellationToken);
    }

    public ValueTask StopAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    public ValueTask PauseAsync(string containerId, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    public ValueTask UnpauseAsync(string containerId, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    public ValueTask RemoveAsync(string containerId, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    public ValueTask<IReadOnlyList<RecoveredContainer>> RecoverAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<RecoveredContainer>>([]);
    public Task WatchAsync(Func<ContainerSignal, ValueTask> report, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
    public ValueTask<GoDocker.Usage.UsageSample?> SampleAsync(string containerId, CancellationToken cancellationToken) => ValueTask.FromResult(Usage(containerId));
}
