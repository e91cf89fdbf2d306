using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;
using Npgsql;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Two servers on a PostgreSQL of this test's own (scripts/postgres.sh on a folder and port of its own, so the shared
/// one other tests use is never restarted), jobs submitted through both while the database restarts: the servers stay
/// up, answer 503 with a problem body while it is away (never a 500) and say so in /health, reconnect by themselves,
/// a leader leads again, a submit wakes the scheduler across servers again (LISTEN/NOTIFY listening anew), and every
/// job acknowledged before, during or after the restart ends once.
/// </summary>
public sealed class PostgresRestartTests : IAsyncLifetime
{
    /// <summary>Far longer than a wake-up takes: a job placed well before it was placed by a wake-up, not by the poll.</summary>
    private static readonly TimeSpan SchedulerPoll = TimeSpan.FromSeconds(60);
    /// <summary>A small job: however many wait, the node's capacity is not what delays a placement.</summary>
    private static readonly JobSpec Job = new() { Script = "echo done $GODOCKER_JOB_ID", Cpus = 0.01, Memory = "16M" };
    private readonly string postgresDir = Directory.CreateTempSubdirectory("godocker-pg-restart-").FullName;
    private readonly string jobsDir = Directory.CreateTempSubdirectory("godocker-shared-jobs-").FullName;
    private readonly List<ServerProcess> servers = [];
    private string connectionString = null!;

    public async Task InitializeAsync() => connectionString = await PostgresAsync("start", postgresDir, FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async Task DisposeAsync()
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }
        NpgsqlConnection.ClearAllPools();
        await PostgresAsync("stop", postgresDir);
        Directory.Delete(postgresDir, recursive: true);
    }

    [Fact]
    public async Task RestartingPostgres_WhileJobsFlow_ServersReconnect_AndEveryAcknowledgedJobEndsOnce()
    {
        var first = await StartServerAsync();
        var second = await StartServerAsync();
        await Until.LeaderAsync(first);
        // A first job run end to end: the leader's node is recovered and takes jobs, so placement waits only for a cycle.
        await first.Api.WaitEndAsync((await first.Api.SubmitAsync(Job)).Id, TimeSpan.FromMinutes(3));
        var before = await MeasureWakeUpAsync(first, second);

        using var flowing = new CancellationTokenSource();
        var submits = servers.Select(s => SubmitWhileAsync(s, flowing.Token)).ToList();
        var healths = servers.Select(s => WatchHealthAsync(s, flowing.Token)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(3));
        // Down long enough for requests and health checks to meet the outage on both servers, and for the lease to lapse.
        await PostgresAsync("stop", postgresDir);
        var down = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(8));
        await PostgresAsync("start", postgresDir);
        var outage = down.Elapsed;
        var upAgain = Stopwatch.StartNew();
        var leaderAfter = await Until.LeaderAsync(first);
        var leaderTook = upAgain.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(5));
        await flowing.CancelAsync();
        var outcomes = (await Task.WhenAll(submits)).SelectMany(o => o).ToList();
        var seen = (await Task.WhenAll(healths)).Select(h => h.ToList()).ToList();
        var acknowledged = outcomes.Where(o => o.Id is not null).Select(o => o.Id!.Value).ToList();
        await Until.TrueAsync(async () => (await first.Api.ListAsync("?state=Pending&state=Scheduled&state=Running&limit=1")).Total == 0,
            TimeSpan.FromMinutes(5), "every job to end");
        // Measured on an idle cluster, three times: a submit placed at once each time was woken, not found by the poll.
        var after = TimeSpan.Zero;
        for (var i = 0; i < 3; i++)
        {
            var took = await MeasureWakeUpAsync(first, second);
            after = took > after ? took : after;
        }
        // Each server says ok again by itself (its node recovered by whichever server now leads, the database answering).
        var recovered = new List<HealthView>();
        foreach (var server in servers)
        {
            var waited = Stopwatch.StartNew();
            var health = await server.Api.HealthAsync();
            while (health.Status != "ok" && waited.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(200);
                health = await server.Api.HealthAsync();
            }
            recovered.Add(health);
        }
        var all = (await first.Api.ListAsync("?limit=1000")).Items;
        var stdout = new Dictionary<long, string>();
        foreach (var id in acknowledged)
        {
            stdout[id] = await second.Api.StdoutAsync(id);
        }
        var ended = new List<JobView>();
        foreach (var job in all)
        {
            ended.Add(await second.Api.GetAsync(job.Id));
        }

        Console.WriteLine($"postgres restart: down {outage.TotalSeconds:0.0} s; {acknowledged.Count} submits acknowledged, "
            + $"{outcomes.Count(o => o.Status == 503)} answered 503; a leader {leaderTook.TotalMilliseconds:0} ms after the restart ({leaderAfter}); "
            + $"submit to the standby → placed: {before.TotalMilliseconds:0} ms before, {after.TotalMilliseconds:0} ms after (the poll is {SchedulerPoll.TotalSeconds:0} s)");
        // Every answer was an acknowledgement or a 503 with a problem body and Retry-After; the servers never stopped answering.
        Assert.All(outcomes, o => Assert.True(o.Status is 201 or 503 && (o.Status == 201 || o.Problem), $"a submit got {o.Status}: {o.Body}"));
        Assert.Contains(outcomes, o => o.Status == 503);
        Assert.All(seen, health => Assert.Contains(health, h => h.Status == "degraded" && h.Reason!.Contains("database", StringComparison.Ordinal)));
        Assert.All(recovered, health => Assert.True(health.Status == "ok", $"a server's health after the restart: {Describe(health)}"));
        Assert.True(after < SchedulerPoll / 4, $"a submit after the restart was placed {after.TotalSeconds:0.0} s later: no wake-up reached the leader");
        // Nothing lost: every acknowledged job is there and ended once, on its first attempt; no job of the outage ran twice.
        Assert.Subset(all.Select(j => j.Id).ToHashSet(), acknowledged.ToHashSet());
        Assert.All(ended, job =>
        {
            Assert.Equal(JobState.Succeeded, job.State);
            Assert.Equal(1, job.Attempt);
            Assert.Single(job.Events!, e => e.Kind == "started");
            Assert.Single(job.Events!, e => e.Kind == "succeeded");
        });
        Assert.All(acknowledged, id => Assert.Equal($"done {id}\n", stdout[id]));
    }

    private async Task<ServerProcess> StartServerAsync()
    {
        var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Store:Provider"] = "postgres",
            ["Store:ConnectionString"] = connectionString,
            ["Server:JobsDir"] = jobsDir,
            ["Scheduler:Interval"] = SchedulerPoll.ToString(),
            ["Nodes:0:Name"] = "local",
            ["Nodes:0:Endpoint"] = SecondEngine.FirstEndpoint,
            ["Nodes:0:Cpus"] = "4",
            ["Nodes:0:Memory"] = "16G",
        }, expectHealthy: false);
        servers.Add(server);
        return server;
    }

    /// <summary>How long a job submitted to the server that does not lead waits to be placed: the wake-up crosses servers by NOTIFY.</summary>
    private static async Task<TimeSpan> MeasureWakeUpAsync(ServerProcess first, ServerProcess second)
    {
        var leader = (await first.Api.HealthAsync()).Leader;
        var standby = (await first.Api.HealthAsync()).Servers.Single(s => s.Answering).Id == leader ? second : first;
        var submitted = Stopwatch.StartNew();
        var job = await standby.Api.SubmitAsync(Job);
        await standby.Api.WaitForAsync(job.Id, j => j.State != JobState.Pending, SchedulerPoll * 2);
        var took = submitted.Elapsed;
        await standby.Api.WaitEndAsync(job.Id, TimeSpan.FromMinutes(3));
        return took;
    }

    private static string Describe(HealthView health) =>
        $"{health.Status} ({health.Reason}; nodes {string.Join(", ", health.Nodes.Select(n => $"{n.Name} {n.Status} {n.Error}"))})";

    private sealed record Outcome(int Status, long? Id, bool Problem, string Body);

    /// <summary>Submits a job every 250 ms until told to stop, keeping each answer.</summary>
    private static async Task<List<Outcome>> SubmitWhileAsync(ServerProcess server, CancellationToken stop)
    {
        var outcomes = new List<Outcome>();
        while (!stop.IsCancellationRequested)
        {
            using var response = await server.Api.Http.PostAsJsonAsync("/api/v1/jobs", Job, GoDockerJson.Default.JobSpec, CancellationToken.None);
            var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
            outcomes.Add(response.StatusCode == HttpStatusCode.Created
                ? new Outcome(201, (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView, CancellationToken.None))!.Id, false, body)
                : new Outcome((int)response.StatusCode, null,
                    response.Content.Headers.ContentType?.MediaType == "application/problem+json" && response.Headers.RetryAfter is not null, body));
            await Task.Delay(250, CancellationToken.None);
        }
        return outcomes;
    }

    private static async Task<List<HealthView>> WatchHealthAsync(ServerProcess server, CancellationToken stop)
    {
        var seen = new List<HealthView>();
        while (!stop.IsCancellationRequested)
        {
            seen.Add(await server.Api.HealthAsync());
            await Task.Delay(250, CancellationToken.None);
        }
        return seen;
    }



    /// <summary>scripts/postgres.sh on this test's own folder (and port, at the first start); the connection string it prints.</summary>
    private static async Task<string> PostgresAsync(params string[] args)
    {
        var result = await BoundedProcess.RunAsync("bash", [Path.Combine(Paths.RepoRoot, "scripts/postgres.sh"), .. args],
            new Dictionary<string, string>(), TimeSpan.FromMinutes(5));
        Assert.True(result.ExitCode == 0, $"scripts/postgres.sh {string.Join(' ', args)}: {result}");
        return result.Stdout.Trim().Split('\n')[^1];
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
