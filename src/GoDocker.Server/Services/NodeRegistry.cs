using GoDocker.Execution;
using GoDocker.Scheduling;

namespace GoDocker.Server.Services;

/// <summary>
/// The nodes this server places jobs on, each served by one executor, with the capacity each reported
/// last. A node takes jobs only once its executor has reconciled its containers with the store
/// (<see cref="MarkRecovered"/>) and while its engine answers; otherwise it stays listed, unschedulable, with why.
/// </summary>
public sealed class NodeRegistry(IReadOnlyList<IExecutor> executors, ILogger<NodeRegistry> logger)
{
    private readonly Dictionary<IExecutor, NodeStatus> statuses = executors.ToDictionary(
        e => e,
        e => new NodeStatus(new NodeInfo(e.NodeName, 0, 0) { Schedulable = false, Unavailable = "not contacted yet" }, e.Name, "not contacted yet", Recovered: false));
    private readonly Lock gate = new();

    public IReadOnlyList<IExecutor> Executors { get; } = executors;

    public IReadOnlyList<NodeStatus> Statuses
    {
        get
        {
            lock (gate)
            {
                return [.. statuses.Values];
            }
        }
    }

    /// <summary>Nodes as the scheduler sees them.</summary>
    public IReadOnlyList<NodeInfo> Nodes => [.. Statuses.Select(s => s.Node)];

    /// <summary>The largest cpus and memory any reachable node offers; null until a node has answered.</summary>
    public (double Cpus, long MemoryBytes)? Largest
    {
        get
        {
            var known = Statuses.Where(s => s.Error is null).Select(s => s.Node).ToList();
            return known.Count == 0 ? null : (known.Max(n => n.Cpus), known.Max(n => n.MemoryBytes));
        }
    }

    public IExecutor? ExecutorFor(string node) => Executors.FirstOrDefault(e => e.NodeName == node);

    /// <summary>The executor has re-attached or resolved every container it found: its node may take jobs.</summary>
    public void MarkRecovered(IExecutor executor)
    {
        lock (gate)
        {
            statuses[executor] = With(statuses[executor], recovered: true);
        }
    }

    /// <summary>Asks every executor for its node; keeps the last good capacity of one that fails.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        foreach (var executor in Executors)
        {
            NodeInfo? node = null;
            string? error = null;
            try
            {
                node = await executor.DescribeAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                error = e.Message;
            }
            lock (gate)
            {
                var previous = statuses[executor];
                if (error is not null && previous.Error is null)
                {
                    logger.LogWarning("node {Node} unreachable: {Error}", executor.NodeName, error);
                }
                else if (error is null && previous.Error is not null && previous.Node.Cpus > 0)
                {
                    logger.LogInformation("node {Node} reachable again", executor.NodeName);
                }
                statuses[executor] = With(previous with { Node = node ?? previous.Node, Error = error }, previous.Recovered);
            }
        }
    }

    private static NodeStatus With(NodeStatus status, bool recovered)
    {
        var unavailable = status.Error is { } error ? $"unreachable ({error})" : recovered ? null : "recovering its containers";
        return status with
        {
            Recovered = recovered,
            Node = status.Node with { Schedulable = unavailable is null, Unavailable = unavailable },
        };
    }
}

/// <summary>A node as last seen: its capacity, the executor serving it, and the last error reaching it.</summary>
public sealed record NodeStatus(NodeInfo Node, string Executor, string? Error, bool Recovered);
