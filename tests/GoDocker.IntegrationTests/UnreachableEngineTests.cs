using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>An engine that does not answer: the server still starts, accepts jobs, and says why they wait.</summary>
public sealed class UnreachableEngineTests
{
    [Fact]
    public async Task JobsWait_WithAReasonNamingTheUnreachableNode()
    {
        await using var server = await ServerProcess.StartAsync(
            new Dictionary<string, string> { ["Executor:Docker:Endpoint"] = "unix:///nonexistent/docker.sock" },
            expectHealthy: false);

        // Once contacted: the first refresh runs after the server starts answering.
        var health = await server.Api.HealthAsync();
        await Until.TrueAsync(async () => (health = await server.Api.HealthAsync()).Nodes[0].Status != "unknown", TimeSpan.FromSeconds(60), "the node contacted");
        var job = await server.Api.SubmitAsync(new JobSpec { Script = "true" });
        var waiting = await server.Api.WaitForAsync(job.Id, j => j.Reason?.Contains("unreachable", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(60));

        Assert.Equal("degraded", health.Status);
        Assert.Equal(("local", "unreachable"), (health.Nodes[0].Name, health.Nodes[0].Status));
        Assert.Equal(JobState.Pending, waiting.State);
        Assert.Contains("node local is not accepting jobs: unreachable", waiting.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PendingJobsPerUser_AreLimited_With429AndTheReason()
    {
        await using var server = await ServerProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["Executor:Docker:Endpoint"] = "unix:///nonexistent/docker.sock",
                ["Jobs:MaxPendingPerUser"] = "3",
            },
            expectHealthy: false);
        for (var i = 0; i < 3; i++)
        {
            await server.Api.SubmitAsync(new JobSpec { Script = "true" });
        }

        using var fourth = await server.Api.PostRawAsync("/api/v1/jobs", """{"script": "true"}""");
        var problem = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync(fourth.Content, GoDocker.Contracts.GoDockerJson.Default.Problem);

        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, fourth.StatusCode);
        Assert.Contains("3 pending jobs", problem!.Detail, StringComparison.Ordinal);
        Assert.Equal(3, (await server.Api.ListAsync()).Total);
    }
}
