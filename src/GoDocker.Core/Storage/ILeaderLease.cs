namespace GoDocker.Storage;

/// <summary>
/// Leadership among servers that share one database: at most one holds the lease at a time, for a time to live
/// judged by the database's clock. The holder schedules and recovers; the others serve the API.
/// Each new holder gets a strictly greater <see cref="Leadership.Token"/> (a fencing token): a store that applies
/// the leader's writes checks it in the same transaction, so an old leader that was paused past its lease and
/// wakes up cannot commit a plan after another took over.
/// </summary>
public interface ILeaderLease
{
    /// <summary>The holder this lease acts for (a server id).</summary>
    string Holder { get; }

    /// <summary>
    /// Takes the lease when it is free or expired (a new, greater token), or extends it when this holder already
    /// has it live (same token). Null when another holds it live: an expected outcome, not a fault.
    /// </summary>
    ValueTask<Leadership?> TryAcquireAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Extends <paramref name="held"/> by the time to live. Null when it is no longer this holder's live lease
    /// (expired, released or taken over): the caller must stop acting as leader at once.
    /// </summary>
    ValueTask<Leadership?> RenewAsync(Leadership held, CancellationToken cancellationToken);

    /// <summary>Gives <paramref name="held"/> up so another can take over without waiting for it to expire; a no-op when it is not held.</summary>
    ValueTask ReleaseAsync(Leadership held, CancellationToken cancellationToken);

    /// <summary>The live lease, whoever holds it; null when none does (for health: who leads).</summary>
    ValueTask<Leadership?> CurrentAsync(CancellationToken cancellationToken);
}

/// <summary>Lease <see cref="Name"/> held by <see cref="Holder"/> with fencing token <see cref="Token"/> until <see cref="ExpiresAt"/>.</summary>
public sealed record Leadership(string Name, string Holder, long Token, DateTimeOffset ExpiresAt);
