namespace GoDocker.Storage.Wakeups;

/// <summary>The embedded mode's wake-ups: one server, so a published signal only has to reach this process.</summary>
public sealed class InProcessWakeups : IWakeups
{
    private readonly WakeupSubscribers subscribers = new();

    public ValueTask PublishAsync(string signal, CancellationToken cancellationToken)
    {
        subscribers.Wake(signal);
        return ValueTask.CompletedTask;
    }

    public IDisposable Subscribe(string signal, Action wake) => subscribers.Add(signal, wake);
}
