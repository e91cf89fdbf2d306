using GoDocker.Storage;
using GoDocker.Storage.Dispatch;
using Microsoft.Extensions.Time.Testing;

namespace GoDocker.Storage.Tests.Dispatch;

public sealed class InProcessDispatchQueueTests : IDisposable
{
    private static readonly TimeSpan LeaseTimeout = TimeSpan.FromSeconds(40);
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly InProcessDispatchQueue queue;

    public InProcessDispatchQueueTests() => queue = new InProcessDispatchQueue(time, LeaseTimeout);

    public void Dispose() => queue.Dispose();

    private static LaunchOrder Order(long jobId) => new(jobId, 1, "n1");

    /// <summary>Leases the next order, which must be ready now (the fake clock makes every redelivery synchronous).</summary>
    private async Task<IDispatchLease> LeaseReadyAsync()
    {
        var lease = queue.LeaseAsync(Ct);
        Assert.True(lease.IsCompleted, "expected an order ready to lease");
        return await lease;
    }

    private async Task AssertNothingToLeaseAsync()
    {
        using var cancel = new CancellationTokenSource();
        var lease = queue.LeaseAsync(cancel.Token);
        Assert.False(lease.IsCompleted, "expected no order to lease");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await lease);
    }

    [Fact]
    public async Task Lease_ReturnsOrdersInTheOrderEnqueued_AsFirstDeliveries()
    {
        await queue.EnqueueAsync(Order(1), Ct);
        await queue.EnqueueAsync(Order(2), Ct);
        await queue.EnqueueAsync(new LaunchOrder(3, 2, "n2"), Ct);

        var leases = new[] { await LeaseReadyAsync(), await LeaseReadyAsync(), await LeaseReadyAsync() };

        Assert.Equal([Order(1), Order(2), new LaunchOrder(3, 2, "n2")], leases.Select(l => l.Order));
        Assert.All(leases, l => Assert.Equal(1, l.Delivery));
        await AssertNothingToLeaseAsync();
    }

    [Fact]
    public async Task Lease_WaitsForAnOrder()
    {
        var waiting = queue.LeaseAsync(Ct).AsTask();
        Assert.False(waiting.IsCompleted);

        await queue.EnqueueAsync(Order(7), Ct);

        var lease = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Order(7), lease.Order);
    }

    [Fact]
    public async Task AnAckedOrder_IsNeverDeliveredAgain()
    {
        await queue.EnqueueAsync(Order(1), Ct);
        var lease = await LeaseReadyAsync();

        await lease.AckAsync(Ct);
        time.Advance(LeaseTimeout * 5);

        await AssertNothingToLeaseAsync();
    }

    [Fact]
    public async Task AnUnackedLease_IsRedeliveredAfterTheTimeout_AsDelivery2()
    {
        await queue.EnqueueAsync(Order(1), Ct);
        await LeaseReadyAsync();

        time.Advance(LeaseTimeout - TimeSpan.FromSeconds(1));
        await AssertNothingToLeaseAsync();

        time.Advance(TimeSpan.FromSeconds(1) + LeaseTimeout / 4);   // past the timeout, give or take one sweep
        var again = await LeaseReadyAsync();

        Assert.Equal(Order(1), again.Order);
        Assert.Equal(2, again.Delivery);
    }

    [Fact]
    public async Task ALeaseExpiringAgainAndAgain_CountsItsDeliveries()
    {
        await queue.EnqueueAsync(Order(1), Ct);
        var lease = await LeaseReadyAsync();
        for (var delivery = 2; delivery <= 4; delivery++)
        {
            time.Advance(LeaseTimeout * 1.25);
            lease = await LeaseReadyAsync();
            Assert.Equal(delivery, lease.Delivery);
        }
        await lease.AckAsync(Ct);

        time.Advance(LeaseTimeout * 5);
        await AssertNothingToLeaseAsync();
    }

    [Fact]
    public async Task ALateAckOfAnExpiredLease_DoesNotCancelTheRedelivery()
    {
        // At least once: the executor that lost its lease may not remove the order someone else now holds.
        await queue.EnqueueAsync(Order(1), Ct);
        var expired = await LeaseReadyAsync();
        time.Advance(LeaseTimeout * 1.25);
        var redelivered = await LeaseReadyAsync();

        await expired.AckAsync(Ct);
        time.Advance(LeaseTimeout * 1.25);

        var third = await LeaseReadyAsync();
        Assert.Equal((Order(1), 2, 3), (redelivered.Order, redelivered.Delivery, third.Delivery));
    }

    [Fact]
    public async Task ANackedOrder_IsRedeliveredOnlyAfterTheDelay()
    {
        await queue.EnqueueAsync(Order(1), Ct);
        var lease = await LeaseReadyAsync();

        await lease.NackAsync(TimeSpan.FromSeconds(10), Ct);
        time.Advance(TimeSpan.FromSeconds(9));
        await AssertNothingToLeaseAsync();
        time.Advance(TimeSpan.FromSeconds(1));

        var again = await LeaseReadyAsync();
        Assert.Equal(Order(1), again.Order);
        Assert.Equal(2, again.Delivery);
    }

    [Fact]
    public async Task ANackDelayLongerThanTheLease_IsNotCutShortByTheLeaseTimeout()
    {
        await queue.EnqueueAsync(Order(1), Ct);
        var lease = await LeaseReadyAsync();

        await lease.NackAsync(LeaseTimeout * 3, Ct);
        time.Advance(LeaseTimeout * 3 - TimeSpan.FromSeconds(1));
        await AssertNothingToLeaseAsync();
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(2, (await LeaseReadyAsync()).Delivery);
        await AssertNothingToLeaseAsync();       // delivered once, not once per path
    }

    [Fact]
    public async Task ANackWithoutDelay_RedeliversAtOnce()
    {
        await queue.EnqueueAsync(Order(1), Ct);
        await queue.EnqueueAsync(Order(2), Ct);
        var first = await LeaseReadyAsync();

        await first.NackAsync(TimeSpan.Zero, Ct);

        Assert.Equal(Order(2), (await LeaseReadyAsync()).Order);   // behind what was already waiting
        var again = await LeaseReadyAsync();
        Assert.Equal((Order(1), 2), (again.Order, again.Delivery));
    }

    [Fact]
    public async Task ANackAfterTheLeaseExpired_DoesNotDeliverASecondCopy()
    {
        await queue.EnqueueAsync(Order(1), Ct);
        var expired = await LeaseReadyAsync();
        time.Advance(LeaseTimeout * 1.25);
        var redelivered = await LeaseReadyAsync();

        await expired.NackAsync(TimeSpan.Zero, Ct);

        await AssertNothingToLeaseAsync();
        await redelivered.AckAsync(Ct);
    }
}
