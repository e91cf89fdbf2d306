using System.Diagnostics;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;
using Npgsql;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Two servers on one PostgreSQL database and two engines (this machine's and the second one, scripts/dockerd2.sh),
/// job directories on a folder both see: both serve the API, one leads. Kill -9 of the leader while jobs flow (300, or
/// GODOCKER_TEST_FAILOVER_JOBS; submitted through both servers, more submitted to the standby during the takeover):
/// the other takes the lease and goes on; every job ends once, on its first attempt (none lost, none run twice); the killed server comes back
/// as a standby.
/// </summary>
public sealed class FailoverTests : IAsyncLifetime
{
    /// <summary>
    /// 300 by default: the kill still falls while some jobs have ended and most run or wait, and every property below is
    /// checked as with more, in 5 minutes instead of 18 (this machine's engines start about 1.5 containers/s, so 1,000
    /// jobs made the test half of the whole CI run). GODOCKER_TEST_FAILOVER_JOBS=1000 gives issue 9's figure.
    /// </summary>
    private static readonly int Jobs = int.TryParse(Environment.GetEnvironmentVariable("GODOCKER_TEST_FAILOVER_JOBS"), out var jobs) && jobs >= 40 ? jobs : 300;
    /// <summary>Ended before the kill: the kill falls while some jobs have ended and most run or wait.</summary>
    private static readonly int EndedBeforeKill = Jobs / 10;
    private string serverConnectionString = null!;
    private string databaseName = null!;
    private string connectionString = null!;
    private string secondEngine = null!;
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
        secondEngine = await SecondEngine.EndpointAsync();
    }

    public async Task DisposeAsync()
    {
        var instances = servers.Select(s => s.InstanceId).OfType<string>().ToList();
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }
        // The first engine's containers go with each server; the second engine's are removed here.
        using (var engine = SecondEngine.Client(secondEngine))
        {
            foreach (var instance in instances)
            {
                foreach (var container in await engine.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
                {
                    All = true,
                    Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"godocker.instance={instance}"] = true } },
                }))
                {
                    await engine.Containers.RemoveContainerAsync(container.ID, new Docker.DotNet.Models.ContainerRemoveParameters { Force = true });
                }
            }
        }
        NpgsqlConnection.ClearAllPools();
        await using var postgres = NpgsqlDataSource.Create(serverConnectionString);
        await TestDatabases.DropAsync(postgres, databaseName);
    }

    private async Task<ServerProcess> StartAsync()
    {
        var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Store:Provider"] = "postgres",
            ["Store:ConnectionString"] = connectionString,
            ["Server:JobsDir"] = jobsDir,
            // Small jobs on two nodes of ample declared capacity: how many run at once is the engines' launch rate.
            ["Nodes:0:Name"] = "n1",
            ["Nodes:0:Endpoint"] = SecondEngine.FirstEndpoint,
            ["Nodes:0:Cpus"] = "4",
            ["Nodes:0:Memory"] = "16G",
            ["Nodes:1:Name"] = "n2",
            ["Nodes:1:Endpoint"] = secondEngine,
            ["Nodes:1:Cpus"] = "4",
            ["Nodes:1:Memory"] = "16G",
            ["Executor:MaxConcurrentLaunches"] = "16",
        }, expectHealthy: false);
        servers.Add(server);
        return server;
    }

    [Fact]
    public async Task KillingTheLeaderWhileJobsFlow_AnotherLeadsWithinTheLease_AndEveryJobEndsOnce()
    {
        var first = await StartAsync();
        var second = await StartAsync();
        var leaderId = await Until.LeaderAsync(first);
        var (leader, standby) = (await first.Api.HealthAsync()).Servers.Single(s => s.Answering).Id == leaderId ? (first, second) : (second, first);
        var spec = new JobSpec { Script = "echo done $GODOCKER_JOB_ID", Cpus = 0.02, Memory = "32M" };

        // Jobs submitted through both servers at once; the leader is killed once some have ended and others run or
        // wait, and the last quarter is submitted to the standby while it takes over.
        var beforeKill = await Task.WhenAll(SubmitAsync(leader, spec, Jobs / 2), SubmitAsync(standby, spec, Jobs / 4));
        await Until.TrueAsync(async () => (await standby.Api.ListAsync("?state=Succeeded&limit=1")).Total >= EndedBeforeKill,
            TimeSpan.FromMinutes(5), $"{EndedBeforeKill} jobs to end before the kill");
        var endedAtKill = (await standby.Api.ListAsync("?state=Succeeded&limit=1")).Total;
        await leader.KillHardAsync();
        var killedAt = Stopwatch.StartNew();
        var duringTakeover = SubmitAsync(standby, spec, Jobs - Jobs / 2 - Jobs / 4);
        var newLeader = await Until.LeaderAsync(standby, id => id != leaderId);
        var takeover = killedAt.Elapsed;
        Console.WriteLine($"failover with {Jobs} jobs: the standby led {takeover.TotalMilliseconds:0} ms after kill -9 of the leader");
        var ids = beforeKill.SelectMany(i => i).Concat(await duringTakeover).ToList();

        var live = 0L;
        await Until.TrueAsync(async () => (live = (await standby.Api.ListAsync("?state=Pending&state=Scheduled&state=Running&limit=1")).Total) == 0,
            // About 11 min for 1,000 jobs at this machine's 1.5 containers/s when nothing else runs; a loaded run gets a
            // generous deadline.
            TimeSpan.FromMinutes(22), () => $"every job to end ({live} of {Jobs} still pending, scheduled or running)");
        var flowed = killedAt.Elapsed;
        var ended = new List<JobView>();
        foreach (var id in ids)
        {
            ended.Add(await standby.Api.GetAsync(id));
        }
        var stdout = new Dictionary<long, string>();
        foreach (var id in ids)
        {
            stdout[id] = await standby.Api.StdoutAsync(id);
        }
        var total = (await standby.Api.ListAsync("?limit=1")).Total;
        // The killed server comes back and stands by: one leader.
        await leader.StartAgainAsync();
        var health = await leader.Api.HealthAsync();

        Console.WriteLine($"failover with {Jobs} jobs: {endedAtKill} had ended at the kill; every job had ended {flowed.TotalSeconds:0.0} s after it");
        Assert.NotEqual(leaderId, newLeader);
        // The lease is 6 s (Cluster:LeaseTime): 10 s is the target; a loaded test machine gets a generous deadline.
        Assert.True(takeover < TimeSpan.FromSeconds(30), $"the standby led {takeover.TotalSeconds:0.0} s after the kill");
        Assert.Equal(Jobs, ids.Distinct().Count());
        Assert.Equal(Jobs, total); // none lost, none made twice
        Assert.All(ended, job =>
        {
            Assert.Equal(JobState.Succeeded, job.State);
            Assert.Equal(1, job.Attempt); // never launched again: the new leader re-attached what ran
            Assert.Single(job.Events!, e => e.Kind == "started");
            Assert.Single(job.Events!, e => e.Kind == "succeeded");
        });
        Assert.All(ids, id => Assert.Equal($"done {id}\n", stdout[id]));
        Assert.Equal(2, ended.Select(j => j.Node).Distinct().Count()); // both engines ran jobs
        Assert.Equal(newLeader, health.Leader);
        Assert.Equal(2, health.Servers.Count(s => DateTimeOffset.UtcNow - s.LastSeen < TimeSpan.FromSeconds(30)));
    }

    /// <summary>Submits <paramref name="count"/> jobs through <paramref name="server"/>, four at a time; every one must be acknowledged.</summary>
    private static async Task<List<long>> SubmitAsync(ServerProcess server, JobSpec spec, int count)
    {
        var ids = new List<long>();
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                var id = (await server.Api.SubmitAsync(spec)).Id;
                lock (ids)
                {
                    ids.Add(id);
                }
            }
        }));
        return ids;
    }



}
