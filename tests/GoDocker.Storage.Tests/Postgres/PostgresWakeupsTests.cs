using GoDocker.Storage.Postgres;
using Microsoft.Extensions.Logging.Abstractions;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>Wake-ups between two servers (two pools, two listeners) by LISTEN/NOTIFY on a real PostgreSQL.</summary>
public sealed class PostgresWakeupsTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private readonly List<PostgresWakeups> started = [];
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        foreach (var wakeups in started)
        {
            await wakeups.DisposeAsync();
        }
        await database.DisposeAsync();
    }

    private async Task<PostgresWakeups> ServerAsync(string name)
    {
        var wakeups = await PostgresWakeups.StartAsync(
            database.OpenDataSource(name), TimeProvider.System, NullLogger<PostgresWakeups>.Instance, Ct);
        started.Add(wakeups);
        return wakeups;
    }

    [Fact]
    public async Task APublish_WakesTheSignalsSubscribers_HereAndOnAnotherServer_AndNoOtherSignals()
    {
        var a = await ServerAsync("a");
        var b = await ServerAsync("b");
        var (onA, onB, otherOnB, lastOnA, lastOnB) = (new WakeupProbe(), new WakeupProbe(), new WakeupProbe(), new WakeupProbe(), new WakeupProbe());
        using var s1 = a.Subscribe("scheduler", onA.Wake);
        using var s2 = b.Subscribe("scheduler", onB.Wake);
        using var s3 = b.Subscribe("executor", otherOnB.Wake);
        using var s4 = a.Subscribe("last", lastOnA.Wake);
        using var s5 = b.Subscribe("last", lastOnB.Wake);

        await a.PublishAsync("scheduler", Ct);
        await onB.NextAsync(Within);
        // Notifications arrive in commit order: once "last" from b is in on both, everything before it is too.
        await b.PublishAsync("last", Ct);
        await lastOnA.NextAsync(Within);

        Assert.Equal(1, onA.Count);
        Assert.Equal(1, onB.Count);
        Assert.Equal(0, otherOnB.Count);
        Assert.Equal(1, lastOnA.Count);
        Assert.Equal(1, lastOnB.Count);
    }

    [Fact]
    public async Task WhenTheListenersConnectionIsCut_ItReconnects_WakesEveryone_AndStillGetsWakeUps()
    {
        var a = await ServerAsync("a");
        var b = await ServerAsync("b");
        var onB = new WakeupProbe();
        using var subscription = b.Subscribe("scheduler", onB.Wake);

        await using (var cut = database.DataSource.CreateCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'b'"))
        {
            Assert.Equal(1L, await cut.ExecuteScalarAsync(Ct));
        }
        await onB.NextAsync(Within);
        onB.Reset();
        await a.PublishAsync("scheduler", Ct);

        await onB.NextAsync(Within);
        Assert.Equal(2, onB.Count);
    }
}
