using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Docker.DotNet;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Two nodes, two real engines: n1 is this machine's dockerd (disk=hdd, zone=a), n2 a second dockerd
/// (scripts/dockerd2.sh; disk=ssd, zone=b). Each offers 1 cpu and jobs ask 0.5 by default, so two jobs fill a node
/// and more must spread. Every test starts from no live job and no drained node.
/// </summary>
public sealed class MultiNodeTests(MultiNodeTests.Site site) : IClassFixture<MultiNodeTests.Site>
{
    public sealed class Site : IAsyncLifetime
    {
        public ServerProcess Server { get; private set; } = null!;
        public GoDockerApi Api => Server.Api;
        public Dictionary<string, DockerClient> Engines { get; } = [];
        /// <summary>Jobs run as this user (authentication is off): the server's user, who drains too.</summary>
        public string Admin { get; } = Environment.UserName;

        public async Task InitializeAsync()
        {
            var second = await SecondEngine.EndpointAsync();
            Engines["n1"] = SecondEngine.Client(SecondEngine.FirstEndpoint);
            Engines["n2"] = SecondEngine.Client(second);
            Server = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["Jobs:DefaultCpus"] = "0.5",
                ["Nodes:0:Name"] = "n1",
                ["Nodes:0:Endpoint"] = SecondEngine.FirstEndpoint,
                ["Nodes:0:Cpus"] = "1",
                ["Nodes:0:Memory"] = "1G",
                ["Nodes:0:Labels:disk"] = "hdd",
                ["Nodes:0:Labels:zone"] = "a",
                ["Nodes:1:Name"] = "n2",
                ["Nodes:1:Endpoint"] = second,
                ["Nodes:1:Cpus"] = "1",
                ["Nodes:1:Memory"] = "1G",
                ["Nodes:1:Gpus"] = "2",
                ["Nodes:1:Labels:disk"] = "ssd",
                ["Nodes:1:Labels:zone"] = "b",
            });
        }

        public async Task DisposeAsync()
        {
            var instance = Server.InstanceId;
            await Server.DisposeAsync();
            if (instance is not null)
            {
                foreach (var container in await Engines["n2"].Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
                {
                    All = true,
                    Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"godocker.instance={instance}"] = true } },
                }))
                {
                    await Engines["n2"].Containers.RemoveContainerAsync(container.ID, new Docker.DotNet.Models.ContainerRemoveParameters { Force = true });
                }
            }
            foreach (var engine in Engines.Values)
            {
                engine.Dispose();
            }
        }

        /// <summary>Both nodes resumed, every live job killed and ended: a clean slate.</summary>
        public async Task ResetAsync()
        {
            foreach (var node in (string[])["n1", "n2"])
            {
                (await Api.Http.PostAsync($"/api/v1/nodes/{node}/resume", null)).EnsureSuccessStatusCode();
            }
            var live = await Api.ListAsync("?state=Pending&state=Scheduled&state=Running&limit=1000");
            foreach (var job in live.Items)
            {
                await Api.KillAsync(job.Id);
            }
            foreach (var job in live.Items)
            {
                await Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(30));
            }
        }

        public async Task<IReadOnlyList<NodeView>> NodesAsync() =>
            (await Api.Http.GetFromJsonAsync("/api/v1/nodes", GoDockerJson.Default.IReadOnlyListNodeView))!;

        public async Task<NodeView> ChangeAsync(string node, string change)
        {
            using var response = await Api.Http.PostAsync($"/api/v1/nodes/{node}/{change}", null);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.NodeView))!;
        }

        public async Task<JobView[]> SubmitAsync(int count, JobSpec spec)
        {
            var jobs = new JobView[count];
            for (var i = 0; i < count; i++)
            {
                jobs[i] = await Api.SubmitAsync(spec);
            }
            return jobs;
        }

        public Task<JobView> RunningAsync(long id) => Api.WaitForAsync(id, j => j.State == JobState.Running, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Jobs_SpreadOverBothNodes_EachInAContainerOnItsOwnNodesEngine()
    {
        await site.ResetAsync();

        // All four run until the containers and nodes are looked at (released after), however long a loaded machine takes.
        var jobs = await site.SubmitAsync(4, new JobSpec { Script = $"echo $GODOCKER_NODE; {JobRelease.WaitFor()}" });
        JobView[] running;
        IReadOnlyList<NodeView> nodes;
        try
        {
            running = await Task.WhenAll(jobs.Select(j => site.RunningAsync(j.Id)));

            Assert.Equal(["n1", "n1", "n2", "n2"], running.Select(j => j.Node).Order());
            foreach (var job in running)
            {
                var other = job.Node == "n1" ? "n2" : "n1";
                Assert.Single(await SecondEngine.ContainersOfAsync(site.Engines[job.Node!], site.Server.InstanceId!, job.Id));
                Assert.Empty(await SecondEngine.ContainersOfAsync(site.Engines[other], site.Server.InstanceId!, job.Id));
            }
            nodes = await site.NodesAsync();
        }
        finally
        {
            foreach (var job in jobs)
            {
                await JobRelease.DropAsync(site.Server, job.Id);
            }
        }
        Assert.All(nodes, n => Assert.Equal((2, 1.0, 1.0), (n.Jobs, n.Used.Cpus, n.Capacity.Cpus)));
        foreach (var job in running)
        {
            var done = await site.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(90));
            Assert.Equal(JobState.Succeeded, done.State);
            Assert.Equal(job.Node + "\n", await site.Api.StdoutAsync(job.Id));
        }
    }

    [Fact]
    public async Task ConstraintOnlyNode2Meets_RunsOnNode2_EvenWhileNode1HasRoom()
    {
        await site.ResetAsync();

        // Three jobs of 0.5 cpu for a node of 1: the third waits for room on n2 although n1 is empty.
        var ssd = await site.SubmitAsync(3, new JobSpec { Script = "sleep 2", Constraints = ["disk==ssd"] });
        var notB = await site.Api.SubmitAsync(new JobSpec { Script = "true", Constraints = ["zone!=b"] });
        // Liveness only (the third waits for a slot on n2): a machine loaded by other test classes gets a generous deadline.
        var ended = await Task.WhenAll(ssd.Append(notB).Select(j => site.Api.WaitEndAsync(j.Id, TimeSpan.FromSeconds(150))));

        Assert.All(ended, j => Assert.Equal(JobState.Succeeded, j.State));
        Assert.Equal(["n2", "n2", "n2"], ended[..3].Select(j => j.Node));
        Assert.Equal("n1", ended[3].Node);
        var byStart = ended[..3].OrderBy(j => j.StartedAt).ToList();
        Assert.True(byStart[2].StartedAt >= byStart[..2].Min(j => j.EndedAt), "the third ssd job started before n2 had room");
    }

    [Fact]
    public async Task ConstraintNoNodeMeets_StaysPending_WithAReasonNamingIt()
    {
        await site.ResetAsync();

        var job = await site.Api.SubmitAsync(new JobSpec { Script = "true", Constraints = ["disk==nvme"] });
        var waiting = await site.Api.WaitForAsync(job.Id, j => j.Reason?.Contains("disk==nvme", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(15));

        Assert.Equal(JobState.Pending, waiting.State);
        Assert.Contains("n1 does not meet disk==nvme", waiting.Reason, StringComparison.Ordinal);
        await site.Api.KillAsync(job.Id);
    }

    [Fact]
    public async Task Drain_KeepsNewJobsOffTheNode_AcrossARestart_WhileItsJobRunsOn_ThenResumeUsesItAgain()
    {
        await site.ResetAsync();
        var onN1 = await site.Api.SubmitAsync(new JobSpec { Script = "sleep 300", Constraints = ["zone==a"] });
        await site.RunningAsync(onN1.Id);

        var drained = await site.ChangeAsync("n1", "drain");
        // n1 has 0.5 cpu free and n2 1: undrained, the second job would tie and go to n1 (first by name).
        var anywhere = await site.SubmitAsync(2, new JobSpec { Script = "sleep 300" });
        var first = await site.RunningAsync(anywhere[0].Id);
        var second = await site.RunningAsync(anywhere[1].Id);
        var onlyN1 = await site.Api.SubmitAsync(new JobSpec { Script = "sleep 300", Constraints = ["zone==a"] });
        var waiting = await site.Api.WaitForAsync(onlyN1.Id, j => j.Reason?.Contains("drained", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(15));

        Assert.Equal(("drained", site.Admin), (drained.State, drained.DrainedBy));
        Assert.Equal(("n2", "n2"), (first.Node, second.Node));
        Assert.Equal(JobState.Pending, waiting.State);
        Assert.Contains($"node n1 is not accepting jobs: drained by {site.Admin}", waiting.Reason, StringComparison.Ordinal);

        await site.Server.KillHardAsync();
        await site.Server.StartAgainAsync();
        var nodes = (await site.NodesAsync()).ToDictionary(n => n.Name);
        await Task.Delay(TimeSpan.FromSeconds(2)); // a few scheduler cycles with n1 drained

        Assert.Equal(("drained", site.Admin, 1), (nodes["n1"].State, nodes["n1"].DrainedBy, nodes["n1"].Jobs));
        Assert.Equal(("up", 2), (nodes["n2"].State, nodes["n2"].Jobs));
        Assert.Equal(JobState.Running, (await site.Api.GetAsync(onN1.Id)).State);
        Assert.Equal(JobState.Pending, (await site.Api.GetAsync(onlyN1.Id)).State);

        var resumed = await site.ChangeAsync("n1", "resume");
        var placed = await site.RunningAsync(onlyN1.Id);

        Assert.Equal(("up", null), (resumed.State, resumed.DrainedBy));
        Assert.Equal("n1", placed.Node);
        await site.ResetAsync();
    }

    [Fact]
    public async Task UnknownNode_Is404ProblemDetails()
    {
        using var response = await site.Api.Http.PostAsync("/api/v1/nodes/no-such-node/drain", null);
        var problem = await response.Content.ReadFromJsonAsync(GoDockerJson.Default.Problem);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("No such node", problem!.Title);
        Assert.Contains("no-such-node", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_Nodes_ShowsBothNodes_AndDrainsAndResumes()
    {
        await site.ResetAsync();
        var workDir = Directory.CreateTempSubdirectory("godocker-cli-nodes-").FullName;
        Task<Cli.Result> Godocker(params string[] args) => Cli.RunAsync(site.Server.BaseUrl, workDir, args);
        try
        {
            var table = await Godocker("nodes");
            var json = await Godocker("nodes", "-o", "json");
            var drain = await Godocker("node", "drain", "n2");
            var drainedTable = await Godocker("nodes");
            var resume = await Godocker("node", "resume", "n2");
            var unknown = await Godocker("node", "drain", "no-such-node");

            Assert.Equal(0, table.ExitCode);
            var lines = table.Stdout.TrimEnd('\n').Split('\n');
            Assert.Matches(@"^NAME\s+STATE\s+CPUS\s+MEMORY\s+GPUS\s+JOBS\s+LABELS$", lines[0]);
            Assert.Matches(@"^n1\s+up\s+0/1\s+0 B/1 GiB\s+0/0\s+0\s+disk=hdd,zone=a$", lines[1]);
            Assert.Matches(@"^n2\s+up\s+0/1\s+0 B/1 GiB\s+0/2\s+0\s+disk=ssd,zone=b$", lines[2]);
            Assert.Equal(["n1", "n2"], JsonSerializer.Deserialize(json.Stdout, GoDockerJson.Default.IReadOnlyListNodeView)!.Select(n => n.Name));
            Assert.Equal(($"node n2 drained by {site.Admin}\n", 0), (drain.Stdout, drain.ExitCode));
            Assert.Matches(@"\nn2\s+drained\s", drainedTable.Stdout);
            Assert.Equal(("node n2 resumed (up)\n", 0), (resume.Stdout, resume.ExitCode));
            Assert.Equal(1, unknown.ExitCode);
            Assert.Contains("No such node", unknown.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }
}
