using GoDocker.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace GoDocker.IntegrationTests;

/// <summary>
/// A drain is shared through the store: one written by another server (here, straight into the running server's
/// database, as a second server on the same database would) stops placements here within a node refresh, and a
/// resume there lets them go on.
/// </summary>
public sealed class SharedDrainTests
{
    [Fact]
    public async Task ADrainWrittenElsewhere_ReachesThisServer_AndSoDoesItsResume()
    {
        await using var server = await ServerProcess.StartAsync();
        var node = Assert.Single((await server.Api.HealthAsync()).Nodes).Name;
        var database = $"Data Source={Path.Combine(server.DataDir, "godocker.db")};Pooling=False";

        await ExecuteAsync(database, "INSERT INTO node_drains (node, drained_by, drained_at) VALUES ($node, 'other-server-admin', 0)", node);
        var drained = await WaitForNodeAsync(server, "drained");
        await ExecuteAsync(database, "DELETE FROM node_drains WHERE node = $node", node);
        var resumed = await WaitForNodeAsync(server, "up");

        Assert.Equal("drained", drained);
        Assert.Equal("up", resumed);
    }

    private static async Task ExecuteAsync(string database, string sql, string node)
    {
        await using var connection = new SqliteConnection(database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout=10000; " + sql;
        command.Parameters.AddWithValue("$node", node);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The node's state once it is <paramref name="state"/>, or its last state after 30 s (a refresh is every 10 s).</summary>
    private static async Task<string> WaitForNodeAsync(ServerProcess server, string state)
    {
        var last = "";
        for (var i = 0; i < 60; i++)
        {
            last = Assert.Single((await server.Api.HealthAsync()).Nodes).Status;
            if (last == state)
            {
                break;
            }
            await Task.Delay(500);
        }
        return last;
    }
}
