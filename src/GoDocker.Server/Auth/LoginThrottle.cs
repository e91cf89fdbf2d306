using System.Net;

namespace GoDocker.Server.Auth;

/// <summary>
/// Limits password guessing without handing an attacker the owner's lock-out. An attempt is reserved, and counted
/// as a failure, before the password is checked (so N parallel guesses check at most the limit, whatever their
/// timing); a success clears it. Three counts, each with its own purpose:
/// <list type="bullet">
/// <item>the (login, address) pair: <see cref="AuthOptions.MaxFailedLogins"/> failures, then each further attempt
/// waits twice as long as the one before (<see cref="AuthOptions.FailedLoginBackoff"/>, doubling, at most
/// <see cref="AuthOptions.FailedLoginWindow"/>); forgotten a window after that wait, cleared by a success;</item>
/// <item>the address, whatever the login: <see cref="AddressFactor"/> × the limit per window (one address spraying logins);</item>
/// <item>the login, whatever the address: <see cref="LoginFactor"/> × the limit per window (many addresses on one login). It is
/// far above the pair's, so guesses from elsewhere do not lock the owner out of their own address unless they come
/// from many addresses at a sustained rate.</item>
/// </list>
/// </summary>
public sealed class LoginThrottle(AuthOptions options, TimeProvider time)
{
    public const int AddressFactor = 4;
    public const int LoginFactor = 20;
    /// <summary>Above this many remembered keys, forgotten ones are swept (an attacker varying logins must not grow memory without end).</summary>
    private const int SweepAbove = 10_000;

    private readonly Lock gate = new();
    private readonly Dictionary<(string Login, string Address), PairState> pairs = [];
    private readonly Dictionary<string, Queue<DateTimeOffset>> perAddress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<DateTimeOffset>> perLogin = new(StringComparer.Ordinal);

    /// <summary>
    /// Reserves an attempt for <paramref name="login"/> from <paramref name="client"/>: an attempt to check and then
    /// report with <see cref="Succeeded"/> (or <see cref="Abandoned"/>), or a refusal saying how long to wait.
    /// </summary>
    public LoginReservation Reserve(string login, IPAddress? client)
    {
        var address = AddressKey(client);
        var now = time.GetUtcNow();
        lock (gate)
        {
            Sweep(now);
            var pair = pairs.GetValueOrDefault((login, address));
            if (pair is not null && Forgotten(pair, now))
            {
                pair = null;
            }
            var waits = new List<TimeSpan>();
            if (pair is not null && pair.Failures >= options.MaxFailedLogins)
            {
                waits.Add(pair.LastFailure + Backoff(pair.Failures) - now);
            }
            waits.Add(WaitFor(perAddress, address, options.MaxFailedLogins * AddressFactor, now));
            waits.Add(WaitFor(perLogin, login, options.MaxFailedLogins * LoginFactor, now));
            var wait = waits.Max();
            if (wait > TimeSpan.Zero)
            {
                return new LoginReservation(null, wait);
            }
            pairs[(login, address)] = new PairState((pair?.Failures ?? 0) + 1, now);
            Add(perAddress, address, now);
            Add(perLogin, login, now);
            return new LoginReservation(new LoginAttempt(login, address, now), TimeSpan.Zero);
        }
    }

    /// <summary>The password was right: the pair starts afresh, and the attempt no longer counts against the address or the login.</summary>
    public void Succeeded(LoginAttempt attempt)
    {
        lock (gate)
        {
            pairs.Remove((attempt.Login, attempt.Address));
            Remove(perAddress, attempt.Address, attempt.At);
            Remove(perLogin, attempt.Login, attempt.At);
        }
    }

    /// <summary>The password could not be checked (the directory failed): the attempt does not count.</summary>
    public void Abandoned(LoginAttempt attempt)
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
            Remove(perAddress, attempt.Address, attempt.At);
            Remove(perLogin, attempt.Login, attempt.At);
        }
    }

    /// <summary>
    /// A pair is forgotten one window after its last failure, or after its wait has ended when it waits: waiting out the
    /// longest wait (a window) must not be enough to get the free attempts back.
    /// </summary>
    private bool Forgotten(PairState pair, DateTimeOffset now) =>
        now - pair.LastFailure >= options.FailedLoginWindow + (pair.Failures >= options.MaxFailedLogins ? Backoff(pair.Failures) : TimeSpan.Zero);

    /// <summary>Before the attempt after <paramref name="failures"/> failures: the backoff, doubling past the limit, capped at the window.</summary>
    private TimeSpan Backoff(int failures)
    {
        var doublings = Math.Min(failures - options.MaxFailedLogins, 30);
        var backoff = options.FailedLoginBackoff * Math.Pow(2, doublings);
        return backoff < options.FailedLoginWindow ? backoff : options.FailedLoginWindow;
    }

    /// <summary>
    /// The address a client is throttled by: an IPv4 address, or the /64 of an IPv6 one (a single host usually holds a
    /// whole /64, so counting single IPv6 addresses would give it billions of allowances).
    /// </summary>
    internal static string AddressKey(IPAddress? client)
    {
        if (client is null)
        {
            return "unknown";
        }
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }
        if (client.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var bytes = client.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }
        return client.ToString();
    }

    private TimeSpan WaitFor(Dictionary<string, Queue<DateTimeOffset>> counts, string key, int limit, DateTimeOffset now)
    {
        if (!counts.TryGetValue(key, out var queue))
        {
            return TimeSpan.Zero;
        }
        Expire(queue, now);
        // The oldest attempt that keeps the count at the limit has to leave the window first.
        return queue.Count < limit ? TimeSpan.Zero : queue.ElementAt(queue.Count - limit) + options.FailedLoginWindow - now;
    }

    private static void Add(Dictionary<string, Queue<DateTimeOffset>> counts, string key, DateTimeOffset at)
    {
        if (!counts.TryGetValue(key, out var queue))
        {
            counts[key] = queue = new Queue<DateTimeOffset>();
        }
        queue.Enqueue(at);
    }

    private static void Remove(Dictionary<string, Queue<DateTimeOffset>> counts, string key, DateTimeOffset at)
    {
        if (counts.TryGetValue(key, out var queue))
        {
            var kept = queue.ToList();
            if (kept.Remove(at))
            {
                counts[key] = new Queue<DateTimeOffset>(kept);
            }
        }
    }

    private void Expire(Queue<DateTimeOffset> queue, DateTimeOffset now)
    {
        while (queue.Count > 0 && now - queue.Peek() >= options.FailedLoginWindow)
        {
            queue.Dequeue();
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        if (pairs.Count + perAddress.Count + perLogin.Count <= SweepAbove)
        {
            return;
        }
        foreach (var key in pairs.Where(p => Forgotten(p.Value, now)).Select(p => p.Key).ToList())
        {
            pairs.Remove(key);
        }
        foreach (var counts in (Dictionary<string, Queue<DateTimeOffset>>[])[perAddress, perLogin])
        {
            foreach (var (key, queue) in counts.ToList())
            {
                Expire(queue, now);
                if (queue.Count == 0)
                {
                    counts.Remove(key);
                }
            }
        }
    }

    private sealed record PairState(int Failures, DateTimeOffset LastFailure);
}

/// <summary>An attempt reserved by <see cref="LoginThrottle.Reserve"/>, counted as a failure until reported otherwise.</summary>
public sealed record LoginAttempt(string Login, string Address, DateTimeOffset At);

/// <summary>Either an attempt to check, or none and how long to wait before the next one.</summary>
public readonly record struct LoginReservation(LoginAttempt? Attempt, TimeSpan RetryAfter);
