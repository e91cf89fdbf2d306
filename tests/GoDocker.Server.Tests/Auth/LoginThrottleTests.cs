using System.Net;
using GoDocker.Server.Auth;
using GoDocker.Storage;
using GoDocker.Storage.Logins;
using Microsoft.Extensions.Time.Testing;

namespace GoDocker.Server.Tests.Auth;

public sealed class LoginThrottleTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly IPAddress Attacker = IPAddress.Parse("192.0.2.66");
    private static readonly IPAddress Owner = IPAddress.Parse("198.51.100.7");
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));
    private readonly AuthOptions options = new()
    {
        MaxFailedLogins = 5,
        FailedLoginWindow = TimeSpan.FromMinutes(5),
        FailedLoginBackoff = TimeSpan.FromSeconds(30),
    };

    private LoginThrottle Throttle() => new(options, new InProcessLoginAttempts(), clock);

    [Fact]
    public async Task ParallelGuesses_ReserveAtMostTheLimit_BeforeAnyIsChecked()
    {
        var throttle = Throttle();

        var reservations = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(async () => await throttle.ReserveAsync("alice", Attacker, Ct))));

        Assert.Equal(5, reservations.Count(r => r.Attempt is not null));
        Assert.All(reservations.Where(r => r.Attempt is null), r => Assert.Equal(TimeSpan.FromSeconds(30), r.RetryAfter));
    }

    [Fact]
    public async Task PastTheLimit_EachFurtherFailure_DoublesTheWait_UpToTheWindow()
    {
        var throttle = Throttle();
        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull((await throttle.ReserveAsync("alice", Attacker, Ct)).Attempt);
        }

        var waits = new List<TimeSpan>();
        for (var i = 0; i < 6; i++)
        {
            var refused = await throttle.ReserveAsync("alice", Attacker, Ct);
            Assert.Null(refused.Attempt);
            waits.Add(refused.RetryAfter);
            clock.Advance(refused.RetryAfter);
            Assert.NotNull((await throttle.ReserveAsync("alice", Attacker, Ct)).Attempt);
        }

        Assert.Equal([30, 60, 120, 240, 300, 300], waits.Select(w => w.TotalSeconds));
    }

    [Fact]
    public async Task GuessesFromOneAddress_DoNotLockTheOwnerOut_FromTheirs()
    {
        var throttle = Throttle();
        for (var i = 0; i < 40; i++)
        {
            await throttle.ReserveAsync("alice", Attacker, Ct);
        }

        var owner = await throttle.ReserveAsync("alice", Owner, Ct);

        Assert.NotNull(owner.Attempt);
    }

    [Fact]
    public async Task Success_ClearsThePair()
    {
        var throttle = Throttle();
        for (var i = 0; i < 4; i++)
        {
            await throttle.ReserveAsync("alice", Owner, Ct);
        }
        await throttle.SucceededAsync((await throttle.ReserveAsync("alice", Owner, Ct)).Attempt!, Ct);

        var afterwards = await InTurnAsync(5, _ => throttle.ReserveAsync("alice", Owner, Ct));

        Assert.All(afterwards, r => Assert.NotNull(r.Attempt));
    }

    [Fact]
    public async Task FailuresAreForgotten_AWindowAfterTheWaitEnds()
    {
        var throttle = Throttle();
        for (var i = 0; i < 5; i++)
        {
            await throttle.ReserveAsync("alice", Attacker, Ct);
        }
        Assert.Null((await throttle.ReserveAsync("alice", Attacker, Ct)).Attempt);
        clock.Advance(TimeSpan.FromSeconds(30) + TimeSpan.FromMinutes(5));

        var attempts = await InTurnAsync(6, _ => throttle.ReserveAsync("alice", Attacker, Ct));

        Assert.Equal(5, attempts.Count(a => a.Attempt is not null));
    }

    [Fact]
    public async Task OneAddressSprayingLogins_IsLimitedToFourTimesTheLimit()
    {
        var throttle = Throttle();

        var granted = (await InTurnAsync(100, i => throttle.ReserveAsync($"user{i}", Attacker, Ct))).Count(r => r.Attempt is not null);
        var fromElsewhere = await throttle.ReserveAsync("user1", Owner, Ct);

        Assert.Equal(20, granted);
        Assert.NotNull(fromElsewhere.Attempt);
    }

    [Fact]
    public async Task ManyAddressesOnOneLogin_AreLimitedToTwentyTimesTheLimit()
    {
        var throttle = Throttle();

        var granted = 0;
        for (var a = 0; a < 60; a++)
        {
            var address = IPAddress.Parse($"203.0.113.{a + 1}");
            granted += (await InTurnAsync(5, _ => throttle.ReserveAsync("alice", address, Ct))).Count(r => r.Attempt is not null);
        }

        Assert.Equal(100, granted);
    }

    [Fact]
    public async Task AnAbandonedAttempt_DoesNotCount()
    {
        var throttle = Throttle();
        for (var i = 0; i < 10; i++)
        {
            await throttle.AbandonedAsync((await throttle.ReserveAsync("alice", Owner, Ct)).Attempt!, Ct);
        }

        Assert.NotNull((await throttle.ReserveAsync("alice", Owner, Ct)).Attempt);
    }

    /// <summary><paramref name="count"/> reservations, one after the other.</summary>
    private static async Task<List<LoginReservation>> InTurnAsync(int count, Func<int, ValueTask<LoginReservation>> reserve)
    {
        var reservations = new List<LoginReservation>();
        for (var i = 0; i < count; i++)
        {
            reservations.Add(await reserve(i));
        }
        return reservations;
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    public void Addresses_AreCountedPerIPv4Host_OrPerIPv6Slash64(string address, string key) =>
        Assert.Equal(key, LoginThrottle.AddressKey(IPAddress.Parse(address)));
}
