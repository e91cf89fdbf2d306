namespace GoDocker.Storage.Logins;

/// <summary>The embedded mode's failed logins: the one server's, in memory.</summary>
public sealed class InProcessLoginAttempts : ILoginAttempts
{
    /// <summary>Above this many remembered keys, forgotten ones are swept (an attacker varying logins must not grow memory without end).</summary>
    private const int SweepAbove = 10_000;

    private readonly Lock gate = new();
    private readonly Dictionary<(string Login, string Address), LoginPair> pairs = [];
    private readonly Dictionary<string, List<LoginAttempt>> byAddress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<LoginAttempt>> byLogin = new(StringComparer.Ordinal);
    private long lastId;

    public ValueTask<LoginReservation> ReserveAsync(
        string login, string address, DateTimeOffset now, DateTimeOffset attemptsSince, DateTimeOffset pairsSince,
        Func<LoginCounts, LoginDecision> decide, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            Sweep(attemptsSince, pairsSince);
            var pair = pairs.GetValueOrDefault((login, address)) is { } kept && kept.LastFailure >= pairsSince ? kept : null;
            var decision = decide(new LoginCounts(pair, Since(byAddress, address, attemptsSince), Since(byLogin, login, attemptsSince)));
            if (decision.Wait > TimeSpan.Zero)
            {
                return ValueTask.FromResult(new LoginReservation(null, decision.Wait));
            }
            pairs[(login, address)] = new LoginPair(decision.Failures, now);
            var attempt = new LoginAttempt(++lastId, login, address, now);
            Add(byAddress, address, attempt);
            Add(byLogin, login, attempt);
            return ValueTask.FromResult(new LoginReservation(attempt, TimeSpan.Zero));
        }
    }

    public ValueTask SucceededAsync(LoginAttempt attempt, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            pairs.Remove((attempt.Login, attempt.Address));
            Remove(attempt);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask AbandonedAsync(LoginAttempt attempt, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (pairs.TryGetValue((attempt.Login, attempt.Address), out var pair))
            {
                if (pair.Failures <= 1)
                {
                    pairs.Remove((attempt.Login, attempt.Address));
                }
                else
                {
                    pairs[(attempt.Login, attempt.Address)] = pair with { Failures = pair.Failures - 1 };
                }
            }
            Remove(attempt);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The key's attempts at or after <paramref name="since"/>; older ones are dropped here, as the key is read (Sweep only runs past its bound).</summary>
    private static List<DateTimeOffset> Since(Dictionary<string, List<LoginAttempt>> attempts, string key, DateTimeOffset since)
    {
        if (!attempts.TryGetValue(key, out var list))
        {
            return [];
        }
        list.RemoveAll(a => a.At < since);
        if (list.Count == 0)
        {
            attempts.Remove(key);
        }
        return [.. list.Select(a => a.At)];
    }

    private static void Add(Dictionary<string, List<LoginAttempt>> attempts, string key, LoginAttempt attempt)
    {
        if (!attempts.TryGetValue(key, out var list))
        {
            attempts[key] = list = [];
        }
        list.Add(attempt);
    }

    private void Remove(LoginAttempt attempt)
    {
        foreach (var (attempts, key) in ((Dictionary<string, List<LoginAttempt>>, string)[])[(byAddress, attempt.Address), (byLogin, attempt.Login)])
        {
            if (attempts.TryGetValue(key, out var list))
            {
                list.RemoveAll(a => a.Id == attempt.Id);
                if (list.Count == 0)
                {
                    attempts.Remove(key);
                }
            }
        }
    }

    private void Sweep(DateTimeOffset attemptsSince, DateTimeOffset pairsSince)
    {
        if (pairs.Count + byAddress.Count + byLogin.Count <= SweepAbove)
        {
            return;
        }
        foreach (var key in pairs.Where(p => p.Value.LastFailure < pairsSince).Select(p => p.Key).ToList())
        {
            pairs.Remove(key);
        }
        foreach (var attempts in (Dictionary<string, List<LoginAttempt>>[])[byAddress, byLogin])
        {
            foreach (var (key, list) in attempts.ToList())
            {
                list.RemoveAll(a => a.At < attemptsSince);
                if (list.Count == 0)
                {
                    attempts.Remove(key);
                }
            }
        }
    }
}
