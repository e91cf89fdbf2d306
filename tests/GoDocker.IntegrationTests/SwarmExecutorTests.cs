using Docker.DotNet;
using Docker.DotNet.Models;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>A real one-node Docker Swarm: an engine of its own (scripts/dockerd2.sh) on which `docker swarm init` ran.</summary>
public sealed class SwarmEngine : IAsyncLifetime
{
    public OwnEngine Engine { get; } = new("godocker-swarm");
    public DockerClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Engine.StartAsync();
        Client = new DockerClientBuilder().WithEndpoint(new Uri(Engine.Endpoint)).Build();
        var info = await Client.System.GetSystemInfoAsync();
        if (info.Swarm?.LocalNodeState != "active")
        {
            await Client.Swarm.InitSwarmAsync(new SwarmInitParameters { AdvertiseAddr = "127.0.0.1", ListenAddr = "127.0.0.1:2377" });
        }
    }

    public Task DisposeAsync()
    {
        Client.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The services GoDocker made for one server (its instance), whatever their state.</summary>
    public async Task<IList<SwarmService>> ServicesOfAsync(string instanceId) =>
        await Client.Swarm.ListServicesAsync(new ServiceListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"godocker.instance={instanceId}"] = true } },
        });
}

/// <summary>
/// The swarm executor on a real swarm: each job a replicated-job service pinned to the node the scheduler chose, with
/// its limits, uid:gid and job directory; exit codes, kill, a missing image, and a server restart as with the Docker executor.
/// </summary>
public sealed class SwarmExecutorTests(SwarmEngine swarm) : IClassFixture<SwarmEngine>
{
    private Dictionary<string, string> SwarmSettings() => new()
    {
        ["Executor:Type"] = "swarm",
        ["Executor:Docker:Endpoint"] = swarm.Engine.Endpoint,
        ["Executor:Docker:Network"] = "bridge",
    };

    [Fact]
    public async Task AJob_RunsAsAServicePinnedToItsNode_AsItsOwner_WithItsLimits()
    {
        await using var server = await ServerProcess.StartAsync(SwarmSettings());
        var node = Assert.Single((await server.Api.HealthAsync()).Nodes);

        // It runs until its service is looked at (released after), however long a loaded machine takes.
        var job = await server.Api.SubmitAsync(new JobSpec
        {
            Script = $"echo hello from $GODOCKER_NODE; id -u; cat /sys/fs/cgroup/memory/memory.limit_in_bytes; {JobRelease.WaitFor()}",
            Memory = "96M",
        });
        await server.Api.WaitForAsync(job.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(60));
        // While it runs: one service, pinned to the node, never restarted (its end is the job's end).
        var service = Assert.Single(await swarm.ServicesOfAsync(server.InstanceId!), s => s.Spec!.Labels!["godocker.job"] == job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await JobRelease.DropAsync(server, job.Id);
        var ended = await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(90));

        Assert.Equal("swarm", node.Executor);
        Assert.Equal(JobState.Succeeded, ended.State);
        Assert.Equal(node.Name, ended.Node);
        var lines = (await server.Api.StdoutAsync(job.Id)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"hello from {node.Name}", lines[0]);
        Assert.NotEqual("0", lines[1]); // the owner's uid, never root
        Assert.Equal((96L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), lines[2]);
        Assert.Contains(service.Spec!.TaskTemplate!.Placement!.Constraints!, c => c.StartsWith("node.id==", StringComparison.Ordinal));
        Assert.Equal("none", service.Spec.TaskTemplate.RestartPolicy!.Condition);
        // Ended and recorded: the service is removed (just after the record), as a finished job's container is.
        await Until.TrueAsync(async () => !(await swarm.ServicesOfAsync(server.InstanceId!)).Any(s => s.ID == service.ID), TimeSpan.FromSeconds(60),
            $"service {service.ID} of ended job {job.Id} removed");
    }

    [Fact]
    public async Task ExitCodes_AKill_AndAMissingImage_EndAsWithTheDockerExecutor()
    {
        await using var server = await ServerProcess.StartAsync(SwarmSettings());
        var failing = await server.Api.SubmitAsync(new JobSpec { Script = "exit 3" });
        var sleeping = await server.Api.SubmitAsync(new JobSpec { Script = "sleep 300" });
        var missing = await server.Api.SubmitAsync(new JobSpec { Script = "true", Image = "godocker/busybox:absent" });

        await server.Api.WaitForAsync(sleeping.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(60));
        await server.Api.KillAsync(sleeping.Id);
        var killed = await server.Api.WaitEndAsync(sleeping.Id, TimeSpan.FromSeconds(60));
        var failed = await server.Api.WaitEndAsync(failing.Id, TimeSpan.FromSeconds(60));
        var refused = await server.Api.WaitEndAsync(missing.Id, TimeSpan.FromSeconds(90));

        Assert.Equal(JobState.Failed, failed.State);
        Assert.Equal(3, failed.ExitCode);
        Assert.Equal(JobState.Killed, killed.State);
        Assert.Equal(JobState.Failed, refused.State);
        Assert.Contains("refused at launch", refused.Reason, StringComparison.Ordinal);
        // The killed job's service is gone: nothing of it keeps running on the swarm.
        Assert.DoesNotContain(await swarm.ServicesOfAsync(server.InstanceId!), s => s.Spec!.Labels!["godocker.job"] == sleeping.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task AServerKilledWhileAServiceRuns_ReattachesItOnRestart_AndRecordsOneEnd()
    {
        await using var server = await ServerProcess.StartAsync(SwarmSettings());
        var job = await server.Api.SubmitAsync(new JobSpec { Script = "sleep 6; echo survived" });
        await server.Api.WaitForAsync(job.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(60));

        await server.KillHardAsync();
        await server.StartAgainAsync();
        var ended = await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(90));

        Assert.Equal(JobState.Succeeded, ended.State);
        Assert.Equal("survived\n", await server.Api.StdoutAsync(job.Id));
        Assert.Single(ended.Events!, e => e.Kind == "started");
        Assert.Single(ended.Events!, e => e.Kind is "succeeded" or "ended" or "failed");
    }

    [Fact]
    public async Task ASwarmWithNodesListed_OrANetworkSwarmCannotGive_IsRefusedAtStart()
    {
        var settings = SwarmSettings();
        settings["Executor:Docker:Network"] = "godocker";
        settings["Nodes:0:Name"] = "n1";
        settings["Nodes:0:Endpoint"] = "unix:///var/run/docker.sock";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(settings));

        Assert.Contains("with Executor:Type swarm the nodes are the swarm's", error.Message, StringComparison.Ordinal);
        Assert.Contains("'godocker' cannot be given to swarm services", error.Message, StringComparison.Ordinal);
    }
}
