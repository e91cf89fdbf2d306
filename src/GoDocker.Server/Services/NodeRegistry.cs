using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Storage;

namespace GoDocker.Server.Services;

/// <summary>
/// The nodes this server places jobs on, each served by one executor, with the capacity each reported
/// last. A node takes jobs only once its executor has reconciled its containers with the store
/// (<see cref="MarkRecovered"/>), while its engine answers, and while no administrator has drained it;
/// otherwise it stays listed, unschedulable, with why. Drains are kept in <see cref="INodeStateStore"/>.
/// A node whose engine has not answered for <c>downAfter</c> is down (<see cref="NodeFailure"/>): every server tells from
/// its own refreshes since when it has been unreachable, so a standby that becomes leader has its own count already
/// (a server just started counts from its first failed refresh: later, never sooner). A down node that answers again
/// is not recovered any more: the leader reconciles its containers before it takes jobs again.
/// </summary>
public sealed class NodeRegistry : IDisposable
{
    /// <summary>The error of a node before its first refresh.</summary>
    internal const string NotContacted = "not contacted yet";
    private readonly Dictionary<IExecutor, NodeStatus> statuses;
    private readonly INodeStateStore states;
    private readonly TimeProvider time;
    private readonly TimeSpan downAfter;
    private readonly ILogger<NodeRegistry> logger;
    private readonly Lock gate = new();
    // Drain and resume write the store, then the status: one at a time, so the two always agree.
    private readonly SemaphoreSlim changes = new(1, 1);

    public NodeRegistry(IReadOnlyList<IExecutor> executors, INodeStateStore states, IReadOnlyList<NodeDrain> drains, TimeSpan downAfter, TimeProvider time, ILogger<NodeRegistry> logger)
    {
        Executors = executors;
        this.states = states;
        this.downAfter = downAfter;
        this.time = time;
        this.logger = logger;
        var drained = drains.ToDictionary(d => d.Node, StringComparer.Ordinal);
        statuses = executors.ToDictionary(
            e => e,
            e => With(new NodeStatus(new NodeInfo(e.NodeName, Resources.None), e.Name, NotContacted, Recovered: false)
            {
                Drain = drained.GetValueOrDefault(e.NodeName),
            }));
    }

    public IReadOnlyList<IExecutor> Executors { get; }

    public IReadOnlyList<NodeStatus> Statuses
    {
        get
        {
            var now = time.GetUtcNow();
            lock (gate)
            {
                return [.. statuses.Values.Select(s => AsOf(s, now))];
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
            return known.Count == 0 ? null : (known.Max(n => n.Capacity.Cpus), known.Max(n => n.Capacity.MemoryBytes));
        }
    }

    public IExecutor? ExecutorFor(string node) => Executors.FirstOrDefault(e => e.NodeName == node);

    public NodeStatus? Find(string node)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            return statuses.Values.FirstOrDefault(s => s.Node.Name == node) is { } status ? AsOf(status, now) : null;
        }
    }

    /// <summary>The node <paramref name="executor"/> serves, as it is now (down or not).</summary>
    public NodeStatus StatusOf(IExecutor executor)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            return AsOf(statuses[executor], now);
        }
    }

    /// <summary>
    /// The node takes no jobs until it is recovered again: its jobs were resolved as down, so whatever it still runs
    /// when it answers is another attempt's and must go first.
    /// </summary>
    public void ResetRecovery(IExecutor executor)
    {
        lock (gate)
        {
            statuses[executor] = With(statuses[executor] with { Recovered = false });
        }
    }

    /// <summary>No node takes jobs until it is recovered again (a new leadership term recovers every node first).</summary>
    public void ResetRecovery()
    {
        lock (gate)
        {
            foreach (var executor in statuses.Keys.ToList())
            {
                statuses[executor] = With(statuses[executor] with { Recovered = false });
            }
        }
    }

    /// <summary>The executor has re-attached or resolved every container it found: its node may take jobs.</summary>
    public void MarkRecovered(IExecutor executor)
    {
        lock (gate)
        {
            statuses[executor] = With(statuses[executor] with { Recovered = true });
        }
    }

    /// <summary>
    /// No new jobs go to <paramref name="node"/> until it is resumed, across restarts; its running jobs go on.
    /// A node drained already keeps its first drainer. Null when there is no such node.
    /// </summary>
    public async Task<NodeStatus?> DrainAsync(string node, string by, CancellationToken cancellationToken)
    {
        if (ExecutorFor(node) is not { } executor)
        {
            return null;
        }
        await changes.WaitAsync(cancellationToken);
        try
        {
            var drain = await states.DrainAsync(new NodeDrain(node, by, time.GetUtcNow()), cancellationToken);
            logger.LogInformation("node {Node} drained by {By}", node, drain.By);
            lock (gate)
            {
                return AsOf(statuses[executor] = With(statuses[executor] with { Drain = drain }), time.GetUtcNow());
            }
        }
        finally
        {
            changes.Release();
        }
    }

    /// <summary>The node takes new jobs again (once reachable and recovered). Null when there is no such node.</summary>
    public async Task<NodeStatus?> ResumeAsync(string node, string by, CancellationToken cancellationToken)
    {
        if (ExecutorFor(node) is not { } executor)
        {
            return null;
        }
        await changes.WaitAsync(cancellationToken);
        try
        {
            if (await states.ResumeAsync(node, cancellationToken))
            {
                logger.LogInformation("node {Node} resumed by {By}", node, by);
            }
            lock (gate)
            {
                return AsOf(statuses[executor] = With(statuses[executor] with { Drain = null }), time.GetUtcNow());
            }
        }
        finally
        {
            changes.Release();
        }
    }

    /// <summary>
    /// Asks every executor for its node, all at once; keeps the last good capacity of one that fails. Drains are read
    /// again from the store too: with several servers, an administrator may drain or resume a node on another one.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(Executors.Select(e => RefreshAsync(e, cancellationToken)).Append(RefreshDrainsAsync(cancellationToken)));
    }

    private async Task RefreshDrainsAsync(CancellationToken cancellationToken)
    {
        // Under the drain/resume lock, read and applied together: a drain or resume made here is never undone by a read older than it.
        await changes.WaitAsync(cancellationToken);
        try
        {
            IReadOnlyList<NodeDrain> drains;
            try
            {
                drains = await states.ListDrainsAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("nodes: cannot read drains from the store ({Error}); keeping the last known", e.Message);
                return;
            }
            var byNode = drains.ToDictionary(d => d.Node, StringComparer.Ordinal);
            lock (gate)
            {
                foreach (var executor in statuses.Keys.ToList())
                {
                    var drain = byNode.GetValueOrDefault(executor.NodeName);
                    if (statuses[executor].Drain?.By != drain?.By || (statuses[executor].Drain is null) != (drain is null))
                    {
                        statuses[executor] = With(statuses[executor] with { Drain = drain });
                    }
                }
            }
        }
        finally
        {
            changes.Release();
        }
    }

    /// <summary>Asks one node's engine now (after a failed call to it): its status says whether it is unreachable, and why.</summary>
    public async Task<NodeStatus> ProbeAsync(IExecutor executor, CancellationToken cancellationToken)
    {
        await RefreshAsync(executor, cancellationToken);
        return StatusOf(executor);
    }

    private async Task RefreshAsync(IExecutor executor, CancellationToken cancellationToken)
    {
        NodeInfo? node = null;
        string? error = null;
        var unreachable = false;
        try
        {
            node = await executor.DescribeAsync(cancellationToken);
        }
        catch (NodeUnreachableException e)
        {
            (error, unreachable) = (e.Message, true);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            error = e.Message;
        }
        var now = time.GetUtcNow();
        lock (gate)
        {
            var previous = statuses[executor];
            if (error is not null && (previous.Error is null || unreachable != previous.UnreachableSince.HasValue))
            {
                logger.LogWarning("node {Node} {State}: {Error}", executor.NodeName, unreachable ? "unreachable" : "in error (takes no jobs)", error);
            }
            else if (error is null && previous.Error is not null && previous.Node.Capacity.Cpus > 0)
            {
                logger.LogInformation("node {Node} usable again", executor.NodeName);
            }
            statuses[executor] = With(previous with
            {
                Node = node ?? previous.Node,
                Error = error,
                // Counted from the first refresh the engine did not answer; "not contacted yet" is no failure, nor is
                // an answer that says the node cannot take jobs (its jobs run on: never given up for lost).
                UnreachableSince = unreachable ? previous.UnreachableSince ?? now : null,
            });
        }
    }

    /// <summary>The executors' engine clients go with the registry that made them reachable.</summary>
    public void Dispose()
    {
        foreach (var executor in Executors.OfType<IDisposable>())
        {
            executor.Dispose();
        }
        changes.Dispose();
    }

    /// <summary>The status with <see cref="NodeStatus.DownSince"/> as of <paramref name="now"/>.</summary>
    private NodeStatus AsOf(NodeStatus status, DateTimeOffset now) =>
        status.UnreachableSince is { } since && NodeFailure.IsDown(since, downAfter, now) ? status with { DownSince = since + downAfter } : status;

    /// <summary>Whether and why the node takes no new jobs, from its state; a drain is named first (pending reasons say who).</summary>
    private static NodeStatus With(NodeStatus status)
    {
        var unavailable = status.Drain is { } drain ? $"drained by {drain.By}"
            : status.Error is NotContacted ? NotContacted
            : status.Error is { } error ? status.UnreachableSince is null ? $"in error ({error})" : $"unreachable ({error})"
            : status.Recovered ? null
            : "recovering its containers";
        return status with { Node = status.Node with { Schedulable = unavailable is null, Unavailable = unavailable } };
    }
}

/// <summary>A node as last seen: its capacity, the executor serving it, the last error reaching it, and its drain.</summary>
public sealed record NodeStatus(NodeInfo Node, string Executor, string? Error, bool Recovered)
{
    /// <summary>Set while an administrator has the node drained.</summary>
    public NodeDrain? Drain { get; init; }

    /// <summary>Since when its engine has not answered (this server's first refresh it did not answer); null while it answers, even with an error.</summary>
    public DateTimeOffset? UnreachableSince { get; init; }

    /// <summary>Set while it is down: unreachable for longer than the site's Executor:NodeDownAfter, from when it became so.</summary>
    public DateTimeOffset? DownSince { get; init; }

    /// <summary>
    /// drained (an administrator's, so named first), down (unreachable past the site's time: its jobs were resolved),
    /// unreachable (its engine does not answer), error (it answers but cannot take jobs: a failed check, a node its
    /// swarm paused; what runs there runs on), unknown (not contacted yet, as Slurm's UNKNOWN after a start), recovering
    /// (not yet taking jobs after a start, or after being down), or up.
    /// </summary>
    public string State => Drain is not null ? "drained" : DownSince is not null ? "down" : UnreachableSince is not null ? "unreachable"
        : Error is NodeRegistry.NotContacted ? "unknown" : Error is not null ? "error" : Recovered ? "up" : "recovering";

    /// <summary>Reachable and recovered: nothing is wrong with it, drained or not.</summary>
    public bool Healthy => Error is null && Recovered;
}
