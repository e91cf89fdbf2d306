using GoDocker.Execution;
using GoDocker.Scheduling;

namespace GoDocker.Server.Services;

/// <summary>
/// The nodes this server places jobs on, each served by one executor, with the capacity each reported
/// last. A node whose engine cannot be reached stays listed but unschedulable, with the error.
/// </summary>
public sealed class NodeRegistry(IReadOnlyList<IExecutor> executors, ILogger<NodeRegistry> logger)
{
    private readonly Dictionary<IExecutor, NodeStatus> statuses = [];
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

    /// <summary>Nodes as the scheduler sees them (unreachable ones unschedulable).</summary>
    public IReadOnlyList<NodeInfo> Nodes => [.. Statuses.Select(s => s.Node)];

    /// <summary>The largest cpus and memory any node offers; null until a node has answered.</summary>
    public (double Cpus, long MemoryBytes)? Largest
    {
        get
        {
            var known = Statuses.Where(s => s.Error is null).Select(s => s.Node).ToList();
            return known.Count == 0 ? null : (known.Max(n => n.Cpus), known.Max(n => n.MemoryBytes));
        }
    }

    public string? NodeOf(IExecutor executor)
    {
        lock (gate)
        {
            return statuses.TryGetValue(executor, out var status) ? status.Node.Name : null;
        }
    }

    public IExecutor? ExecutorFor(string node)
    {
        lock (gate)
        {
            return statuses.FirstOrDefault(s => s.Value.Node.Name == node).Key;
        }
    }

    /// <summary>Asks every executor for its node; keeps the last good capacity of one that fails.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        foreach (var executor in Executors)
        {
            NodeStatus status;
            try
            {
                var node = await executor.DescribeAsync(cancellationToken);
                status = new NodeStatus(node, executor.Name, null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                NodeStatus? previous;
                lock (gate)
                {
                    statuses.TryGetValue(executor, out previous);
                }
                if (previous?.Error is null)
                {
                    logger.LogWarning("node of executor {Executor} unreachable: {Error}", executor.Name, e.Message);
                }
                var last = previous?.Node ?? new NodeInfo("unknown", 0, 0);
                status = new NodeStatus(last with { Schedulable = false }, executor.Name, e.Message);
            }
            lock (gate)
            {
                statuses[executor] = status;
            }
        }
    }
}

public sealed record NodeStatus(NodeInfo Node, string Executor, string? Error);
