namespace GoDocker.Storage.Tests.Postgres;

/// <summary>A subscriber that counts its wake-ups and lets a test wait for the next one.</summary>
internal sealed class WakeupProbe
{
    private readonly Lock gate = new();
    private TaskCompletionSource next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int count;

    public int Count => Volatile.Read(ref count);

    public void Wake()
    {
        lock (gate)
        {
            count++;
            next.TrySetResult();
        }
    }

    /// <summary>Forgets the wake-ups so far: <see cref="NextAsync"/> then waits for a new one.</summary>
    public void Reset()
    {
        lock (gate)
        {
            next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public Task NextAsync(TimeSpan within)
    {
        lock (gate)
        {
            return next.Task.WaitAsync(within);
        }
    }
}
