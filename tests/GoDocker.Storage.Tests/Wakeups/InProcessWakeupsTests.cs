using GoDocker.Storage.Wakeups;

namespace GoDocker.Storage.Tests.Wakeups;

/// <summary>The embedded mode's wake-ups: a publish wakes the signal's subscribers, only them, until they unsubscribe.</summary>
public sealed class InProcessWakeupsTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Publish_WakesTheSignalsSubscribers_Only_UntilTheyUnsubscribe()
    {
        var wakeups = new InProcessWakeups();
        var (scheduler, other, gone) = (0, 0, 0);
        using var first = wakeups.Subscribe("scheduler", () => scheduler++);
        using var second = wakeups.Subscribe("executor", () => other++);
        var unsubscribed = wakeups.Subscribe("scheduler", () => gone++);
        unsubscribed.Dispose();

        await wakeups.PublishAsync("scheduler", Ct);
        await wakeups.PublishAsync("scheduler", Ct);

        Assert.Equal((2, 0, 0), (scheduler, other, gone));
    }
}
