using Docker.DotNet;
using Docker.DotNet.Models;
using GoDocker.Contracts;
using GoDocker.Execution;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// A real two-node Docker Swarm on this machine: a manager and a worker, each an engine of its own in its own network
/// namespace (scripts/dockerd2.sh with GODOCKER_NODE2_LINK=1), reaching each other over their veth links through the
/// host. The manager advertises its link address; the worker joins with the worker token and carries the swarm node
/// label godocker.role=worker, so a job constrained to it lands there.
/// </summary>
public sealed class TwoNodeSwarm : IAsyncLifetime
{
    public const string WorkerLabel = "godocker.role";

    public OwnEngine Manager { get; } = new("godocker-swarmm", link: true);
    public OwnEngine Worker { get; } = new("godocker-swarmw", link: true);
    public DockerClient ManagerClient { get; private set; } = null!;
    public DockerClient WorkerClient { get; private set; } = null!;
    public string WorkerNodeId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Manager.StartAsync();
        await Worker.StartAsync();
        ManagerClient = new DockerClientBuilder().WithEndpoint(new Uri(Manager.Endpoint)).Build();
        WorkerClient = new DockerClientBuilder().WithEndpoint(new Uri(Worker.Endpoint)).Build();
        if ((await ManagerClient.System.GetSystemInfoAsync()).Swarm?.LocalNodeState != "active")
        {
            await ManagerClient.Swarm.InitSwarmAsync(new SwarmInitParameters { AdvertiseAddr = Manager.Address!, ListenAddr = $"{Manager.Address}:2377" });
        }
        await JoinWorkerAsync();
    }

    /// <summary>
    /// The worker is a ready member of the manager's swarm, labelled: joined now, or still from an earlier run (its
    /// swarm state lives in its data root); one that belongs to another swarm (the manager's was made anew) leaves it first.
    /// </summary>
    public async Task JoinWorkerAsync()
    {
        await Worker.StartAsync();
        var info = await WorkerClient.System.GetSystemInfoAsync();
        var members = await ManagerClient.Swarm.ListNodesAsync();
        if (info.Swarm?.LocalNodeState == "active" && members.Any(n => n.ID == info.Swarm.NodeID))
        {
            WorkerNodeId = info.Swarm.NodeID;
        }
        else
        {
            if (info.Swarm?.LocalNodeState is "active" or "pending" or "error")
            {
                await WorkerClient.Swarm.LeaveSwarmAsync(new SwarmLeaveParameters { Force = true });
            }
            var swarm = await ManagerClient.Swarm.InspectSwarmAsync();
            await WorkerClient.Swarm.JoinSwarmAsync(new SwarmJoinParameters
            {
                JoinToken = swarm.JoinTokens.Worker,
                RemoteAddrs = [$"{Manager.Address}:2377"],
                AdvertiseAddr = Worker.Address!,
                ListenAddr = $"{Worker.Address}:2377",
            });
            WorkerNodeId = (await WorkerClient.System.GetSystemInfoAsync()).Swarm!.NodeID;
        }
        // Nodes of earlier runs' workers that left: the server would take them for nodes of its own (down ones).
        var managerId = (await ManagerClient.System.GetSystemInfoAsync()).Swarm!.NodeID;
        foreach (var stale in (await ManagerClient.Swarm.ListNodesAsync()).Where(n => n.ID != managerId && n.ID != WorkerNodeId))
        {
            await ManagerClient.Swarm.RemoveNodeAsync(stale.ID, true);
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var node = await ManagerClient.Swarm.InspectNodeAsync(WorkerNodeId);
            if (node.Status?.State == "ready" && node.Spec?.Labels?.ContainsKey(WorkerLabel) == true && node.Spec.Availability == "active")
            {
                return;
            }
            if (node.Status?.State == "ready")
            {
                await UpdateWorkerAsync(node, "active");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"swarm worker {WorkerNodeId} is {node.Status?.State} after 60 s: {node.Status?.Message}");
            }
            await Task.Delay(500);
        }
    }

    /// <summary>The swarm's administrator sets the worker's availability (active, pause, drain): the manager still reaches it.</summary>
    public async Task SetWorkerAvailabilityAsync(string availability) =>
        await UpdateWorkerAsync(await ManagerClient.Swarm.InspectNodeAsync(WorkerNodeId), availability);

    private async Task UpdateWorkerAsync(NodeListResponse node, string availability) =>
        await ManagerClient.Swarm.UpdateNodeAsync(WorkerNodeId, node.Version!.Index!.Value, new NodeUpdateParameters
        {
            Role = node.Spec!.Role,
            Availability = availability,
            Labels = new Dictionary<string, string>(node.Spec.Labels ?? new Dictionary<string, string>()) { [WorkerLabel] = "worker" },
        });

    public Task DisposeAsync()
    {
        ManagerClient.Dispose();
        WorkerClient.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The containers the worker's own engine ran for a job of this server (Swarm leaves finished ones there).</summary>
    public async Task<IList<ContainerListResponse>> WorkerContainersOfAsync(string instanceId, long jobId) =>
        await SecondEngine.ContainersOfAsync(WorkerClient, instanceId, jobId);
}

/// <summary>
/// The swarm executor on a swarm of two engines (a manager and a worker joined to it): the server sees both nodes, places
/// jobs on both, and a job on the worker runs in the worker's engine with its exit code and output as on the manager;
/// a worker whose dockerd stops is down past Executor:NodeDownAfter and its job resolved by the node-failure rule.
/// </summary>
public sealed class TwoNodeSwarmTests(TwoNodeSwarm swarm) : IClassFixture<TwoNodeSwarm>
{
    private static readonly string[] OnTheWorker = [$"{TwoNodeSwarm.WorkerLabel}==worker"];
    private static readonly string[] OffTheWorker = [$"{TwoNodeSwarm.WorkerLabel}!=worker"];

    private Dictionary<string, string> SwarmSettings() => new()
    {
        ["Executor:Type"] = "swarm",
        ["Executor:Docker:Endpoint"] = swarm.Manager.Endpoint,
        ["Executor:Docker:Network"] = "bridge",
        ["Executor:NodeDownAfter"] = "00:00:03",
    };

    [Fact]
    public async Task BothNodesRunJobs_TheWorkersInItsOwnEngine_WithExitCodesOutputAndKill()
    {
        await swarm.JoinWorkerAsync();
        await using var server = await ServerProcess.StartAsync(SwarmSettings());
        var nodes = (await server.Api.HealthAsync()).Nodes;

        var there = await server.Api.SubmitAsync(new JobSpec { Script = "echo on $GODOCKER_NODE; exit 5", Constraints = OnTheWorker });
        var here = await server.Api.SubmitAsync(new JobSpec { Script = "echo on $GODOCKER_NODE", Constraints = OffTheWorker });
        var sleeping = await server.Api.SubmitAsync(new JobSpec { Script = "sleep 300", Constraints = OnTheWorker });
        var endedThere = await server.Api.WaitEndAsync(there.Id, TimeSpan.FromSeconds(90));
        var endedHere = await server.Api.WaitEndAsync(here.Id, TimeSpan.FromSeconds(90));
        var running = await server.Api.WaitForAsync(sleeping.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(60));
        var sleeperOnWorker = await swarm.WorkerContainersOfAsync(server.InstanceId!, sleeping.Id);
        await server.Api.KillAsync(sleeping.Id);
        var killed = await server.Api.WaitEndAsync(sleeping.Id, TimeSpan.FromSeconds(60));
        Assert.Equal(2, nodes.Count);
        Assert.All(nodes, n => Assert.Equal("swarm", n.Executor));
        // The constrained job ran on the other node and ended as it did there.
        Assert.NotEqual(endedHere.Node, endedThere.Node);
        Assert.Equal((JobState.Failed, 5), (endedThere.State, endedThere.ExitCode));
        Assert.Equal($"on {endedThere.Node}\n", await server.Api.StdoutAsync(there.Id));
        Assert.Equal(JobState.Succeeded, endedHere.State);
        Assert.Equal($"on {endedHere.Node}\n", await server.Api.StdoutAsync(here.Id));
        // That node is the worker: a job placed there runs in the worker's own engine; its kill ends the job.
        Assert.Equal(endedThere.Node, running.Node);
        Assert.Contains(sleeperOnWorker, c => c.State == "running");
        Assert.Equal(JobState.Killed, killed.State);
    }

    [Fact]
    public async Task AKilledJobOnTheWorker_StopsRunningInTheWorkersEngine()
    {
        await swarm.JoinWorkerAsync();
        await using var server = await ServerProcess.StartAsync(SwarmSettings());
        var sleeping = await server.Api.SubmitAsync(new JobSpec { Script = "sleep 300", Constraints = OnTheWorker });
        await server.Api.WaitForAsync(sleeping.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(60));

        await server.Api.KillAsync(sleeping.Id);
        await server.Api.WaitEndAsync(sleeping.Id, TimeSpan.FromSeconds(60));
        var stoppedOnWorker = false;
        for (var i = 0; i < 60 && !stoppedOnWorker; i++)
        {
            stoppedOnWorker = !(await swarm.WorkerContainersOfAsync(server.InstanceId!, sleeping.Id)).Any(c => c.State == "running");
            await Task.Delay(500);
        }

        Assert.True(stoppedOnWorker, $"killed job {sleeping.Id} still runs on the worker's engine 30 s after its kill");
    }

    [Fact]
    public async Task AWorkerPausedInTheSwarm_TakesNoJob_ButItsRunningJobRunsOn_OnceAndNeverRequeued()
    {
        await swarm.JoinWorkerAsync();
        await using var server = await ServerProcess.StartAsync(SwarmSettings());
        // It runs until the checks below are done (released after them), however long a loaded machine takes over them.
        var job = await server.Api.SubmitAsync(new JobSpec { Script = $"{JobRelease.WaitFor()}; echo finished $GODOCKER_JOB_ID", Constraints = OnTheWorker, Requeue = true });
        var running = await server.Api.WaitForAsync(job.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(60));

        JobView during;
        NodeHealth paused;
        JobView held;
        try
        {
            // The swarm's administrator pauses the worker: the manager answers for it, its task runs on.
            await swarm.SetWorkerAvailabilityAsync("pause");
            await Until.TrueAsync(async () => (await server.Api.HealthAsync()).Nodes.Single(n => n.Name == running.Node).Status == "error", TimeSpan.FromSeconds(60), "the pause seen");
            var another = await server.Api.SubmitAsync(new JobSpec { Script = "echo after the pause", Constraints = OnTheWorker });
            held = await server.Api.WaitForAsync(another.Id, j => j.Reason?.Contains("in error (", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(60));
            // Well past Executor:NodeDownAfter (3 s): had the answer counted as silence, the job would be requeued by now.
            await Task.Delay(TimeSpan.FromSeconds(10));
            during = await server.Api.GetAsync(job.Id);
            paused = (await server.Api.HealthAsync()).Nodes.Single(n => n.Name == running.Node);
        }
        finally
        {
            await swarm.SetWorkerAvailabilityAsync("active");
            await JobRelease.DropAsync(server, job.Id);
        }
        var ended = await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(90));
        var heldEnded = await server.Api.WaitEndAsync(held.Id, TimeSpan.FromSeconds(90));

        Assert.Equal((JobState.Running, 1), (during.State, during.Attempt));
        Assert.Equal(("error", null), (paused.Status, paused.DownSince));
        Assert.Contains("pause", paused.Error, StringComparison.Ordinal);
        Assert.Equal(JobState.Pending, held.State);
        Assert.Equal((JobState.Succeeded, 1), (ended.State, ended.Attempt));
        Assert.Single(ended.Events!, e => e.Kind == "started");
        Assert.DoesNotContain(ended.Events!, e => e.Kind == "requeued");
        Assert.Equal($"finished {job.Id}\n", await server.Api.StdoutAsync(job.Id));
        Assert.Equal(JobState.Succeeded, heldEnded.State);
    }

    [Fact]
    public async Task SwarmNodesThatDoNotSeeTheJobDirectories_TakeNoJob_AndSayWhatToMount()
    {
        await swarm.JoinWorkerAsync();
        // The server in a mount namespace of its own, a tmpfs over its jobs folder: it writes where no node can see.
        var jobs = Directory.CreateTempSubdirectory("godocker-swarm-unshared-").FullName;
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>(SwarmSettings()) { ["Server:JobsDir"] = jobs },
            expectHealthy: false, launcher: ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", "mount -t tmpfs tmpfs \"$0\" && exec \"$@\"", jobs]);

        var job = await server.Api.SubmitAsync(new JobSpec { Script = "echo lost output" });
        var waiting = await server.Api.WaitForAsync(job.Id, j => j.Reason?.Contains("does not see the job directories", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(90));
        var nodes = (await server.Api.HealthAsync()).Nodes;

        Assert.Equal(JobState.Pending, waiting.State);
        Assert.Equal(2, nodes.Count);
        Assert.All(nodes, n => Assert.Equal("error", n.Status));
        Assert.All(nodes, n => Assert.Contains("mount the shared filesystem at the same path", n.Error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AWorkerWhoseEngineStops_IsDown_AndItsJobFailsWithNodeDown()
    {
        await swarm.JoinWorkerAsync();
        await using var server = await ServerProcess.StartAsync(SwarmSettings());
        var job = await server.Api.SubmitAsync(new JobSpec { Script = "sleep 300", Constraints = OnTheWorker, Requeue = false });
        var running = await server.Api.WaitForAsync(job.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(60));

        try
        {
            await swarm.Worker.StopAsync();
            // The manager notices the missed heartbeats (seconds), then the server waits out NodeDownAfter.
            var failed = await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(120));
            var worker = (await server.Api.HealthAsync()).Nodes.Single(n => n.Name == running.Node);

            Assert.Equal((JobState.Failed, EndCause.NodeDown), (failed.State, failed.EndCause));
            Assert.StartsWith($"node {running.Node} down (unreachable since ", failed.Reason, StringComparison.Ordinal);
            Assert.Equal("down", worker.Status);
        }
        finally
        {
            await swarm.JoinWorkerAsync();
        }
    }

}
