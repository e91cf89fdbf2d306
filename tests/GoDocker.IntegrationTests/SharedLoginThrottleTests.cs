using System.Net;
using System.Net.Http.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using Npgsql;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Two servers on one PostgreSQL database (Auth:Provider=local): failed logins are counted in the database, so
/// password guesses spread over both servers are throttled as on one — not N servers × the limit.
/// </summary>
public sealed class SharedLoginThrottleTests : IAsyncLifetime
{
    private const int MaxFailedLogins = 5;
    private readonly string passwordFile = Path.GetTempFileName();
    private readonly List<ServerProcess> servers = [];
    private string serverConnectionString = null!;
    private string databaseName = null!;

    public async Task InitializeAsync()
    {
        serverConnectionString = Environment.GetEnvironmentVariable("GODOCKER_TEST_POSTGRES") is { Length: > 0 } given
            ? given
            : (await BoundedProcess.RunAsync("bash", [Path.Combine(Paths.RepoRoot, "scripts/postgres.sh"), "start"], new Dictionary<string, string>(), TimeSpan.FromMinutes(5))).Stdout.Trim();
        databaseName = "godocker_logins_" + Guid.NewGuid().ToString("N");
        await using (var postgres = NpgsqlDataSource.Create(serverConnectionString))
        await using (var create = postgres.CreateCommand($"CREATE DATABASE {databaseName}"))
        {
            await create.ExecuteNonQueryAsync();
        }
        await File.WriteAllTextAsync(passwordFile, "admin-secret-1");
        var connectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = databaseName }.ConnectionString;
        for (var i = 0; i < 2; i++)
        {
            servers.Add(await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["Store:Provider"] = "postgres",
                ["Store:ConnectionString"] = connectionString,
                ["Auth:Provider"] = "local",
                ["Auth:BootstrapAdmin"] = "admin",
                ["Auth:BootstrapAdminPasswordFile"] = passwordFile,
                ["Auth:MaxFailedLogins"] = MaxFailedLogins.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, expectHealthy: false));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }
        File.Delete(passwordFile);
        NpgsqlConnection.ClearAllPools();
        await using var postgres = NpgsqlDataSource.Create(serverConnectionString);
        await TestDatabases.DropAsync(postgres, databaseName);
    }

    [Fact]
    public async Task FortyParallelGuesses_SpreadOverTwoServers_CheckAtMostTheLimitOfOne()
    {
        var guesses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var response = await servers[i % 2].Api.Http.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("admin", $"guess-{i}"), GoDockerJson.Default.LoginRequest);
            return (Server: i % 2, response.StatusCode);
        }));
        // The wait is the database's too: the other server refuses the right password from this address now.
        using var right = await servers[1].Api.Http.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("admin", "admin-secret-1"), GoDockerJson.Default.LoginRequest);

        // 401 only for a password actually checked, on either server; every other guess was refused before it (429).
        Assert.Equal(MaxFailedLogins, guesses.Count(g => g.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(40 - MaxFailedLogins, guesses.Count(g => g.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.All(new[] { 0, 1 }, server => Assert.Contains(guesses, g => g.Server == server && g.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
    }
}
