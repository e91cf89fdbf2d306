using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using GoDocker.Execution;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// A node's engine killed for real (an engine of this class's own, its dockerd stopped) and left down past the site's
/// Executor:NodeDownAfter: the job that allows requeue goes back to the queue, the one that does not fails with the
/// node-down cause; when the engine returns, the first attempt's containers are removed without being taken for the
/// jobs' ends, and the requeued job runs once more, as attempt 2, exactly once.
/// </summary>
public sealed class NodeFailureTests : IAsyncLifetime
{
    private const string Node = "nodefail";
    private readonly OwnEngine engine = new("godocker-nodefail");
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
            ["Executor:NodeDownAfter"] = "00:00:03",
        });
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await engine.StopAsync();
    }

    [Fact]
    public async Task AKilledEngine_RequeuesTheJobThatAllowsIt_FailsTheOther_AndOnceBackRunsTheRequeuedOneOnce()
    {
        var again = await server.Api.SubmitAsync(new JobSpec { Name = "again", Script = "sleep 300", Requeue = true });
        var once = await server.Api.SubmitAsync(new JobSpec { Name = "once", Script = "sleep 300", Requeue = false });
        await server.Api.WaitForAsync(again.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(60));
        await server.Api.WaitForAsync(once.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(60));

        await engine.StopAsync();
        var requeued = await server.Api.WaitForAsync(again.Id, j => j.State == JobState.Pending, TimeSpan.FromSeconds(60));
        var failed = await server.Api.WaitEndAsync(once.Id, TimeSpan.FromSeconds(60));
        var whileDown = (await server.Api.HealthAsync()).Nodes.Single();

        await engine.StartAsync();
        var rerun = await server.Api.WaitForAsync(again.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(90));
        var containers = await ContainersOnceTheFirstAttemptsAreGoneAsync(TimeSpan.FromSeconds(60));
        var failedLater = await server.Api.GetAsync(once.Id);
        var events = (await server.Api.GetAsync(again.Id)).Events!;
        var timeline = events.Select(e => e.Kind).ToList();

        Assert.Equal((1, EndCause.NodeDown), (requeued.Attempt, requeued.EndCause));
        // The requeue says why in its event (the job's reason is the scheduler's to overwrite once it is pending again:
        // "no node can run it now" while the node is down).
        Assert.StartsWith($"requeued: node {Node} down (unreachable since ", events.Single(e => e.Kind == "requeued").Message, StringComparison.Ordinal);
        Assert.Equal((JobState.Failed, EndCause.NodeDown), (failed.State, failed.EndCause));
        Assert.StartsWith($"node {Node} down (unreachable since ", failed.Reason, StringComparison.Ordinal);
        Assert.Equal("down", whileDown.Status);
        Assert.NotNull(whileDown.DownSince);
        // Back: attempt 2 runs on the node, the only container left there; the first attempt's ends were never recorded.
        Assert.Equal((Node, 2), (rerun.Node, rerun.Attempt));
        var left = Assert.Single(containers);
        Assert.Equal((again.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "2", "running"),
            (left.Labels["godocker.job"], left.Labels["godocker.attempt"], left.State));
        Assert.Equal((failed.State, failed.Reason, failed.EndedAt, failed.EndCause), (failedLater.State, failedLater.Reason, failedLater.EndedAt, failedLater.EndCause));
        Assert.Equal(["submitted", "scheduled", "started", "requeued", "scheduled", "started"], timeline);

        await server.Api.KillAsync(again.Id);
        await server.Api.WaitEndAsync(again.Id, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task AnEngineKilledHard_StartsAgain_ThoughItsLeftoverPidfileNowNamesAnotherLiveProcess()
    {
        // A dockerd killed by SIGKILL (or a machine whose /run outlived its processes) leaves its pidfile behind, and
        // dockerd refuses to start while the pid in it is alive, whatever the process ("pid file found, ensure docker is
        // not running"). Once the pid is reused, the engine could never start again: a CI run failed so.
        var pid = int.Parse(await File.ReadAllTextAsync(engine.PidFile), System.Globalization.CultureInfo.InvariantCulture);
        using (var dockerd = Process.GetProcessById(pid))
        {
            dockerd.Kill();
            await dockerd.WaitForExitAsync();
        }
        Assert.True(File.Exists(engine.PidFile));
        await File.WriteAllTextAsync(engine.PidFile, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await engine.StartAsync();

        using var client = new DockerClientBuilder().WithEndpoint(new Uri(engine.Endpoint)).Build();
        await client.System.PingAsync();
        var restarted = int.Parse(await File.ReadAllTextAsync(engine.PidFile), System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(Environment.ProcessId, restarted);
        Assert.Equal("dockerd", (await File.ReadAllTextAsync($"/proc/{restarted}/comm")).Trim());
        // The engine's node serves jobs again.
        var job = await server.Api.SubmitAsync(new JobSpec { Script = "echo back" });
        var ended = await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(120));
        Assert.Equal(JobState.Succeeded, ended.State);
    }

    /// <summary>This server's containers on the engine, once none of an attempt 1 is left (the recovery removes them).</summary>
    private async Task<IList<ContainerListResponse>> ContainersOnceTheFirstAttemptsAreGoneAsync(TimeSpan timeout)
    {
        using var client = new DockerClientBuilder().WithEndpoint(new Uri(engine.Endpoint)).Build();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var containers = await SecondEngine.ContainersOfAsync(client, server.InstanceId!);
            if (containers.All(c => c.Labels["godocker.attempt"] != "1") || DateTime.UtcNow > deadline)
            {
                return containers;
            }
            await Task.Delay(500);
        }
    }
}
