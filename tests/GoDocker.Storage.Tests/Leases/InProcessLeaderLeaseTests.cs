using GoDocker.Storage.Leases;

namespace GoDocker.Storage.Tests.Leases;

/// <summary>The embedded mode's lease: always this server's, and still a greater token after a release.</summary>
public sealed class InProcessLeaderLeaseTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task TheOneServer_AlwaysLeads_UntilItReleases()
    {
        var lease = new InProcessLeaderLease("scheduler", "server-1");

        var held = (await lease.TryAcquireAsync(Ct))!;

        Assert.Equal(new Leadership("scheduler", "server-1", 1, DateTimeOffset.MaxValue), held);
        Assert.Equal(held, await lease.TryAcquireAsync(Ct));
        Assert.Equal(held, await lease.RenewAsync(held, Ct));
        Assert.Equal(held, await lease.CurrentAsync(Ct));
    }

    [Fact]
    public async Task AfterARelease_RenewFails_AndTheNextAcquireHasAGreaterToken()
    {
        var lease = new InProcessLeaderLease("scheduler", "server-1");
        var held = (await lease.TryAcquireAsync(Ct))!;

        await lease.ReleaseAsync(held, Ct);

        Assert.Null(await lease.CurrentAsync(Ct));
        Assert.Null(await lease.RenewAsync(held, Ct));
        Assert.Equal(2, (await lease.TryAcquireAsync(Ct))!.Token);
    }
}
