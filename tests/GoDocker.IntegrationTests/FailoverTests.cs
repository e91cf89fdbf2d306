using System.Diagnostics;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;
using Npgsql;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Two servers on one PostgreSQL database and one engine, job directories on a folder both see: both serve the API,
/// one leads. Kill -9 of the leader while jobs flow: the other takes the lease and goes on; every job ends once, on its
/// first attempt (none lost, none run twice); the killed server comes back as a standby.
/// </summary>
public sealed class FailoverTests : IAsyncLifetime
{
    private const int Jobs = 60;
    private string serverConnectionString = null!;
    private string databaseName = null!;
    private string connectionString = null!;
    private readonly string jobsDir = Directory.CreateTempSubdirectory("godocker-shared-jobs-").FullName;
    private readonly List<ServerProcess> servers = [];

    public async Task InitializeAsync()
    {
        serverConnectionString = Environment.GetEnvironmentVariable("GODOCKER_TEST_POSTGRES") is { Length: > 0 } given
            ? given
            : (await BoundedProcess.RunAsync("bash", [Path.Combine(Paths.RepoRoot, "scripts/postgres.sh"), "start"], new Dictionary<string, string>(), TimeSpan.FromMinutes(5))).Stdout.Trim();
        databaseName = "godocker_failover_" + Guid.NewGuid().ToString("N");
        await using (var postgres = NpgsqlDataSource.Create(serverConnectionString))
        await using (var create = postgres.CreateCommand($"CREATE DATABASE {databaseName}"))
        {
            await create.ExecuteNonQueryAsync();
        }
        connectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = databaseName }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }
        NpgsqlConnection.ClearAllPools();
        await using var postgres = NpgsqlDataSource.Create(serverConnectionString);
        await using var drop = postgres.CreateCommand($"DROP DATABASE IF EXISTS {databaseName} WITH (FORCE)");
        await drop.ExecuteNonQueryAsync();
    }

    private async Task<ServerProcess> StartAsync()
    {
        var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Store:Provider"] = "postgres",
            ["Store:ConnectionString"] = connectionString,
            ["Server:JobsDir"] = jobsDir,
        }, expectHealthy: false);
        servers.Add(server);
        return server;
    }

    [Fact]
    public async Task KillingTheLeaderWhileJobsFlow_AnotherLeadsWithinTheLease_AndEveryJobEndsOnce()
    {
        var first = await StartAsync();
        var second = await StartAsync();
        var leaderId = await WaitForLeaderAsync(first, _ => true);
        var (leader, standby) = (await first.Api.HealthAsync()).Servers.Single(s => s.Answering).Id == leaderId ? (first, second) : (second, first);

        // Jobs submitted through both servers; the leader is killed once some have ended and others run or wait.
        var ids = new List<long>();
        for (var i = 0; i < Jobs; i++)
        {
            ids.Add((await (i % 2 == 0 ? standby : leader).Api.SubmitAsync(new JobSpec { Script = "sleep 1; echo done $GODOCKER_JOB_ID", Cpus = 0.1 })).Id);
        }
        await WaitAsync(async () => (await standby.Api.ListAsync("?state=Succeeded&limit=1")).Total >= 5, TimeSpan.FromSeconds(120), "5 jobs to end before the kill");
        await leader.KillHardAsync();
        var killedAt = Stopwatch.StartNew();
        var newLeader = await WaitForLeaderAsync(standby, id => id != leaderId);
        var takeover = killedAt.Elapsed;

        var ended = new List<JobView>();
        foreach (var id in ids)
        {
            ended.Add(await standby.Api.WaitEndAsync(id, TimeSpan.FromMinutes(5)));
        }
        // The killed server comes back and stands by: one leader.
        await leader.StartAgainAsync();
        var health = await leader.Api.HealthAsync();

        Assert.NotEqual(leaderId, newLeader);
        Assert.True(takeover < TimeSpan.FromSeconds(30), $"the standby led {takeover.TotalSeconds:0.0} s after the kill");
        Assert.All(ended, job =>
        {
            Assert.Equal(JobState.Succeeded, job.State);
            Assert.Equal(1, job.Attempt); // never launched again: the new leader re-attached what ran
            Assert.Single(job.Events!, e => e.Kind == "started");
            Assert.Single(job.Events!, e => e.Kind == "succeeded");
        });
        foreach (var id in ids)
        {
            Assert.Equal($"done {id}\n", await standby.Api.StdoutAsync(id));
        }
        Assert.Equal(newLeader, health.Leader);
        Assert.Equal(2, health.Servers.Count(s => DateTimeOffset.UtcNow - s.LastSeen < TimeSpan.FromSeconds(30)));
        Console.WriteLine($"failover: the standby led {takeover.TotalMilliseconds:0} ms after kill -9 of the leader");
    }

    private static async Task<string> WaitForLeaderAsync(ServerProcess server, Func<string, bool> accept)
    {
        string? leader = null;
        await WaitAsync(async () => (leader = (await server.Api.HealthAsync()).Leader) is { } id && accept(id), TimeSpan.FromSeconds(60), "a leader");
        return leader!;
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < timeout, $"waited {timeout.TotalSeconds} s for {what}");
            await Task.Delay(200);
        }
    }
}
