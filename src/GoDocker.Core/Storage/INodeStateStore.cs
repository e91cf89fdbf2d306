namespace GoDocker.Storage;

/// <summary>
/// What administrators decide about nodes, kept across restarts: which are drained, by whom, since when.
/// A drained node takes no new jobs; the jobs already there run to their end.
/// </summary>
public interface INodeStateStore
{
    ValueTask<IReadOnlyList<NodeDrain>> ListDrainsAsync(CancellationToken cancellationToken);

    /// <summary>Records the drain. A node drained already keeps its first record, which is returned.</summary>
    ValueTask<NodeDrain> DrainAsync(NodeDrain drain, CancellationToken cancellationToken);

    /// <summary>Forgets the node's drain; false when it was not drained.</summary>
    ValueTask<bool> ResumeAsync(string node, CancellationToken cancellationToken);
}

/// <summary>Node <see cref="Node"/> was drained by <see cref="By"/> at <see cref="At"/>.</summary>
public sealed record NodeDrain(string Node, string By, DateTimeOffset At);
