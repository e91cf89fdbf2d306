using System.Net;
using GoDocker.Storage;

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
/// <para>The counts live in <see cref="ILoginAttempts"/>: in memory for one server, in the database when several share
/// one, so guesses spread over N servers are counted as on one.</para>
/// </summary>
public sealed class LoginThrottle(AuthOptions options, ILoginAttempts attempts, TimeProvider time)
{
    public const int AddressFactor = 4;
    public const int LoginFactor = 20;

    /// <summary>
    /// Reserves an attempt for <paramref name="login"/> from <paramref name="client"/>: an attempt to check and then
    /// report with <see cref="SucceededAsync"/> (or <see cref="AbandonedAsync"/>), or a refusal saying how long to wait.
    /// </summary>
    public ValueTask<LoginReservation> ReserveAsync(string login, IPAddress? client, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // A pair is remembered at most a window after its longest wait (itself at most a window).
        return attempts.ReserveAsync(login, AddressKey(client), now, now - options.FailedLoginWindow, now - 2 * options.FailedLoginWindow,
            counts => Decide(counts, now), cancellationToken);
    }

    /// <summary>The password was right: the pair starts afresh, and the attempt no longer counts against the address or the login.</summary>
    public ValueTask SucceededAsync(LoginAttempt attempt, CancellationToken cancellationToken) => attempts.SucceededAsync(attempt, cancellationToken);

    /// <summary>The password could not be checked (the directory failed): the attempt does not count.</summary>
    public ValueTask AbandonedAsync(LoginAttempt attempt, CancellationToken cancellationToken) => attempts.AbandonedAsync(attempt, cancellationToken);

    /// <summary>The rule: wait for the longest of the three counts' waits; when none, admit with one more failure for the pair.</summary>
    private LoginDecision Decide(LoginCounts counts, DateTimeOffset now)
    {
        var pair = counts.Pair is { } remembered && !Forgotten(remembered, now) ? remembered : null;
        var waits = new List<TimeSpan>();
        if (pair is not null && pair.Failures >= options.MaxFailedLogins)
        {
            waits.Add(pair.LastFailure + Backoff(pair.Failures) - now);
        }
        waits.Add(WaitFor(counts.ByAddress, options.MaxFailedLogins * AddressFactor, now));
        waits.Add(WaitFor(counts.ByLogin, options.MaxFailedLogins * LoginFactor, now));
        return new LoginDecision(waits.Max(), (pair?.Failures ?? 0) + 1);
    }

    /// <summary>
    /// A pair is forgotten one window after its last failure, or after its wait has ended when it waits: waiting out the
    /// longest wait (a window) must not be enough to get the free attempts back.
    /// </summary>
    private bool Forgotten(LoginPair pair, DateTimeOffset now) =>
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

    /// <summary>Attempts in the window (oldest first) past <paramref name="limit"/>: the oldest that keeps the count at the limit has to leave the window first.</summary>
    private TimeSpan WaitFor(IReadOnlyList<DateTimeOffset> attempts, int limit, DateTimeOffset now)
    {
        var inWindow = attempts.Where(at => now - at < options.FailedLoginWindow).ToList();
        return inWindow.Count < limit ? TimeSpan.Zero : inWindow[inWindow.Count - limit] + options.FailedLoginWindow - now;
    }
}
