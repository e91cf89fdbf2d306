using System.Collections.Concurrent;
using System.Threading.Channels;

namespace GoDocker.Storage.Dispatch;

/// <summary>
/// The embedded dispatch queue: orders live in memory, leases expire and are redelivered.
/// Durability comes from the store, not from here: after a restart the executor re-enqueues every job
/// still Scheduled, so an order lost with the process is recovered.
/// </summary>
public sealed class InProcessDispatchQueue : IDispatchQueue, IDisposable
{
    private readonly Channel<(LaunchOrder Order, int Delivery)> ready = Channel.CreateUnbounded<(LaunchOrder, int)>();
    private readonly ConcurrentDictionary<long, Lease> outstanding = new();
    private readonly TimeProvider time;
    private readonly TimeSpan leaseTimeout;
    private readonly ITimer sweeper;
    private long nextLease;

    public InProcessDispatchQueue(TimeProvider time, TimeSpan leaseTimeout)
    {
        this.time = time;
        this.leaseTimeout = leaseTimeout;
        var period = leaseTimeout / 4;
        sweeper = time.CreateTimer(_ => RedeliverExpired(), null, period, period);
    }

    public ValueTask EnqueueAsync(LaunchOrder order, CancellationToken cancellationToken) =>
        ready.Writer.WriteAsync((order, 1), cancellationToken);

    public async ValueTask<IDispatchLease> LeaseAsync(CancellationToken cancellationToken)
    {
        var (order, delivery) = await ready.Reader.ReadAsync(cancellationToken);
        var lease = new Lease(this, Interlocked.Increment(ref nextLease), order, delivery, time.GetUtcNow() + leaseTimeout);
        outstanding[lease.Id] = lease;
        return lease;
    }

    public void Dispose()
    {
        sweeper.Dispose();
        // A LeaseAsync still waiting ends (ChannelClosedException) instead of hanging.
        ready.Writer.TryComplete();
    }

    private void RedeliverExpired()
    {
        var now = time.GetUtcNow();
        foreach (var lease in outstanding.Values)
        {
            if (lease.ExpiresAt <= now && outstanding.TryRemove(lease.Id, out _))
            {
                ready.Writer.TryWrite((lease.Order, lease.Delivery + 1));
            }
        }
    }

    private void Redeliver(Lease lease, TimeSpan after)
    {
        if (!outstanding.TryRemove(lease.Id, out _))
        {
            return;
        }
        if (after <= TimeSpan.Zero)
        {
            ready.Writer.TryWrite((lease.Order, lease.Delivery + 1));
            return;
        }
        ITimer? timer = null;
        timer = time.CreateTimer(_ =>
        {
            ready.Writer.TryWrite((lease.Order, lease.Delivery + 1));
            timer?.Dispose();
        }, null, after, Timeout.InfiniteTimeSpan);
    }

    private sealed class Lease(InProcessDispatchQueue queue, long id, LaunchOrder order, int delivery, DateTimeOffset expiresAt) : IDispatchLease
    {
        public long Id { get; } = id;
        public LaunchOrder Order { get; } = order;
        public int Delivery { get; } = delivery;
        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public ValueTask AckAsync(CancellationToken cancellationToken)
        {
            queue.outstanding.TryRemove(Id, out _);
            return ValueTask.CompletedTask;
        }

        public ValueTask NackAsync(TimeSpan redeliverAfter, CancellationToken cancellationToken)
        {
            queue.Redeliver(this, redeliverAfter);
            return ValueTask.CompletedTask;
        }
    }
}
