using System.Collections.Concurrent;

namespace GoDocker.Storage.Leases;

/// <summary>The embedded mode's registry: the one server, in memory, with times from its own clock.</summary>
public sealed class InProcessServerRegistry(TimeProvider time) : IServerRegistry
{
    private readonly ConcurrentDictionary<string, RegisteredServer> servers = new(StringComparer.Ordinal);

    public ValueTask<RegisteredServer> RegisterAsync(string id, string address, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var now = time.GetUtcNow();
        return ValueTask.FromResult(servers[id] = new RegisteredServer(id, address, now, now));
    }

    public ValueTask<bool> HeartbeatAsync(string id, CancellationToken cancellationToken)
    {
        while (servers.TryGetValue(id, out var server))
        {
            if (servers.TryUpdate(id, server with { LastSeen = time.GetUtcNow() }, server))
            {
                return ValueTask.FromResult(true);
            }
        }
        return ValueTask.FromResult(false);
    }

    public ValueTask<bool> UnregisterAsync(string id, CancellationToken cancellationToken) => ValueTask.FromResult(servers.TryRemove(id, out _));

    public ValueTask<IReadOnlyList<RegisteredServer>> ListAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<RegisteredServer>>([.. servers.Values.OrderBy(s => s.Id, StringComparer.Ordinal)]);
}
