namespace GoDocker.Storage;

/// <summary>Start attempt <see cref="Attempt"/> of job <see cref="JobId"/> on <see cref="Node"/>.</summary>
public sealed record LaunchOrder(long JobId, int Attempt, string Node);

/// <summary>
/// Carries launch orders from the scheduler to executors, at least once (DESIGN invariant 4). A leased
/// order that is neither acked nor nacked before its lease expires is delivered again, so launching
/// must be idempotent (containers are named by job id and attempt).
/// </summary>
public interface IDispatchQueue
{
    ValueTask EnqueueAsync(LaunchOrder order, CancellationToken cancellationToken);

    /// <summary>Waits for the next order and leases it.</summary>
    ValueTask<IDispatchLease> LeaseAsync(CancellationToken cancellationToken);
}

/// <summary>A leased order: ack removes it; nack (or lease expiry) delivers it again after a delay.</summary>
public interface IDispatchLease
{
    LaunchOrder Order { get; }
    /// <summary>1 on first delivery.</summary>
    int Delivery { get; }
    ValueTask AckAsync(CancellationToken cancellationToken);
    ValueTask NackAsync(TimeSpan redeliverAfter, CancellationToken cancellationToken);
}
