using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;
using Npgsql;

namespace GoDocker.IntegrationTests;

/// <summary>
/// `godocker priority` (sprio) on a cluster: two servers on one PostgreSQL database, one leads and schedules, the other
/// stands by. Asked at the standby, which runs no scheduling cycle, a pending job's priority, position and factors are
/// the leader's (it ranks the store with the same order), through the API and through the CLI of either server.
/// </summary>
public sealed class StandbyPriorityTests : IAsyncLifetime
{
    private const string User = "standby-prio";
    private string serverConnectionString = null!;
    private string databaseName = null!;
    private string connectionString = null!;
    private readonly string jobsDir = Directory.CreateTempSubdirectory("godocker-standby-prio-jobs-").FullName;
    private readonly string workDir = Directory.CreateTempSubdirectory("godocker-standby-prio-cli-").FullName;
    private readonly List<ServerProcess> servers = [];

    public async Task InitializeAsync()
    {
        serverConnectionString = Environment.GetEnvironmentVariable("GODOCKER_TEST_POSTGRES") is { Length: > 0 } given
            ? given
            : (await BoundedProcess.RunAsync("bash", [Path.Combine(Paths.RepoRoot, "scripts/postgres.sh"), "start"], new Dictionary<string, string>(), TimeSpan.FromMinutes(5))).Stdout.Trim();
        databaseName = "godocker_standby_prio_" + Guid.NewGuid().ToString("N");
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
        await using (var postgres = NpgsqlDataSource.Create(serverConnectionString))
        {
            await TestDatabases.DropAsync(postgres, databaseName);
        }
        Directory.Delete(jobsDir, recursive: true);
        Directory.Delete(workDir, recursive: true);
    }

    private async Task<ServerProcess> StartAsync()
    {
        var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Store:Provider"] = "postgres",
            ["Store:ConnectionString"] = connectionString,
            ["Server:JobsDir"] = jobsDir,
            ["Server:LocalUser"] = User,
            ["Scheduler:Policy"] = "fairshare",
            // No age factor: the leader ranked at its last cycle, the standby ranks when asked; with age, their
            // priorities would differ by the seconds between (the unit tests compare them with age, on one clock).
            ["Scheduler:FairShare:WeightAge"] = "0",
            ["Scheduler:FairShare:WeightJobSize"] = "500",
        }, expectHealthy: false);
        servers.Add(server);
        return server;
    }

    [Fact]
    public async Task PriorityAskedAtTheStandby_IsTheLeaders_ThroughTheApiAndTheCli()
    {
        var first = await StartAsync();
        var second = await StartAsync();
        var leaderId = await Until.LeaderAsync(first);
        var (leader, standby) = (await first.Api.HealthAsync()).Servers.Single(s => s.Answering).Id == leaderId ? (first, second) : (second, first);
        // Held jobs stay pending (no container runs); sizes and adjustments tell their priorities apart.
        var ids = new List<long>();
        foreach (var (cpus, adjustment) in new[] { (0.25, 0), (1.0, 0), (0.5, 30), (0.25, -10) })
        {
            var id = (await standby.Api.SubmitAsync(new JobSpec { Script = "true", Cpus = cpus, Hold = true })).Id;
            if (adjustment != 0)
            {
                using var set = await standby.Api.Http.PostAsJsonAsync($"/api/v1/jobs/{id}/priority", new PriorityRequest(adjustment), GoDockerJson.Default.PriorityRequest);
                Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync());
            }
            ids.Add(id);
        }
        // The leader's board, once a cycle has ranked every job with its adjustment.
        var fromLeader = new Dictionary<long, PriorityView>();
        await Until.TrueAsync(async () =>
        {
            foreach (var id in ids)
            {
                fromLeader[id] = await PriorityAsync(leader, id);
            }
            return fromLeader.Values.All(v => v.Pending == ids.Count && v.Reason?.Contains("godocker release", StringComparison.Ordinal) == true)
                && fromLeader[ids[2]].Priority - fromLeader[ids[0]].Priority > 29;
        }, TimeSpan.FromSeconds(60), "the leader to rank every job (and its cycle to write their reasons)");

        var fromStandby = new Dictionary<long, PriorityView>();
        foreach (var id in ids)
        {
            fromStandby[id] = await PriorityAsync(standby, id);
        }
        var cli = new Dictionary<(ServerProcess, long), (Cli.Result Json, Cli.Result Table)>();
        foreach (var server in (ServerProcess[])[leader, standby])
        {
            foreach (var id in ids)
            {
                var text = id.ToString(CultureInfo.InvariantCulture);
                cli[(server, id)] = (await Cli.RunAsync(server.BaseUrl, workDir, "priority", text, "-o", "json"), await Cli.RunAsync(server.BaseUrl, workDir, "priority", text));
            }
        }

        Assert.Equal([1, 2, 3, 4], fromLeader.Values.Select(v => v.Position).Order());
        foreach (var id in ids)
        {
            Assert.Equal(Describe(fromLeader[id]), Describe(fromStandby[id]));
            foreach (var server in (ServerProcess[])[leader, standby])
            {
                var (json, table) = cli[(server, id)];
                Assert.True(json.ExitCode == 0, $"priority {id} -o json at {server.BaseUrl}: {json.Stderr}");
                Assert.Equal(Describe(fromLeader[id]), Describe(JsonSerializer.Deserialize(json.Stdout, GoDockerJson.Default.PriorityView)!));
                Assert.True(table.ExitCode == 0, $"priority {id} at {server.BaseUrl}: {table.Stderr}");
                Assert.Contains($"(fairshare), position {fromLeader[id].Position} of {ids.Count}", table.Stdout, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>
    /// What sprio shows of a job, as text (the views hold lists, which records compare by reference); the age factor's
    /// value grows between the leader's cycle and the standby's ranking (its weight is 0: it adds nothing either way).
    /// </summary>
    private static string Describe(PriorityView view) =>
        $"{view.JobId} {view.Policy} {view.Priority:R} {view.Position}/{view.Pending} {view.Reason} {view.ExpectedStart:O} "
        + string.Join(", ", view.Factors.Select(f => $"{f.Name} {(f.Name == "age" ? "-" : f.Value.ToString("R", CultureInfo.InvariantCulture))}*{f.Weight:R}={f.Contribution:R}"));

    private static async Task<PriorityView> PriorityAsync(ServerProcess server, long id)
    {
        using var response = await server.Api.Http.GetAsync($"/api/v1/jobs/{id}/priority");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"priority of job {id} at {server.BaseUrl}: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize(body, GoDockerJson.Default.PriorityView)!;
    }


}
