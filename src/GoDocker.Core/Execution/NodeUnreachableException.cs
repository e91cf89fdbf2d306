namespace GoDocker.Execution;

/// <summary>
/// The node's engine does not answer (connection refused or broken, no answer in time; for a swarm node, the manager
/// has lost it). Only this counts toward the node being down (<see cref="NodeFailure"/>), which gives its jobs up for
/// lost: any other failure to describe a node (a failed check, a node its swarm has paused) means the engine answers,
/// so what runs there still runs, and the node only takes no new jobs.
/// </summary>
public sealed class NodeUnreachableException(string node, string message, Exception? inner = null)
    : Exception($"node {node} does not answer: {message}", inner)
{
    public string Node { get; } = node;
}
