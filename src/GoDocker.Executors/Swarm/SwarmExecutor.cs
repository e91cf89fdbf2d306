using System.Globalization;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using GoDocker.Execution;
using GoDocker.Executors.Docker;
using GoDocker.Scheduling;
using Microsoft.Extensions.Logging;
using ServiceMount = Docker.DotNet.Models.Mount;
using ServicePlacement = Docker.DotNet.Models.Placement;

namespace GoDocker.Executors.Swarm;

/// <summary>
/// Runs jobs on one node of a Docker Swarm, through the swarm's manager: each attempt is a replicated service of
/// one task (restart condition none), pinned to the node the scheduler chose by a <c>node.id==</c> constraint, named
/// and labelled by instance, job and attempt as containers are (so launching is idempotent and recovery finds it).
/// The "container id" GoDocker records is the service's id. Swarm has no pause: suspend is refused as not supported.
/// </summary>
public sealed class SwarmExecutor : IExecutor, IDisposable
{
    public const string ExecutorName = "swarm";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    /// <summary>How long the shared job directories' probe task may take on a node.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(60);

    private readonly DockerClient manager;
    private readonly SwarmNode node;
    private readonly DockerExecutorOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    // Services GoDocker removed to stop their job: their disappearance is not someone else's doing.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> stoppedHere = new();
    // The shared job directories' check: once per node, before it takes jobs.
    private readonly SemaphoreSlim sharing = new(1, 1);
    private bool sharesJobs;

    public SwarmExecutor(DockerClient manager, SwarmNode node, DockerExecutorOptions options, TimeProvider time, ILogger logger)
    {
        this.manager = manager;
        this.node = node;
        this.options = options with { NodeName = node.Name };
        this.time = time;
        this.logger = logger;
    }

    public string Name => ExecutorName;

    /// <summary>The manager's client is the cluster's (<see cref="SwarmCluster"/>), not this node's.</summary>
    public void Dispose() => sharing.Dispose();

    /// <summary>
    /// No usage: a task's container runs on a worker's engine, whose stats the manager does not serve, and the configuration
    /// knows only the manager's endpoint. Jobs on a swarm have no live usage and no measured totals (a known limitation).
    /// </summary>
    public ValueTask<GoDocker.Usage.UsageSample?> SampleAsync(string containerId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<GoDocker.Usage.UsageSample?>(null);

    /// <summary>
    /// Not supported: exec is an engine call on the worker that runs the task's container, and the configuration knows
    /// only the manager's endpoint (as for <see cref="SampleAsync"/>).
    /// </summary>
    public ValueTask<ExecOutcome> ExecAsync(ExecRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ExecOutcome>(new ExecOutcome.NotSupported(
            $"node {node.Name} is a swarm worker: its containers run on an engine this server does not reach, so it cannot run commands in them"));

    public string NodeName => node.Name;

    public async ValueTask<NodeInfo> DescribeAsync(CancellationToken cancellationToken)
    {
        NodeListResponse current;
        try
        {
            current = await manager.Swarm.InspectNodeAsync(node.Id, cancellationToken);
        }
        catch (Exception e) when (EngineClient.DoesNotAnswer(e, cancellationToken))
        {
            // The manager's silence says nothing of the node: workers run their tasks on without a manager. In error
            // (no new jobs), never down from this alone — else one manager's reboot would requeue every swarm job.
            throw new InvalidOperationException($"the swarm manager does not answer: {e.Message}", e);
        }
        // Down, unknown or disconnected: the manager has lost the node's heartbeats, so what runs there is beyond reach.
        if (current.Status?.State != "ready")
        {
            throw new NodeUnreachableException(node.Name, $"swarm node {node.Name} is {current.Status?.State ?? "unknown"}: {current.Status?.Message}");
        }
        // Paused or drained by the swarm's administrator: the node answers (a pause leaves its tasks running), it only
        // takes no new jobs.
        if (current.Spec?.Availability is { } availability && availability != "active")
        {
            throw new InvalidOperationException($"swarm node {node.Name} is {availability} in the swarm (docker node update --availability active)");
        }
        if (!sharesJobs && options.SharedJobsRoot is { } root)
        {
            await CheckSharedJobsRootAsync(root, cancellationToken);
        }
        var resources = current.Description?.Resources;
        var cpus = options.Cpus ?? (resources?.NanoCPUs ?? 0) / 1e9;
        var memory = options.MemoryBytes ?? Math.Max((resources?.MemoryBytes ?? 0) - options.ReservedMemoryBytes, (resources?.MemoryBytes ?? 0) / 2);
        var labels = new Dictionary<string, string>(current.Spec?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in options.Labels)
        {
            labels[key] = value;
        }
        return new NodeInfo(node.Name, new Jobs.Resources(cpus, memory, options.Gpus)) { Labels = labels };
    }

    public async ValueTask<LaunchOutcome> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        if (request.Spec.NoNetwork)
        {
            return new LaunchOutcome.Refused($"refused at launch: swarm node {node.Name} cannot run a job without a network (Swarm offers no 'none' network to services)");
        }
        if (request.Spec.Interactive)
        {
            // A service's task runs on whichever engine Swarm chose, which this server does not reach to attach to.
            return new LaunchOutcome.Refused($"refused at launch: swarm node {node.Name} cannot run interactive jobs (no attaching to a service's task); run them on a docker node");
        }
        var name = ContainerLabels.Name(options.InstanceId, request.JobId, request.Attempt);
        using var volumes = HostVolumes.Check(request.Spec.Mounts, request.VolumeRoots, logger, out var volumeRefusal);
        if (volumes is null)
        {
            return new LaunchOutcome.Refused($"refused at launch: {volumeRefusal}");
        }
        var mounts = new List<ServiceMount> { Bind(request.JobDirectory, options.JobMountPath, readOnly: false) };
        foreach (var bind in volumes.Binds(null))
        {
            var parts = bind.Split(':');
            if (parts.Length != 3)
            {
                return new LaunchOutcome.Refused($"refused at launch: volume '{bind}' cannot be given to a swarm service");
            }
            mounts.Add(Bind(parts[0], parts[1], parts[2] == "ro"));
        }
        string? serviceId;
        try
        {
            serviceId = (await manager.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = BuildService(request, name, mounts) }, cancellationToken)).ID;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // This attempt's service exists (a redelivered launch, or a restart mid-launch): adopt it.
            serviceId = (await manager.Swarm.InspectServiceAsync(name, cancellationToken)).ID;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.BadRequest)
        {
            return new LaunchOutcome.Refused($"the swarm refused the service: {EngineClient.Message(e)}");
        }
        if (serviceId is null)
        {
            throw new InvalidOperationException($"the swarm created service {name} without an id; retrying");
        }
        // Started once its task runs (or has already ended: a short job); a task the node rejects never will. A task the
        // swarm cannot place (its node paused or drained since the scheduler chose it) waits, and this launch with it,
        // until the node is active again: giving it up could race with its start and run the attempt twice.
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var task = await LatestTaskAsync(serviceId, cancellationToken);
            switch (task?.Status?.State)
            {
                case TaskState.Running or TaskState.Complete or TaskState.Failed or TaskState.Shutdown:
                    return new LaunchOutcome.Started(serviceId, Started(task) ?? time.GetUtcNow());
                case TaskState.Rejected:
                    await RemoveAsync(serviceId, cancellationToken);
                    return new LaunchOutcome.Refused($"refused at launch: swarm node {node.Name} rejected the task: {task.Status.Err ?? task.Status.Message}");
            }
            await Task.Delay(Poll, time, cancellationToken);
        }
    }

    public async ValueTask<ContainerExit> WaitAsync(string containerId, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        var outage = false;
        while (true)
        {
            TaskResponse? task;
            try
            {
                if (!await ExistsAsync(containerId, cancellationToken))
                {
                    return stoppedHere.ContainsKey(containerId)
                        ? new ContainerExit(143, false, time.GetUtcNow(), null)
                        : new ContainerExit(-1, false, null, null) { Interference = new Interference(EndCause.RemovedOutside) };
                }
                task = await LatestTaskAsync(containerId, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && EngineClient.IsTransient(e))
            {
                outage = true;
                logger.LogDebug(e, "swarm: reading service {Service} failed; retrying", containerId);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
                continue;
            }
            if (task?.Status?.State is TaskState.Complete or TaskState.Failed or TaskState.Shutdown or TaskState.Rejected or TaskState.Orphaned or TaskState.Remove)
            {
                var exit = Exit(task);
                var code = exit.ExitCode;
                if (task.Status.State is TaskState.Orphaned)
                {
                    return exit with { Interference = new Interference(EndCause.EngineRestart) };
                }
                return outage && code != 0 && !stoppedHere.ContainsKey(containerId) ? exit with { Interference = new Interference(EndCause.EngineRestart) } : exit;
            }
            await Task.Delay(Poll, time, cancellationToken);
        }
    }

    /// <summary>Removing the service stops its task: SIGTERM, then SIGKILL after the stop grace period it was created with.</summary>
    public async ValueTask StopAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken)
    {
        stoppedHere[containerId] = 0;
        await RemoveServiceAsync(containerId, cancellationToken);
    }

    public ValueTask PauseAsync(string containerId, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"suspend is not available on swarm node {node.Name}: Swarm cannot pause a service's task");

    public ValueTask UnpauseAsync(string containerId, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"resume is not available on swarm node {node.Name}: Swarm cannot pause a service's task");

    public async ValueTask RemoveAsync(string containerId, CancellationToken cancellationToken)
    {
        stoppedHere[containerId] = 0;
        await RemoveServiceAsync(containerId, cancellationToken);
        // Swarm (20.10) leaves a finished job's task container behind: remove it where the manager's engine runs it.
        try
        {
            var leftovers = await manager.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { [$"com.docker.swarm.service.id={containerId}"] = true },
                },
            }, cancellationToken);
            foreach (var leftover in leftovers)
            {
                await manager.Containers.RemoveContainerAsync(leftover.ID, new ContainerRemoveParameters { Force = true }, cancellationToken);
            }
        }
        catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
        }
        finally
        {
            stoppedHere.TryRemove(containerId, out _);
        }
    }

    public async ValueTask<IReadOnlyList<RecoveredContainer>> RecoverAsync(CancellationToken cancellationToken)
    {
        var services = await manager.Swarm.ListServicesAsync(new ServiceListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Instance}={options.InstanceId}"] = true, [$"{NodeLabel}={node.Id}"] = true },
            },
        }, cancellationToken);
        var found = new List<RecoveredContainer>();
        foreach (var service in services)
        {
            if (!ContainerLabels.TryParse(service.Spec?.Labels, options.InstanceId, out var jobId, out var attempt))
            {
                continue;
            }
            var task = await LatestTaskAsync(service.ID, cancellationToken);
            var state = task?.Status?.State;
            var running = state is TaskState.Running;
            ContainerExit? exit = state is TaskState.Complete or TaskState.Failed or TaskState.Shutdown or TaskState.Rejected or TaskState.Orphaned
                ? Exit(task!)
                : null;
            // A task not yet running counts as started when it is on its way: the launch that adopts it waits for it.
            found.Add(new RecoveredContainer(jobId, attempt, service.ID, running || (exit is null && state is not null and not TaskState.New), Started(task), exit));
        }
        return found;
    }

    /// <summary>Swarm tasks cannot be paused, so there are no pauses to report: waits until cancelled.</summary>
    public async Task WatchAsync(Func<ContainerSignal, ValueTask> report, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The label that ties a service to the swarm node it was placed on (recovery is per node).</summary>
    private const string NodeLabel = "godocker.swarm-node";

    private ServiceSpec BuildService(LaunchRequest request, string name, List<ServiceMount> mounts)
    {
        var spec = request.Spec;
        var mount = options.JobMountPath;
        var labels = JobProcess.Labels(request, options.InstanceId);
        labels[NodeLabel] = node.Id;
        foreach (var path in JobProcess.Tmpfs(spec, options.ReadOnlyRootFilesystem))
        {
            mounts.Add(new ServiceMount
            {
                Type = "tmpfs",
                Target = path,
                TmpfsOptions = new TmpfsOptions { SizeBytes = options.TmpBytes, Mode = 0x3FF /* 1777 */ },
            });
        }
        return new ServiceSpec
        {
            Name = name,
            Labels = labels,
            // A replicated service of one task that is never restarted (its end is the job's end), not a replicated-job
            // service: on Docker 20.10 removing a replicated-job service leaves its running task on a worker
            // (moby/moby#44312), so a killed job would run on; a replicated service's task is stopped with it.
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec
                {
                    Image = spec.Image,
                    // The service's Command replaces the image's entrypoint, as the Docker executor's Entrypoint does.
                    Command = JobProcess.Entrypoint(request, mount),
                    Args = JobProcess.Argv(request, mount),
                    Env = JobProcess.Environment(request, mount, node.Name),
                    Dir = spec.Workdir ?? mount,
                    User = JobProcess.User(request),
                    Groups = JobProcess.Groups(request),
                    Labels = JobProcess.Labels(request, options.InstanceId),
                    Init = true,
                    ReadOnly = options.ReadOnlyRootFilesystem,
                    Mounts = mounts,
                    StopGracePeriod = options.KillGracePeriod,
                    CapabilityDrop = ["ALL"],
                    CapabilityAdd = spec.Root ? [.. options.RootCapabilities] : [],
                    Privileges = new Privileges { NoNewPrivileges = true },
                },
                Resources = new ResourceRequirements
                {
                    Limits = new SwarmLimit
                    {
                        NanoCPUs = (long)Math.Round(spec.Cpus * 1e9),
                        MemoryBytes = spec.MemoryBytes,
                        Pids = options.PidsLimit,
                    },
                },
                RestartPolicy = new SwarmRestartPolicy { Condition = "none" },
                Placement = new ServicePlacement { Constraints = [$"node.id=={node.Id}"] },
                LogDriver = new SwarmDriver { Name = "json-file", Options = new Dictionary<string, string> { ["max-size"] = "1m" } },
            },
        };
    }

    /// <summary>Removes the service; one already gone is not an error.</summary>
    private async Task RemoveServiceAsync(string serviceId, CancellationToken cancellationToken)
    {
        try
        {
            await manager.Swarm.RemoveServiceAsync(serviceId, cancellationToken);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>
    /// The node sees this server's job directories at the same path (a swarm node is another machine, or may be): a
    /// probe service pinned to it reads back a token the server wrote, once, before the node takes jobs. A failure is an
    /// answer (the node is in error), not silence.
    /// </summary>
    private async Task CheckSharedJobsRootAsync(string root, CancellationToken cancellationToken)
    {
        await sharing.WaitAsync(cancellationToken);
        try
        {
            if (sharesJobs)
            {
                return;
            }
            using var probe = await SharedJobsProbe.WriteAsync(root, node.Name, cancellationToken);
            var name = $"godocker-{options.InstanceId}-probe-{node.Id[..Math.Min(12, node.Id.Length)]}";
            await RemoveServiceAsync(name, cancellationToken);
            string? serviceId = null;
            try
            {
                serviceId = (await manager.Swarm.CreateServiceAsync(new ServiceCreateParameters
                {
                    Service = new ServiceSpec
                    {
                        Name = name,
                        Labels = new Dictionary<string, string> { ["godocker.probe"] = options.InstanceId },
                        Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
                        TaskTemplate = new TaskSpec
                        {
                            ContainerSpec = new ContainerSpec
                            {
                                Image = options.ProbeImage,
                                Command = probe.Command,
                                ReadOnly = true,
                                Mounts = [Bind(root, root, readOnly: true)],
                                CapabilityDrop = ["ALL"],
                            },
                            RestartPolicy = new SwarmRestartPolicy { Condition = "none" },
                            Placement = new ServicePlacement { Constraints = [$"node.id=={node.Id}"] },
                        },
                    },
                }, cancellationToken)).ID ?? throw new InvalidOperationException($"the swarm created service {name} without an id");
                var deadline = time.GetUtcNow() + ProbeTimeout;
                while (true)
                {
                    var task = await LatestTaskAsync(serviceId, cancellationToken);
                    var error = task?.Status?.Err;
                    switch (task?.Status?.State)
                    {
                        case TaskState.Complete:
                            sharesJobs = true;
                            logger.LogInformation("swarm node {Node} sees the job directories at {Root}", node.Name, root);
                            return;
                        case TaskState.Failed when task.Status.ContainerStatus?.ExitCode is > 0:
                            throw probe.NotSeen();
                        case TaskState.Failed or TaskState.Rejected when error?.Contains("No such image", StringComparison.OrdinalIgnoreCase) == true:
                            throw probe.NoImage(options.ProbeImage, error);
                        case TaskState.Failed or TaskState.Rejected:
                            throw new InvalidOperationException($"cannot check that swarm node {node.Name} shares the job directories: its probe task failed: {error}");
                    }
                    if (time.GetUtcNow() > deadline)
                    {
                        throw new InvalidOperationException(
                            $"cannot check that swarm node {node.Name} shares the job directories: its probe task is {task?.Status?.State} after {ProbeTimeout.TotalSeconds:0} s ({error})");
                    }
                    await Task.Delay(Poll, time, cancellationToken);
                }
            }
            finally
            {
                await (serviceId is null ? RemoveServiceAsync(name, CancellationToken.None) : RemoveAsync(serviceId, CancellationToken.None).AsTask());
            }
        }
        finally
        {
            sharing.Release();
        }
    }

    private static ServiceMount Bind(string source, string target, bool readOnly) =>
        new() { Type = "bind", Source = source, Target = target, ReadOnly = readOnly };

    private async Task<bool> ExistsAsync(string serviceId, CancellationToken cancellationToken)
    {
        try
        {
            await manager.Swarm.InspectServiceAsync(serviceId, cancellationToken);
            return true;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private async Task<TaskResponse?> LatestTaskAsync(string serviceId, CancellationToken cancellationToken)
    {
        var tasks = await manager.Tasks.ListAsync(new TasksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [serviceId] = true } },
        }, cancellationToken);
        return tasks.OrderByDescending(t => t.CreatedAt ?? DateTime.MinValue).FirstOrDefault();
    }

    /// <summary>How an ended task's container ended: its exit code (-1 when none), when, and the swarm's error unless it completed.</summary>
    private static ContainerExit Exit(TaskResponse task) =>
        new((int)(task.Status!.ContainerStatus?.ExitCode ?? -1), false,
            task.Status.Timestamp is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : null,
            task.Status.State is TaskState.Complete ? null : task.Status.Err);

    /// <summary>When the task's container started: the task's status time while it runs (the swarm keeps no other record of it).</summary>
    private static DateTimeOffset? Started(TaskResponse? task) =>
        task?.Status?.State is TaskState.Running && task.Status.Timestamp is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
}

/// <summary>A node of the swarm: its id (what placement constraints name) and its hostname (GoDocker's node name).</summary>
public sealed record SwarmNode(string Id, string Name);
