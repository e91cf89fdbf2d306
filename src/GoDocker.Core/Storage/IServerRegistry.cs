namespace GoDocker.Storage;

/// <summary>
/// The servers sharing one database, for <c>godocker health</c>: each registers at start, heartbeats while it
/// runs and unregisters when it stops cleanly. One that stops heartbeating (killed, cut off) stays listed with its
/// last heartbeat, so a reader tells it is gone by its age. Times are the database's clock.
/// </summary>
public interface IServerRegistry
{
    /// <summary>Records server <paramref name="id"/> as started now at <paramref name="address"/>, replacing an earlier run under the same id.</summary>
    ValueTask<RegisteredServer> RegisterAsync(string id, string address, CancellationToken cancellationToken);

    /// <summary>Records that the server is alive now; false when it is not registered (then it registers again).</summary>
    ValueTask<bool> HeartbeatAsync(string id, CancellationToken cancellationToken);

    /// <summary>Forgets the server (a clean stop); false when it was not registered.</summary>
    ValueTask<bool> UnregisterAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every registered server, by id.</summary>
    ValueTask<IReadOnlyList<RegisteredServer>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>Server <see cref="Id"/>, reachable at <see cref="Address"/>, started at <see cref="StartedAt"/> and last heard from at <see cref="LastSeen"/>.</summary>
public sealed record RegisteredServer(string Id, string Address, DateTimeOffset StartedAt, DateTimeOffset LastSeen);
