namespace GoDocker.Storage;

/// <summary>
/// Failed logins, counted where every server that checks passwords sees them: in memory for the one embedded server,
/// in the database for several, so N servers allow the guesses of one. The rule (how many, how long to wait) is the
/// caller's; the store reads the counts and records an attempt atomically, so parallel guesses on any servers cannot
/// all pass a count read before any of them was recorded.
/// </summary>
public interface ILoginAttempts
{
    /// <summary>
    /// Under a lock every reservation of every server takes: reads what counts against <paramref name="login"/> from
    /// <paramref name="address"/> (the pair's failures; the attempts by the address and by the login since
    /// <paramref name="attemptsSince"/>, oldest first) and asks <paramref name="decide"/>. When it admits the attempt
    /// (no wait), records it at <paramref name="now"/> (a failure until reported otherwise) with the pair's failures it
    /// says. Attempts before <paramref name="attemptsSince"/> and pairs whose last failure is before
    /// <paramref name="pairsSince"/> may be forgotten.
    /// </summary>
    ValueTask<LoginReservation> ReserveAsync(
        string login, string address, DateTimeOffset now, DateTimeOffset attemptsSince, DateTimeOffset pairsSince,
        Func<LoginCounts, LoginDecision> decide, CancellationToken cancellationToken);

    /// <summary>The password was right: the pair is forgotten and the attempt no longer counts.</summary>
    ValueTask SucceededAsync(LoginAttempt attempt, CancellationToken cancellationToken);

    /// <summary>The password could not be checked: the attempt no longer counts and the pair has one failure less.</summary>
    ValueTask AbandonedAsync(LoginAttempt attempt, CancellationToken cancellationToken);
}

/// <summary>What counts against a login from an address: the pair's failures (null: none remembered), the attempts by either.</summary>
public sealed record LoginCounts(LoginPair? Pair, IReadOnlyList<DateTimeOffset> ByAddress, IReadOnlyList<DateTimeOffset> ByLogin);

/// <summary><see cref="Failures"/> failures of one login from one address, the last at <see cref="LastFailure"/>.</summary>
public sealed record LoginPair(int Failures, DateTimeOffset LastFailure);

/// <summary>Refuse for <see cref="Wait"/> when it is more than zero; else admit, and the pair then has <see cref="Failures"/>.</summary>
public readonly record struct LoginDecision(TimeSpan Wait, int Failures);

/// <summary>An attempt reserved by <see cref="ILoginAttempts.ReserveAsync"/>, counted as a failure until reported otherwise.</summary>
public sealed record LoginAttempt(long Id, string Login, string Address, DateTimeOffset At);

/// <summary>Either an attempt to check, or none and how long to wait before the next one.</summary>
public readonly record struct LoginReservation(LoginAttempt? Attempt, TimeSpan RetryAfter);
