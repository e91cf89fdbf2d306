using GoDocker.Storage;

namespace GoDocker.Server.Services;

/// <summary>
/// Wakes the scheduler when something changed, on whichever server leads: a poke is published as a wake-up
/// (<see cref="IWakeups"/>: in this process in embedded mode, through the database's NOTIFY for several servers),
/// and the leader's scheduler waits on the wake-ups it receives. Pokes coalesce: while one publication is on its
/// way, later pokes make one more after it, not one each. <see cref="Poke"/> (new work: a submit) lets the
/// scheduler keep its minimum gap between cycles, so a burst of submits is planned in a few cycles;
/// <see cref="PokeNow"/> (capacity freed: a job ended, a node came back) skips the gap so no slot idles.
/// Under a burst, publications of <see cref="Poke"/> are also spaced by that gap: each one through the database is
/// a NOTIFY (a transaction, and a message to every server), and a scheduler keeping its gap needs no more.
/// </summary>
public sealed class SchedulerTrigger : IDisposable
{
    public const string Signal = "scheduler";
    public const string SignalNow = "scheduler-now";

    private readonly Lock gate = new();
    private readonly IWakeups wakeups;
    private readonly IDisposable[] subscriptions;
    private readonly Publication[] publications;
    private TaskCompletionSource wake = NewWake();
    private bool urgent;

    private readonly TimeProvider time;

    /// <param name="pokeSpacing">the least time between the starts of two publications of <see cref="Poke"/> (the scheduler's minimum gap).</param>
    public SchedulerTrigger(IWakeups wakeups, TimeProvider? time = null, TimeSpan pokeSpacing = default)
    {
        this.wakeups = wakeups;
        this.time = time ?? TimeProvider.System;
        subscriptions = [wakeups.Subscribe(Signal, () => Wake(now: false)), wakeups.Subscribe(SignalNow, () => Wake(now: true))];
        publications = [new Publication(Signal, pokeSpacing), new Publication(SignalNow, TimeSpan.Zero)];
    }

    public void Poke() => Publish(publications[0]);

    public void PokeNow() => Publish(publications[1]);

    /// <summary>Returns when poked or after <paramref name="timeout"/>: true when the poke asked for a cycle at once.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        Task pending;
        lock (gate)
        {
            pending = wake.Task;
        }
        try
        {
            await pending.WaitAsync(timeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
        lock (gate)
        {
            var now = urgent;
            urgent = false;
            if (wake.Task.IsCompleted)
            {
                wake = NewWake();
            }
            return now;
        }
    }

    /// <summary>At most one publication of a signal on its way; pokes meanwhile ask for one more after it (and its spacing).</summary>
    private void Publish(Publication publication)
    {
        lock (publication)
        {
            if (publication.Running)
            {
                publication.Again = true;
                return;
            }
            publication.Running = true;
        }
        // Started inline: an in-process publication wakes the scheduler before Poke returns; a database one goes on asynchronously.
        _ = PublishLoopAsync(publication);
    }

    private async Task PublishLoopAsync(Publication publication)
    {
        while (true)
        {
            var started = time.GetTimestamp();
            try
            {
                await wakeups.PublishAsync(publication.Name, CancellationToken.None);
            }
            catch (Exception)
            {
                // IWakeups never fails for a lost database; anything else only delays the scheduler to its interval.
            }
            lock (publication)
            {
                if (!publication.Again)
                {
                    publication.Running = false;
                    return;
                }
            }
            var rest = publication.Spacing - time.GetElapsedTime(started);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, time);
            }
            lock (publication)
            {
                // The next publication covers every poke until it starts.
                publication.Again = false;
            }
        }
    }

    private void Wake(bool now)
    {
        lock (gate)
        {
            urgent |= now;
            wake.TrySetResult();
        }
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        foreach (var subscription in subscriptions)
        {
            subscription.Dispose();
        }
    }

    private sealed class Publication(string name, TimeSpan spacing)
    {
        public string Name { get; } = name;
        public TimeSpan Spacing { get; } = spacing;
        public bool Running { get; set; }
        public bool Again { get; set; }
    }
}
