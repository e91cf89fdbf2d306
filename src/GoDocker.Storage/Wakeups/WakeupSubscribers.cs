using System.Collections.Immutable;

namespace GoDocker.Storage.Wakeups;

/// <summary>The subscribers of one process, by signal: what every <see cref="IWakeups"/> calls when a signal arrives.</summary>
internal sealed class WakeupSubscribers
{
    private readonly Lock gate = new();
    private ImmutableDictionary<string, ImmutableList<Action>> bySignal = ImmutableDictionary.Create<string, ImmutableList<Action>>(StringComparer.Ordinal);

    public IDisposable Add(string signal, Action wake)
    {
        ArgumentException.ThrowIfNullOrEmpty(signal);
        lock (gate)
        {
            bySignal = bySignal.SetItem(signal, bySignal.GetValueOrDefault(signal, []).Add(wake));
        }
        return new Subscription(this, signal, wake);
    }

    public void Wake(string signal)
    {
        // A snapshot: a subscriber may unsubscribe (or subscribe) from inside its own wake-up.
        foreach (var wake in bySignal.GetValueOrDefault(signal, []))
        {
            wake();
        }
    }

    /// <summary>Wakes every subscriber of every signal (after signals may have been missed).</summary>
    public void WakeAll()
    {
        foreach (var wakes in bySignal.Values)
        {
            foreach (var wake in wakes)
            {
                wake();
            }
        }
    }

    private void Remove(string signal, Action wake)
    {
        lock (gate)
        {
            var left = bySignal.GetValueOrDefault(signal, []).Remove(wake);
            bySignal = left.IsEmpty ? bySignal.Remove(signal) : bySignal.SetItem(signal, left);
        }
    }

    private sealed class Subscription(WakeupSubscribers owner, string signal, Action wake) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Remove(signal, wake);
            }
        }
    }
}
