using GoDocker.Server.Services;
using GoDocker.Storage;
using Microsoft.Extensions.Time.Testing;

namespace GoDocker.Server.Tests.Services;

public sealed class SchedulerTriggerTests
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider time = new();
    private readonly HeldWakeups wakeups = new();

    [Fact]
    public async Task ABurstOfPokes_WhileOneIsPublished_MakesOneMorePublication_AfterTheSpacing()
    {
        using var trigger = new SchedulerTrigger(wakeups, time, Spacing);
        trigger.Poke();
        for (var i = 0; i < 100; i++)
        {
            trigger.Poke();
        }

        wakeups.Release();
        time.Advance(Spacing - TimeSpan.FromMilliseconds(1));
        await Task.Delay(100);
        Assert.Equal([SchedulerTrigger.Signal], wakeups.Published);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await wakeups.PublishedAsync(2);
        Assert.Equal([SchedulerTrigger.Signal, SchedulerTrigger.Signal], wakeups.Published);
    }

    [Fact]
    public async Task ABurstOfPokesNow_IsPublishedAgainAtOnce()
    {
        using var trigger = new SchedulerTrigger(wakeups, time, Spacing);
        trigger.PokeNow();
        trigger.PokeNow();

        wakeups.Release();

        await wakeups.PublishedAsync(2);
        Assert.Equal([SchedulerTrigger.SignalNow, SchedulerTrigger.SignalNow], wakeups.Published);
    }

    [Fact]
    public async Task APokeAfterTheBurstIsPublished_IsPublishedAtOnce()
    {
        using var trigger = new SchedulerTrigger(wakeups, time, Spacing);
        wakeups.Release();
        trigger.Poke();
        await wakeups.PublishedAsync(1);

        trigger.Poke();

        await wakeups.PublishedAsync(2);
    }

    /// <summary>Records publications; every publication is held until <see cref="Release"/>, then completes at once (inline).</summary>
    private sealed class HeldWakeups : IWakeups
    {
        private readonly TaskCompletionSource released = new();
        private readonly List<string> published = [];

        public IReadOnlyList<string> Published
        {
            get
            {
                lock (published)
                {
                    return [.. published];
                }
            }
        }

        public void Release() => released.TrySetResult();

        public async Task PublishedAsync(int count)
        {
            var deadline = DateTime.UtcNow + Deadline;
            while (Published.Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{count} publications expected, {Published.Count} seen");
                await Task.Delay(10);
            }
        }

        public async ValueTask PublishAsync(string signal, CancellationToken cancellationToken)
        {
            lock (published)
            {
                published.Add(signal);
            }
            await released.Task;
        }

        public IDisposable Subscribe(string signal, Action wake) => new Subscription();

        private sealed class Subscription : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}
