namespace GoDocker.Storage;

/// <summary>
/// Named wake-up signals ("scheduler", …) between the parts of GoDocker, in one process or across the servers
/// that share a database. A wake-up is a hint that something changed, not a message: it carries no data,
/// several may coalesce into one, and a subscriber may be woken when nothing changed (after the connection to
/// the database was lost and restored, every subscriber is woken, since signals may have been missed meanwhile).
/// </summary>
public interface IWakeups
{
    /// <summary>
    /// Wakes every subscriber of <paramref name="signal"/>, in this process at once and on the other servers
    /// through the database. Never fails for a lost database: the local subscribers are woken, and the remote
    /// ones are woken when their own connection comes back.
    /// </summary>
    ValueTask PublishAsync(string signal, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="wake"/> on every wake-up of <paramref name="signal"/> until the returned subscription is disposed. <paramref name="wake"/> must be quick and must not throw.</summary>
    IDisposable Subscribe(string signal, Action wake);
}
