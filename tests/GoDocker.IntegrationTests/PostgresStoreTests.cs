using System.Diagnostics;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;
using Npgsql;

namespace GoDocker.IntegrationTests;

/// <summary>
/// A real server on the PostgreSQL store (Store:Provider postgres) with a fresh database of the tests' PostgreSQL
/// (GODOCKER_TEST_POSTGRES, or the one scripts/postgres.sh starts): a job runs to its end through the API, and a
/// killed and restarted server still has it.
/// </summary>
public sealed class PostgresStoreTests : IAsyncLifetime
{
    private string serverConnectionString = null!;
    private string databaseName = null!;
    private string connectionString = null!;
    private ServerProcess? server;

    public async Task InitializeAsync()
    {
        serverConnectionString = Environment.GetEnvironmentVariable("GODOCKER_TEST_POSTGRES") is { Length: > 0 } given ? given : await StartPostgresAsync();
        databaseName = "godocker_it_" + Guid.NewGuid().ToString("N");
        await using (var postgres = NpgsqlDataSource.Create(serverConnectionString))
        await using (var create = postgres.CreateCommand($"CREATE DATABASE {databaseName}"))
        {
            await create.ExecuteNonQueryAsync();
        }
        connectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = databaseName }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
        NpgsqlConnection.ClearAllPools();
        await using var postgres = NpgsqlDataSource.Create(serverConnectionString);
        await TestDatabases.DropAsync(postgres, databaseName);
    }

    [Fact]
    public async Task AJob_RunsToItsEnd_OnPostgres_AndARestartedServerStillHasIt()
    {
        server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Store:Provider"] = "postgres",
            ["Store:ConnectionString"] = connectionString,
        });
        var submitted = await server.Api.SubmitAsync(new JobSpec { Script = "echo hello from postgres" });

        var done = await server.Api.WaitEndAsync(submitted.Id, TimeSpan.FromSeconds(60));

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("hello from postgres\n", await server.Api.StdoutAsync(done.Id));
        Assert.Equal(1, await JobRowsAsync());
        var instanceId = server.InstanceId;

        await server.KillHardAsync();
        await server.StartAgainAsync();

        var kept = await server.Api.GetAsync(done.Id);
        Assert.Equal((JobState.Succeeded, done.EndedAt, done.Attempt), (kept.State, kept.EndedAt, kept.Attempt));
        Assert.Equal("hello from postgres\n", await server.Api.StdoutAsync(done.Id));
        Assert.Equal(instanceId, server.InstanceId);
        var next = await server.Api.SubmitAsync(new JobSpec { Script = "echo again" });
        Assert.True(next.Id > done.Id, "ids are not reused after a restart");
        Assert.Equal(JobState.Succeeded, (await server.Api.WaitEndAsync(next.Id, TimeSpan.FromSeconds(60))).State);
        Assert.DoesNotContain(new NpgsqlConnectionStringBuilder(connectionString).Password!, server.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableDatabase_StopsTheServerAtStart_SayingWhere_WithoutThePassword()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(connectionString) { Port = 1, Timeout = 3 }.ConnectionString;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Store:Provider"] = "postgres",
            ["Store:ConnectionString"] = unreachable,
        }));

        Assert.Contains("exited with 1", error.Message, StringComparison.Ordinal);
        Assert.Contains($"cannot open the PostgreSQL store at 127.0.0.1:1, database {databaseName}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(new NpgsqlConnectionStringBuilder(connectionString).Password!, error.Message, StringComparison.Ordinal);
    }

    /// <summary>The jobs in the database itself: the server wrote to PostgreSQL, not to a SQLite file beside it.</summary>
    private async Task<long> JobRowsAsync()
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var count = database.CreateCommand("SELECT COUNT(*) FROM jobs");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task<string> StartPostgresAsync()
    {
        using var script = Process.Start(new ProcessStartInfo(Path.Combine(Paths.RepoRoot, "scripts/postgres.sh"), "start")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await script.StandardOutput.ReadToEndAsync();
        await script.WaitForExitAsync();
        return script.ExitCode == 0 ? output.Trim() : throw new InvalidOperationException($"scripts/postgres.sh start exited with {script.ExitCode}");
    }
}
