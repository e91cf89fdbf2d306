namespace GoDocker.Notifications;

/// <summary>
/// When a failed delivery is tried again: after <see cref="First"/>, doubling each time up to <see cref="Longest"/>, and
/// not after <see cref="MaxAttempts"/> tries in all (then it is given up, and said so in the log and the outbox).
/// </summary>
public sealed record DeliveryBackoff(TimeSpan First, TimeSpan Longest, int MaxAttempts)
{
    /// <summary>The time of the next try after the <paramref name="attempts"/>-th failed at <paramref name="failedAt"/>; null: give up.</summary>
    public DateTimeOffset? NextTry(int attempts, DateTimeOffset failedAt)
    {
        if (attempts >= MaxAttempts)
        {
            return null;
        }
        var delay = First;
        for (var i = 1; i < attempts && delay < Longest; i++)
        {
            delay += delay;
        }
        return failedAt + (delay < Longest ? delay : Longest);
    }
}
