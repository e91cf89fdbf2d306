namespace GoDocker.Server.Services;

/// <summary>
/// Wakes the scheduler when something changed. Pokes coalesce. <see cref="Poke"/> (new work: a submit) lets the
/// scheduler keep its minimum gap between cycles, so a burst of submits is planned in a few cycles;
/// <see cref="PokeNow"/> (capacity freed: a job ended, a node came back) skips the gap so no slot idles.
/// </summary>
public sealed class SchedulerTrigger
{
    private readonly Lock gate = new();
    private TaskCompletionSource wake = NewWake();
    private bool urgent;

    public void Poke() => Signal(now: false);

    public void PokeNow() => Signal(now: true);

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

    private void Signal(bool now)
    {
        lock (gate)
        {
            urgent |= now;
            wake.TrySetResult();
        }
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
