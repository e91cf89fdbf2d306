namespace GoDocker.Server.Services;

/// <summary>A request needs a node's engine now and the engine does not answer (the API answers 503).</summary>
public sealed class NodeUnavailableException(string node, string error, Exception inner)
    : Exception($"node {node} unreachable: {error}", inner)
{
    public string Node { get; } = node;
}
