using System.Net;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// The node's engine goes down and comes back (an engine of this class's own, stopped for real): jobs placed
/// just before wait Pending saying why and run when it returns; jobs its restart ended say so; suspend and
/// resume answer 503 meanwhile.
/// </summary>
public sealed class EngineOutageTests : IAsyncLifetime
{
    private const string Node = "faults";
    private readonly OwnEngine engine = new("godocker-faults");
    private ServerProcess server = null!;

    public async Task InitializeAsync()
    {
        await engine.StartAsync();
        server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Nodes:0:Name"] = Node,
            ["Nodes:0:Endpoint"] = engine.Endpoint,
            ["Nodes:0:Cpus"] = "2",
            ["Nodes:0:Memory"] = "1G",
        });
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await engine.StartAsync(); // leave it running for the next test (its containers die with the data dir's server)
    }

    [Fact]
    public async Task AJobPlacedJustBeforeTheOutage_WaitsPendingNamingTheNode_AndRunsWhenTheEngineReturns()
    {
        // The job must be placed while the server still believes the engine answers (it re-reads nodes every 10 s):
        // stop the engine, and submit only if health still says up. A job the scheduler reached only after the server saw
        // the outage waits unplaced (no "scheduled" event): not the case under test, so it runs once the engine is back,
        // and the round is tried again (bounded).
        GoDocker.Contracts.JobView? job = null;
        GoDocker.Contracts.JobView? waiting = null;
        for (var round = 0; round < 5 && waiting is null; round++)
        {
            await engine.StopAsync();
            if ((await server.Api.HealthAsync()).Nodes[0].Status == "up")
            {
                job = await server.Api.SubmitAsync(new JobSpec { Script = "echo ran" });
                var pending = await server.Api.WaitForAsync(job.Id, j => j.State == JobState.Pending && j.Reason?.Contains("unreachable", StringComparison.Ordinal) == true,
                    TimeSpan.FromSeconds(60));
                if (pending.Events!.Any(e => e.Kind == "scheduled"))
                {
                    waiting = pending;
                    break;
                }
                await engine.StartAsync();
                await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(90));
            }
            else
            {
                await engine.StartAsync();
            }
            await WaitHealthyAsync();
        }
        Assert.NotNull(waiting);
        await engine.StartAsync();
        var ended = await server.Api.WaitEndAsync(job!.Id, TimeSpan.FromSeconds(90));

        Assert.Contains($"node {Node}", waiting.Reason, StringComparison.Ordinal);
        Assert.Equal(JobState.Succeeded, ended.State);
        Assert.Equal("ran\n", await server.Api.StdoutAsync(job.Id));
    }

    [Fact]
    public async Task SuspendAndResume_WhileTheEngineIsDown_Answer503_AndJobsItsRestartEndedSaySo()
    {
        var running = await server.Api.SubmitAsync(new JobSpec { Script = "sleep 300" });
        var suspended = await server.Api.SubmitAsync(new JobSpec { Script = "sleep 300" });
        await server.Api.WaitForAsync(running.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(60));
        await server.Api.WaitForAsync(suspended.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(60));
        using (var suspend = await server.Api.Http.PostAsync($"/api/v1/jobs/{suspended.Id}/suspend", null))
        {
            Assert.Equal(HttpStatusCode.OK, suspend.StatusCode);
        }

        await engine.StopAsync();
        using var suspendWhileDown = await server.Api.Http.PostAsync($"/api/v1/jobs/{running.Id}/suspend", null);
        using var resumeWhileDown = await server.Api.Http.PostAsync($"/api/v1/jobs/{suspended.Id}/resume", null);
        var suspendProblem = await suspendWhileDown.Content.ReadAsStringAsync();
        var resumeProblem = await resumeWhileDown.Content.ReadAsStringAsync();
        var stillSuspended = await server.Api.GetAsync(suspended.Id);
        await engine.StartAsync();
        var first = await server.Api.WaitEndAsync(running.Id, TimeSpan.FromSeconds(90));
        var second = await server.Api.WaitEndAsync(suspended.Id, TimeSpan.FromSeconds(90));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, suspendWhileDown.StatusCode);
        Assert.Contains($"node {Node} unreachable", suspendProblem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, resumeWhileDown.StatusCode);
        Assert.Contains($"node {Node} unreachable", resumeProblem, StringComparison.Ordinal);
        // Resume thaws first and records after: a resume that could not reach the engine leaves the record alone.
        Assert.Equal(JobState.Suspended, stillSuspended.State);
        Assert.Equal((JobState.Failed, "ended by an engine restart"), (first.State, first.Reason?.Split(" (exit code")[0]));
        Assert.Equal((JobState.Failed, "ended by an engine restart"), (second.State, second.Reason?.Split(" (exit code")[0]));
    }

    private Task WaitHealthyAsync() =>
        Until.TrueAsync(async () => (await server.Api.HealthAsync()).Status == "ok", TimeSpan.FromSeconds(90), "the engine seen again");
}
