using Docker.DotNet;
using GoDocker.Executors.Docker;
using Microsoft.Extensions.Logging;

namespace GoDocker.Executors.Swarm;

/// <summary>
/// A Docker Swarm reached through one of its managers: its nodes become GoDocker's nodes (one <see cref="SwarmExecutor"/>
/// each, named by hostname), so the scheduler places jobs on swarm nodes as it does on engines. The node list is read
/// at start; a node that joins later is used after a restart.
/// </summary>
public sealed class SwarmCluster : IDisposable
{
    private readonly DockerClient manager;

    private SwarmCluster(DockerClient manager, IReadOnlyList<SwarmNode> nodes)
    {
        this.manager = manager;
        Nodes = nodes;
    }

    public IReadOnlyList<SwarmNode> Nodes { get; }

    /// <summary>Reads the swarm's nodes from the manager at <paramref name="options"/>' endpoint. Throws, saying why, when it is not a manager.</summary>
    public static async Task<SwarmCluster> ConnectAsync(DockerExecutorOptions options, CancellationToken cancellationToken)
    {
        var manager = EngineClient.Create(options);
        try
        {
            var nodes = await manager.Swarm.ListNodesAsync(cancellationToken);
            var named = nodes
                .Select(n => new SwarmNode(n.ID, string.IsNullOrEmpty(n.Description?.Hostname) ? n.ID[..12] : n.Description.Hostname))
                .OrderBy(n => n.Name, StringComparer.Ordinal)
                .ToList();
            // Two nodes with one hostname would be one GoDocker node: tell them apart by id.
            var duplicates = named.GroupBy(n => n.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).SelectMany(g => g).ToHashSet();
            return new SwarmCluster(manager, [.. named.Select(n => duplicates.Contains(n) ? n with { Name = $"{n.Name}-{n.Id[..6]}" } : n)]);
        }
        catch (DockerApiException e)
        {
            manager.Dispose();
            throw new InvalidOperationException($"Executor:Docker:Endpoint {options.Endpoint} is not a swarm manager ({e.StatusCode}): "
                + "run `docker swarm init` there, or point it at a manager", e);
        }
        catch
        {
            manager.Dispose();
            throw;
        }
    }

    public IReadOnlyList<SwarmExecutor> Executors(DockerExecutorOptions options, TimeProvider time, ILogger logger) =>
        [.. Nodes.Select(n => new SwarmExecutor(manager, n, options, time, logger))];

    public void Dispose() => manager.Dispose();
}
