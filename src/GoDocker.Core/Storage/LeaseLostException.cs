namespace GoDocker.Storage;

/// <summary>
/// A write made for a leader was refused because <see cref="Lease"/> is no longer the live lease (it expired, or another
/// server took over with a greater token): nothing was written. The caller must stop acting as leader at once.
/// </summary>
public sealed class LeaseLostException(Leadership lease)
    : InvalidOperationException($"lease '{lease.Name}' (token {lease.Token}) is no longer held by {lease.Holder}: another server leads, nothing was written")
{
    public Leadership Lease { get; } = lease;
}
