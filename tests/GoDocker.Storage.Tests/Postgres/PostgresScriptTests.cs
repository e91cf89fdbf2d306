using GoDocker.Storage.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>scripts/postgres.sh on a cluster of this class's own: stops, restarts, a stale pid file, and servers living through them.</summary>
public sealed class PostgresScriptTests(OwnPostgresCluster cluster) : IClassFixture<OwnPostgresCluster>
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AfterTheDatabaseStopsAndStarts_TheListenerReconnects_WakesEveryone_AndStillGetsWakeUps()
    {
        await using var database = await TestDatabase.CreateAsync(cluster.ConnectionString);
        await using var a = await PostgresWakeups.StartAsync(database.OpenDataSource("a"), TimeProvider.System, NullLogger<PostgresWakeups>.Instance, Ct);
        await using var b = await PostgresWakeups.StartAsync(database.OpenDataSource("b"), TimeProvider.System, NullLogger<PostgresWakeups>.Instance, Ct);
        var (onA, onB) = (new WakeupProbe(), new WakeupProbe());
        using var s1 = a.Subscribe("scheduler", onA.Wake);
        using var s2 = b.Subscribe("scheduler", onB.Wake);

        await PostgresScript.RunAsync("stop", cluster.Folder);
        // With the database down a publish still wakes this server, and does not fail.
        await a.PublishAsync("scheduler", Ct);
        Assert.Equal(1, onA.Count);
        await PostgresScript.RunAsync("start", cluster.Folder);

        // b may have missed the wake-up: once it listens again it wakes its subscribers.
        await onB.NextAsync(Within);
        onB.Reset();
        var before = onB.Count;
        await a.PublishAsync("scheduler", Ct);
        await onB.NextAsync(Within);
        Assert.True(onB.Count > before);

        // The same through the script's restart.
        await PostgresScript.RunAsync("restart", cluster.Folder);
        await onB.NextAsync(Within);
        onB.Reset();
        before = onB.Count;
        await a.PublishAsync("scheduler", Ct);
        await onB.NextAsync(Within);
        Assert.True(onB.Count > before);
    }

    [Fact]
    public async Task Start_AfterARebootLeftAStalePidFile_StartsAgain_AndIsIdempotent()
    {
        var pidFile = Path.Combine(cluster.Folder, "data", "postmaster.pid");
        var lines = await File.ReadAllLinesAsync(pidFile);
        await PostgresScript.RunAsync("stop", cluster.Folder);
        // After a reboot the old pid may name any live process: here, this test's own.
        lines[0] = Environment.ProcessId.ToString();
        await File.WriteAllLinesAsync(pidFile, lines);

        var (stopped, _, _) = await PostgresScript.TryRunAsync("status", cluster.Folder);
        var started = await PostgresScript.RunAsync("start", cluster.Folder);
        var again = await PostgresScript.RunAsync("start", cluster.Folder);
        var status = await PostgresScript.RunAsync("status", cluster.Folder);
        var url = await PostgresScript.RunAsync("url", cluster.Folder);

        Assert.Equal(3, stopped);
        Assert.Equal(cluster.ConnectionString, started);
        Assert.Equal([started, started, started], new[] { again, status, url });
        Assert.Contains($"Port={cluster.Port};", started);
        await using var connection = new NpgsqlConnection(started);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT current_user", connection);
        Assert.Equal("godocker", await command.ExecuteScalarAsync(Ct));
    }
}
