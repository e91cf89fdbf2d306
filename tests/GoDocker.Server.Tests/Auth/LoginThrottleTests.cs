using System.Net;
using GoDocker.Server.Auth;
using Microsoft.Extensions.Time.Testing;

namespace GoDocker.Server.Tests.Auth;

public sealed class LoginThrottleTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("192.0.2.66");
    private static readonly IPAddress Owner = IPAddress.Parse("198.51.100.7");
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));
    private readonly AuthOptions options = new()
    {
        MaxFailedLogins = 5,
        FailedLoginWindow = TimeSpan.FromMinutes(5),
        FailedLoginBackoff = TimeSpan.FromSeconds(30),
    };

    private LoginThrottle Throttle() => new(options, clock);

    [Fact]
    public void ParallelGuesses_ReserveAtMostTheLimit_BeforeAnyIsChecked()
    {
        var throttle = Throttle();

        var reservations = new LoginReservation[40];
        Parallel.For(0, reservations.Length, i => reservations[i] = throttle.Reserve("alice", Attacker));

        Assert.Equal(5, reservations.Count(r => r.Attempt is not null));
        Assert.All(reservations.Where(r => r.Attempt is null), r => Assert.Equal(TimeSpan.FromSeconds(30), r.RetryAfter));
    }

    [Fact]
    public void PastTheLimit_EachFurtherFailure_DoublesTheWait_UpToTheWindow()
    {
        var throttle = Throttle();
        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull(throttle.Reserve("alice", Attacker).Attempt);
        }

        var waits = new List<TimeSpan>();
        for (var i = 0; i < 6; i++)
        {
            var refused = throttle.Reserve("alice", Attacker);
            Assert.Null(refused.Attempt);
            waits.Add(refused.RetryAfter);
            clock.Advance(refused.RetryAfter);
            Assert.NotNull(throttle.Reserve("alice", Attacker).Attempt);
        }

        Assert.Equal([30, 60, 120, 240, 300, 300], waits.Select(w => w.TotalSeconds));
    }

    [Fact]
    public void GuessesFromOneAddress_DoNotLockTheOwnerOut_FromTheirs()
    {
        var throttle = Throttle();
        for (var i = 0; i < 40; i++)
        {
            throttle.Reserve("alice", Attacker);
        }

        var owner = throttle.Reserve("alice", Owner);

        Assert.NotNull(owner.Attempt);
    }

    [Fact]
    public void Success_ClearsThePair()
    {
        var throttle = Throttle();
        for (var i = 0; i < 4; i++)
        {
            throttle.Reserve("alice", Owner);
        }
        throttle.Succeeded(throttle.Reserve("alice", Owner).Attempt!);

        var afterwards = Enumerable.Range(0, 5).Select(_ => throttle.Reserve("alice", Owner)).ToList();

        Assert.All(afterwards, r => Assert.NotNull(r.Attempt));
    }

    [Fact]
    public void FailuresAreForgotten_AWindowAfterTheWaitEnds()
    {
        var throttle = Throttle();
        for (var i = 0; i < 5; i++)
        {
            throttle.Reserve("alice", Attacker);
        }
        Assert.Null(throttle.Reserve("alice", Attacker).Attempt);
        clock.Advance(TimeSpan.FromSeconds(30) + TimeSpan.FromMinutes(5));

        var attempts = Enumerable.Range(0, 6).Select(_ => throttle.Reserve("alice", Attacker)).ToList();

        Assert.Equal(5, attempts.Count(a => a.Attempt is not null));
    }

    [Fact]
    public void OneAddressSprayingLogins_IsLimitedToFourTimesTheLimit()
    {
        var throttle = Throttle();

        var granted = Enumerable.Range(0, 100).Count(i => throttle.Reserve($"user{i}", Attacker).Attempt is not null);
        var fromElsewhere = throttle.Reserve("user1", Owner);

        Assert.Equal(20, granted);
        Assert.NotNull(fromElsewhere.Attempt);
    }

    [Fact]
    public void ManyAddressesOnOneLogin_AreLimitedToTwentyTimesTheLimit()
    {
        var throttle = Throttle();

        var granted = 0;
        for (var a = 0; a < 60; a++)
        {
            var address = IPAddress.Parse($"203.0.113.{a + 1}");
            granted += Enumerable.Range(0, 5).Count(_ => throttle.Reserve("alice", address).Attempt is not null);
        }

        Assert.Equal(100, granted);
    }

    [Fact]
    public void AnAbandonedAttempt_DoesNotCount()
    {
        var throttle = Throttle();
        for (var i = 0; i < 10; i++)
        {
            throttle.Abandoned(throttle.Reserve("alice", Owner).Attempt!);
        }

        Assert.NotNull(throttle.Reserve("alice", Owner).Attempt);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    public void Addresses_AreCountedPerIPv4Host_OrPerIPv6Slash64(string address, string key) =>
        Assert.Equal(key, LoginThrottle.AddressKey(IPAddress.Parse(address)));
}
