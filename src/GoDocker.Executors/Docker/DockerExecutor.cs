using System.Globalization;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using GoDocker.Execution;
using GoDocker.Scheduling;
using GoDocker.Usage;
using Microsoft.Extensions.Logging;

namespace GoDocker.Executors.Docker;

/// <summary>
/// Runs jobs as containers on one Docker engine through the Engine API. Each job's container runs
/// <c>/bin/sh -c 'exec "$0" "$@" &gt;&gt;stdout 2&gt;&gt;stderr' ARGV...</c> so its output lands in the job
/// directory and survives the container; docker-init is PID 1 so SIGTERM reaches the job.
/// </summary>
public sealed class DockerExecutor : IExecutor, IDisposable
{
    public const string ExecutorName = "docker";

    private readonly DockerClient client;
    private readonly DockerExecutorOptions options;
    private readonly ILogger<DockerExecutor> logger;
    private readonly TimeProvider time;
    private readonly SemaphoreSlim readiness = new(1, 1);
    // One choice of cpus at a time per node; a choice stays in pinningNow (locked on itself) from the moment it is made
    // until its container exists (and so shows in the engine's list with its label), so two launches at once never
    // take the same cpus.
    private readonly SemaphoreSlim pinning = new(1, 1);
    private readonly Dictionary<string, IReadOnlyList<int>> pinningNow = new(StringComparer.Ordinal);
    // The engine's cpu count and whether it can pin (cgroup cpuset), from its last info.
    private volatile EngineCpus? engineCpus;
    // The cpus the engine said it can use, when it refused others (CpuBinding.TryReadAvailable); null: 0..NCPU-1.
    private volatile int[]? usableCpus;
    private EngineNamespaces? namespaces;
    private bool networkReady;

    public DockerExecutor(DockerExecutorOptions options, TimeProvider time, ILogger<DockerExecutor> logger)
    {
        this.options = options;
        this.time = time;
        this.logger = logger;
        client = EngineClient.Create(options);
    }

    public string Name => ExecutorName;

    public string NodeName => options.NodeName;

    public async ValueTask<NodeInfo> DescribeAsync(CancellationToken cancellationToken)
    {
        SystemInfoResponse info;
        try
        {
            info = await client.System.GetSystemInfoAsync(cancellationToken);
        }
        catch (Exception e) when (EngineClient.DoesNotAnswer(e, cancellationToken))
        {
            throw new NodeUnreachableException(options.NodeName, e.Message, e);
        }
        // It answers: a failure from here on (the job network, the shared job directories' check, which also touches
        // the server's own disk) keeps new jobs away but says nothing about what already runs there.
        await EnsureReadyAsync(cancellationToken);
        engineCpus = new EngineCpus((int)info.NCPU, info.CPUSet);
        var cpus = options.Cpus ?? info.NCPU;
        var memory = options.MemoryBytes ?? Math.Max(info.MemTotal - options.ReservedMemoryBytes, info.MemTotal / 2);
        return new NodeInfo(options.NodeName, new Jobs.Resources(cpus, memory, options.Gpus))
        {
            Labels = options.Labels,
        };
    }

    public async ValueTask<LaunchOutcome> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        // Create first, inspect only on a conflict: the common path is two engine calls (create, start).
        var name = ContainerLabels.Name(options.InstanceId, request.JobId, request.Attempt);
        await EnsureReadyAsync(cancellationToken);
        // Volumes are checked now, walked without following links, and mounted as checked (HostVolumes).
        using var volumes = HostVolumes.Check(request.Spec.Mounts, request.VolumeRoots, logger, out var volumeRefusal);
        if (volumes is null)
        {
            return new LaunchOutcome.Refused($"refused at launch: {volumeRefusal}");
        }
        var binds = volumes.Binds(namespaces is { SameMount: true } && options.VolumeStagingRoot is { } staging ? Path.Combine(staging, options.NodeName, name) : null);
        var pinned = await PinAsync(name, request.Spec.Cpus, cancellationToken);
        string id;
        bool needsStart;
        try
        {
            id = (await client.Containers.CreateContainerAsync(BuildContainer(request, name, binds, pinned), cancellationToken)).ID;
            needsStart = true;
        }
        catch (DockerImageNotFoundException e) when (options.Network == JobNetwork.GoDocker && EngineClient.Message(e).Contains(options.JobsNetworkName, StringComparison.Ordinal))
        {
            // The jobs' network was removed behind our back (the engine's 404 is the image's type): make it again, retry the launch.
            networkReady = false;
            throw new InvalidOperationException($"network {options.JobsNetworkName} is missing on node {options.NodeName}; creating it again", e);
        }
        catch (DockerImageNotFoundException)
        {
            return new LaunchOutcome.Refused(
                $"image {request.Spec.Image} is not present on node {options.NodeName} (GoDocker does not pull; load it with docker load/import)");
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // This attempt's container exists (a redelivered launch, or a restart mid-launch): adopt it.
            var existing = await InspectAsync(name, cancellationToken)
                ?? throw new InvalidOperationException($"container {name} is both present and absent; retrying");
            id = existing.ID;
            // Its cpus are the ones it was created with, not the ones just chosen.
            pinned = existing.Config?.Labels is { } labels && labels.TryGetValue(ContainerLabels.Cpus, out var held)
                && CpuBinding.TryParse(held, out var ids) ? new CpuChoice(ids, false) : null;
            needsStart = existing.State?.Status == "created";
            if (!needsStart)
            {
                return new LaunchOutcome.Started(id, ParseTime(existing.State?.StartedAt) ?? time.GetUtcNow()) { Cpus = CpusNote(pinned) };
            }
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.BadRequest && pinned is not null
            && CpuBinding.TryReadAvailable(EngineClient.Message(e), out var available))
        {
            // The engine is confined to other cpus than 0..NCPU-1 (its cgroup parent's cpuset): choose from those. The
            // launch is retried (the same attempt), and chooses again.
            usableCpus = available;
            logger.LogWarning("node {Node}: the engine can pin to cpus {Cpus} only; choosing from those", options.NodeName, CpuBinding.Format(available));
            throw new InvalidOperationException($"node {options.NodeName}: the engine can pin to cpus {CpuBinding.Format(available)} only; launching again", e);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.BadRequest)
        {
            return new LaunchOutcome.Refused($"the engine refused the container: {EngineClient.Message(e)}");
        }
        finally
        {
            Unpin(name);
        }

        if (needsStart)
        {
            try
            {
                await client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);
            }
            catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.InternalServerError)
            {
                // e.g. the image has no /bin/sh: the container can never start.
                await RemoveAsync(id, cancellationToken);
                return new LaunchOutcome.Refused($"the container could not start: {EngineClient.Message(e)}");
            }
        }
        // The engine's own start time: the end is checked against it (a later one means someone restarted the container).
        var started = await InspectAsync(id, cancellationToken);
        return new LaunchOutcome.Started(id, ParseTime(started?.State?.StartedAt) ?? time.GetUtcNow()) { Cpus = CpusNote(pinned) };
    }

    /// <summary>
    /// The cpus a job asking for whole cpus gets on this node, chosen now (only for a job being launched, never in the
    /// scheduler's cycle) from what the engine says the node's other pinned containers hold: every container of this
    /// instance that is created, running, paused or restarting, by its <see cref="ContainerLabels.Cpus"/> label. The engine
    /// is the record, as for adopting attempts: nothing is stored, so a restarted server or a new leader knows the
    /// holdings as soon as it can list containers, and a container that has exited frees its cpus at once, before it is
    /// removed. Null: not pinned (a fractional request, cpu sets off, an engine that cannot pin, a request larger than
    /// the node's cpus) — the job keeps its quota only. The choice is held in <see cref="pinningNow"/> until
    /// <see cref="Unpin"/>, once its container exists or its launch failed.
    /// </summary>
    private async Task<CpuChoice?> PinAsync(string name, double cpus, CancellationToken cancellationToken)
    {
        if (!options.CpuSets || CpuBinding.WholeCpus(cpus) is not { } count)
        {
            return null;
        }
        await pinning.WaitAsync(cancellationToken);
        try
        {
            var engine = engineCpus;
            if (engine is null)
            {
                var info = await client.System.GetSystemInfoAsync(cancellationToken);
                engineCpus = engine = new EngineCpus((int)info.NCPU, info.CPUSet);
            }
            if (!engine.CanPin)
            {
                return null;
            }
            var containers = await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Instance}={options.InstanceId}"] = true },
                },
            }, cancellationToken);
            var held = new List<IReadOnlyCollection<int>>(containers.Count);
            foreach (var c in containers)
            {
                if (c.State is "created" or "running" or "paused" or "restarting"
                    && c.Labels is { } labels && labels.TryGetValue(ContainerLabels.Cpus, out var text) && CpuBinding.TryParse(text, out var ids))
                {
                    held.Add(ids);
                }
            }
            lock (pinningNow)
            {
                foreach (var choosing in pinningNow.Values)
                {
                    held.Add([.. choosing]);
                }
            }
            var pool = usableCpus is { } usable ? CpuBinding.Pool(usable, options.Cpus) : CpuBinding.Pool(engine.Count, options.Cpus);
            var choice = CpuBinding.Choose(count, pool, held);
            if (choice is null)
            {
                logger.LogWarning("node {Node}: {Container} asks for {Count} cpus, more than the node's {Cpus} that can be pinned; it runs with its quota only",
                    options.NodeName, name, count, pool.Length);
                return null;
            }
            if (choice.Shared)
            {
                // Only when the scheduler placed more whole cpus than the node has (Scheduler:CpuOvercommit, or more
                // cpus configured than the host has): said in the log and on the job's timeline, never silently.
                logger.LogWarning("node {Node}: {Container} shares cpus {Cpus} with other pinned jobs (the node's cpus are overcommitted)",
                    options.NodeName, name, choice);
            }
            lock (pinningNow)
            {
                pinningNow[name] = choice.Cpus;
            }
            return choice;
        }
        finally
        {
            pinning.Release();
        }
    }

    private void Unpin(string name)
    {
        lock (pinningNow)
        {
            pinningNow.Remove(name);
        }
    }

    private static string? CpusNote(CpuChoice? pinned) =>
        pinned is null ? null : $"on cpus {pinned}" + (pinned.Shared ? " (shared with other jobs: the node's cpus are overcommitted)" : "");

    public async ValueTask<ContainerExit> WaitAsync(string containerId, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        // Set when the engine could not be reached at some point: an end found after that is the outage's doing.
        var outage = false;
        while (true)
        {
            try
            {
                await client.Containers.WaitContainerAsync(containerId, cancellationToken);
                break;
            }
            catch (DockerContainerNotFoundException)
            {
                return new ContainerExit(-1, false, null, null) { Interference = new Interference(EndCause.RemovedOutside) };
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && EngineClient.IsTransient(e))
            {
                // The wait request itself timed out, or the engine went away: check and wait again.
                outage |= EngineClient.IsUnreachable(e);
                logger.LogDebug(e, "wait on container {Container} interrupted; waiting again", containerId);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }

        // The exit is not believed yet: who ended the container, and is it still the one GoDocker started?
        ContainerHistory? history = null;
        try
        {
            history = await ReadHistoryAsync(containerId, startedAt, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // A stopping engine answers the wait, then nothing: its shutdown is what ended the container.
            // Any other failure leaves only the inspection to go by.
            outage |= EngineClient.IsUnreachable(e);
            logger.LogDebug(e, "reading the events of container {Container} failed", containerId);
        }
        var (inspected, unreachable) = await InspectThroughOutageAsync(containerId, cancellationToken);
        outage |= unreachable;
        if (inspected?.State is not { } state || state.Status == "removing")
        {
            return new ContainerExit(-1, false, null, null) { Interference = new Interference(EndCause.RemovedOutside) };
        }
        // The engine records an OOM kill from a separate event that can land just after the exit:
        // a SIGKILL exit (137) without the flag is read again before it is believed.
        for (var retry = 0; retry < 5 && state is { OOMKilled: false, ExitCode: 137 }; retry++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
            state = (await InspectAsync(containerId, cancellationToken))?.State ?? state;
        }
        var exit = new ContainerExit((int)state.ExitCode, state.OOMKilled, ParseTime(state.FinishedAt), string.IsNullOrEmpty(state.Error) ? null : state.Error);
        return exit with { Interference = Interference(inspected, startedAt, history, outage, exit) };
    }

    /// <summary>
    /// What was done to the container outside GoDocker, strongest evidence first: started again after the recorded
    /// start (the command ran twice), removed, ended while its engine was down, then what its events say (stopped,
    /// killed). An exit 0 with no such evidence is the command's own.
    /// </summary>
    private static Interference? Interference(ContainerInspectResponse inspected, DateTimeOffset startedAt, ContainerHistory? history, bool outage, ContainerExit exit)
    {
        // Recorded starts keep milliseconds; the engine's have nanoseconds.
        var restartedAt = ParseTime(inspected.State?.StartedAt) is { } engineStart && engineStart - startedAt > TimeSpan.FromMilliseconds(1);
        var fromEvents = history?.Interference();
        if (inspected.RestartCount > 0 || restartedAt || fromEvents?.Cause == EndCause.RestartedOutside)
        {
            return new Interference(EndCause.RestartedOutside);
        }
        if (fromEvents?.Cause == EndCause.RemovedOutside)
        {
            return fromEvents;
        }
        if (outage && exit.ExitCode != 0 && !exit.OutOfMemory)
        {
            return new Interference(EndCause.EngineRestart);
        }
        return fromEvents;
    }

    /// <summary>
    /// The container's events since it started, read until its die event (and, when someone signalled it, a little
    /// longer: a docker stop, restart or rm follows its kill within moments).
    /// </summary>
    private async Task<ContainerHistory> ReadHistoryAsync(string containerId, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        var history = new ContainerHistory();
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(TimeSpan.FromSeconds(5));
        var reading = client.System.MonitorEventsAsync(new ContainerEventsParameters
        {
            Since = startedAt.AddSeconds(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["container"] = true },
                ["container"] = new Dictionary<string, bool> { [containerId] = true },
            },
        }, history, window.Token);
        try
        {
            await Task.WhenAny(history.Died, reading).WaitAsync(window.Token);
            if (reading.IsCompleted)
            {
                await reading; // the engine closed the stream: throws what broke it
            }
            if (history.Signalled)
            {
                await Task.WhenAny(history.Settled, reading, Task.Delay(TimeSpan.FromSeconds(1.5), time, window.Token));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The window closed: what was read is all there is (the engine keeps a bounded history).
        }
        finally
        {
            await window.CancelAsync();
            try
            {
                await reading;
            }
            catch (Exception e) when (e is OperationCanceledException || EngineClient.IsTransient(e))
            {
            }
        }
        if (reading.IsFaulted && reading.Exception?.InnerException is { } broken && EngineClient.IsUnreachable(broken))
        {
            throw broken;
        }
        return history;
    }

    /// <summary>Inspects the container, waiting through an engine outage; says whether it had to.</summary>
    private async Task<(ContainerInspectResponse? Inspected, bool Unreachable)> InspectThroughOutageAsync(string containerId, CancellationToken cancellationToken)
    {
        var unreachable = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await InspectAsync(containerId, cancellationToken), unreachable);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && EngineClient.IsTransient(e))
            {
                unreachable |= EngineClient.IsUnreachable(e);
                logger.LogDebug(e, "inspecting container {Container}: engine unreachable; retrying", containerId);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, attempt)), time, cancellationToken);
            }
        }
    }

    public async ValueTask PauseAsync(string containerId, CancellationToken cancellationToken) =>
        await client.Containers.PauseContainerAsync(containerId, cancellationToken);

    public async ValueTask UnpauseAsync(string containerId, CancellationToken cancellationToken) =>
        await client.Containers.UnpauseContainerAsync(containerId, cancellationToken);

    public async ValueTask StopAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken)
    {
        try
        {
            // A suspended job is frozen: thaw it first, so it gets its SIGTERM and the grace period to use it.
            try
            {
                await client.Containers.UnpauseContainerAsync(containerId, cancellationToken);
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict || e.StatusCode == HttpStatusCode.InternalServerError)
            {
                // Not paused: the usual case.
            }
            await client.Containers.StopContainerAsync(containerId,
                new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Max(0, grace.TotalSeconds) }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
        }
    }

    public async ValueTask RemoveAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            await client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // Removal already in progress.
        }
    }

    public async ValueTask<IReadOnlyList<RecoveredContainer>> RecoverAsync(CancellationToken cancellationToken)
    {
        if (options.VolumeStagingRoot is { } staging)
        {
            // Staging mounts of launches cut short by a crash: a started container holds its own copy.
            HostVolumes.RemoveLeftovers(Path.Combine(staging, options.NodeName), logger);
        }
        var containers = await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Instance}={options.InstanceId}"] = true },
            },
        }, cancellationToken);
        var found = new List<RecoveredContainer>();
        foreach (var c in containers)
        {
            if (!ContainerLabels.TryParse(c.Labels, options.InstanceId, out var jobId, out var attempt))
            {
                continue;
            }
            var running = c.State is "running" or "paused" or "restarting";
            var state = (await InspectAsync(c.ID, cancellationToken))?.State;
            ContainerExit? exit = null;
            if (!running && c.State is "exited" or "dead" && state is not null)
            {
                exit = new ContainerExit((int)state.ExitCode, state.OOMKilled, ParseTime(state.FinishedAt), string.IsNullOrEmpty(state.Error) ? null : state.Error);
            }
            found.Add(new RecoveredContainer(jobId, attempt, c.ID, running, ParseTime(state?.StartedAt), exit));
        }
        return found;
    }

    public async Task WatchAsync(Func<ContainerSignal, ValueTask> report, CancellationToken cancellationToken)
    {
        var signals = new ContainerSignals(options.InstanceId);
        var reading = client.System.MonitorEventsAsync(new ContainerEventsParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["container"] = true },
                ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Instance}={options.InstanceId}"] = true },
                ["event"] = new Dictionary<string, bool> { ["pause"] = true, ["unpause"] = true },
            },
        }, signals, cancellationToken);
        var reporting = Task.Run(async () =>
        {
            await foreach (var signal in signals.Reader.ReadAllAsync(cancellationToken))
            {
                await report(signal);
            }
        }, cancellationToken);
        try
        {
            await reading;
        }
        finally
        {
            signals.Complete();
        }
        await reporting;
        cancellationToken.ThrowIfCancellationRequested();
        throw new IOException($"node {options.NodeName}: the engine closed its event stream");
    }

    public async ValueTask<UsageSample?> SampleAsync(string containerId, CancellationToken cancellationToken)
    {
        var report = new LastReport<ContainerStatsResponse>();
        try
        {
            await client.Containers.GetContainerStatsAsync(containerId,
                new ContainerStatsParameters { Stream = false, OneShot = true }, report, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
        return report.Value is { } stats ? ContainerUsage.From(stats) : null;
    }

    public async ValueTask<ExecOutcome> ExecAsync(ExecRequest request, CancellationToken cancellationToken) =>
        await DockerExecSession.StartAsync(client, request, cancellationToken);

    public async ValueTask<ExecOutcome> AttachAsync(AttachRequest request, CancellationToken cancellationToken) =>
        await DockerAttachSession.StartAsync(client, request, cancellationToken);

    public void Dispose()
    {
        client.Dispose();
        readiness.Dispose();
        pinning.Dispose();
    }

    /// <summary>
    /// Once per engine (again after a failure): learn whether it shares this server's namespaces, and make sure the
    /// jobs' network exists as GoDocker wants it, with the host firewalled from it where this server can do so.
    /// </summary>
    private async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (networkReady)
        {
            return;
        }
        await readiness.WaitAsync(cancellationToken);
        try
        {
            if (networkReady)
            {
                return;
            }
            namespaces ??= await EngineNamespaces.ProbeAsync(options.Endpoint, cancellationToken);
            if (options.Network == JobNetwork.GoDocker)
            {
                await EnsureJobNetworkAsync(namespaces, cancellationToken);
            }
            if (!namespaces.SameMount && options.SharedJobsRoot is { } root)
            {
                await CheckSharedJobsRootAsync(root, cancellationToken);
            }
            networkReady = true;
        }
        finally
        {
            readiness.Release();
        }
    }

    /// <summary>
    /// A remote engine must see the job directories where this server writes them, or its jobs would start in empty
    /// folders and their output be lost: a token the server writes under <paramref name="root"/> must be what a
    /// container on that engine reads at the same path. Throws, naming the node and what to mount, when it is not.
    /// </summary>
    private async Task CheckSharedJobsRootAsync(string root, CancellationToken cancellationToken)
    {
        using var probe = await SharedJobsProbe.WriteAsync(root, options.NodeName, cancellationToken);
        var name = $"godocker-{options.InstanceId}-probe-{options.NodeName}";
        try
        {
            await RemoveAsync(name, cancellationToken);
            string id;
            try
            {
                id = (await client.Containers.CreateContainerAsync(new CreateContainerParameters
                {
                    Name = name,
                    Image = options.ProbeImage,
                    Cmd = probe.Command,
                    Labels = new Dictionary<string, string> { ["godocker.probe"] = options.InstanceId },
                    HostConfig = new HostConfig
                    {
                        Binds = [$"{root}:{root}:ro"],
                        NetworkMode = "none",
                        ReadonlyRootfs = true,
                        CapDrop = ["ALL"],
                    },
                }, cancellationToken)).ID;
            }
            catch (DockerImageNotFoundException)
            {
                throw probe.NoImage(options.ProbeImage);
            }
            await client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);
            var exit = await client.Containers.WaitContainerAsync(id, cancellationToken);
            if (exit.StatusCode != 0)
            {
                throw probe.NotSeen();
            }
            logger.LogInformation("node {Node} sees the job directories at {Root}", options.NodeName, root);
        }
        finally
        {
            await RemoveAsync(name, CancellationToken.None);
        }
    }

    private async Task EnsureJobNetworkAsync(EngineNamespaces where, CancellationToken cancellationToken)
    {
        const string Icc = "com.docker.network.bridge.enable_icc";
        var network = await InspectNetworkAsync(cancellationToken);
        if (network is null)
        {
            try
            {
                await client.Networks.CreateNetworkAsync(new NetworksCreateParameters
                {
                    Name = options.JobsNetworkName,
                    Driver = "bridge",
                    // The host firewall is IPv4 (iptables): the network has no IPv6 to get around it.
                    EnableIPv6 = false,
                    // No traffic between containers on it: jobs of different users never reach each other.
                    Options = new Dictionary<string, string> { [Icc] = "false" },
                    Labels = new Dictionary<string, string> { [ContainerLabels.Instance] = options.InstanceId },
                }, cancellationToken);
                logger.LogInformation("node {Node}: created the jobs' network {Network}", options.NodeName, options.JobsNetworkName);
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                // Created meanwhile by another GoDocker on the same engine.
            }
            network = await InspectNetworkAsync(cancellationToken)
                ?? throw new InvalidOperationException($"network {options.JobsNetworkName} vanished right after its creation");
        }
        var networkOptions = network.Options ?? new Dictionary<string, string>();
        if (network.Driver != "bridge" || !networkOptions.TryGetValue(Icc, out var icc) || icc != "false" || network.EnableIPv6 == true)
        {
            throw new InvalidOperationException(
                $"network {options.JobsNetworkName} exists but is not an IPv4-only bridge with {Icc}=false: remove it (docker network rm {options.JobsNetworkName}) and GoDocker creates it");
        }
        var bridge = networkOptions.TryGetValue("com.docker.network.bridge.name", out var named) ? named : $"br-{network.ID[..12]}";
        if (where.SameNetwork)
        {
            await HostFirewall.ApplyAsync(bridge, options.HostPortsOpen, cancellationToken);
        }
        else
        {
            logger.LogWarning(
                "node {Node}: the engine is not in this server's network namespace, so GoDocker cannot keep its jobs off the engine's host; apply on that host: {Rules}",
                options.NodeName, HostFirewall.RulesFor(bridge, options.HostPortsOpen));
        }
    }

    private async Task<NetworkResponse?> InspectNetworkAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await client.Networks.InspectNetworkAsync(options.JobsNetworkName, cancellationToken);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private CreateContainerParameters BuildContainer(LaunchRequest request, string name, IReadOnlyList<string> volumeBinds, CpuChoice? pinned)
    {
        var spec = request.Spec;
        var labels = JobProcess.Labels(request, options.InstanceId);
        if (pinned is not null)
        {
            labels[ContainerLabels.Cpus] = pinned.ToString();
        }
        var mount = options.JobMountPath;
        var (entrypoint, cmd) = spec.Interactive ? JobProcess.Interactive(request, mount) : (JobProcess.Entrypoint(request, mount), JobProcess.Argv(request, mount));
        return new CreateContainerParameters
        {
            Name = name,
            Image = spec.Image,
            // Null (an interactive job that names no program) leaves the image's own, as docker run -it IMAGE.
            Entrypoint = entrypoint!,
            Cmd = cmd!,
            // An interactive job's terminal: its input stays open between attaches (StdinOnce false), so a client that
            // detaches leaves the job running and another attach finds it as it was.
            Tty = spec.Interactive,
            OpenStdin = spec.Interactive,
            StdinOnce = false,
            Env = JobProcess.Environment(request, mount, options.NodeName),
            WorkingDir = spec.Workdir ?? mount,
            // The owner's uid:gid with their supplementary groups; never the image's default user.
            User = JobProcess.User(request),
            Labels = labels,
            AttachStdout = false,
            AttachStderr = false,
            HostConfig = new HostConfig
            {
                Binds = [$"{request.JobDirectory}:{mount}:rw", .. volumeBinds],
                // The quota stays with a cpu set too: a pinned job's threads get its cpus, and no more time than it asked.
                NanoCPUs = (long)Math.Round(spec.Cpus * 1e9),
                CpusetCpus = pinned?.ToString() ?? "",
                Memory = spec.MemoryBytes,
                MemorySwap = spec.MemoryBytes,
                PidsLimit = options.PidsLimit,
                Init = true,
                NetworkMode = spec.NoNetwork ? "none" : options.Network switch
                {
                    JobNetwork.GoDocker => options.JobsNetworkName,
                    JobNetwork.None => "none",
                    _ => "bridge",
                },
                // The writable layer lives on the engine's disk: read-only, with size-limited tmpfs where programs expect to write.
                ReadonlyRootfs = options.ReadOnlyRootFilesystem,
                Tmpfs = JobProcess.Tmpfs(spec, options.ReadOnlyRootFilesystem) is { Count: > 0 } tmpfs
                    ? tmpfs.ToDictionary(path => path, _ => string.Create(CultureInfo.InvariantCulture, $"rw,nosuid,nodev,size={options.TmpBytes},mode=1777"))
                    : null,
                StorageOpt = !options.ReadOnlyRootFilesystem && options.WritableLayerSize is { } size ? new Dictionary<string, string> { ["size"] = size } : null,
                Privileged = false,
                CapDrop = ["ALL"],
                CapAdd = spec.Root ? [.. options.RootCapabilities] : [],
                SecurityOpt = ["no-new-privileges"],
                GroupAdd = JobProcess.Groups(request),
                LogConfig = new LogConfig { Type = "json-file", Config = new Dictionary<string, string> { ["max-size"] = "1m" } },
                // --gpus N: the engine's GPU driver (nvidia-container-toolkit) picks the devices.
                DeviceRequests = spec.Gpus > 0 ? [new DeviceRequest { Driver = "nvidia", Count = spec.Gpus, Capabilities = [["gpu"]] }] : [],
            },
        };
    }

    private async Task<ContainerInspectResponse?> InspectAsync(string idOrName, CancellationToken cancellationToken)
    {
        try
        {
            return await client.Containers.InspectContainerAsync(idOrName, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) && t.Year > 1
            ? t
            : null;
}

/// <summary>The engine's cpus, from its info: how many (NCPU) and whether it can pin containers to some (cgroup cpuset).</summary>
internal sealed record EngineCpus(int Count, bool CanPin);

/// <summary>Keeps what a one-shot engine call reports, as it reports it (Progress&lt;T&gt; would post it to another thread, later).</summary>
internal sealed class LastReport<T> : IProgress<T>
{
    public T? Value { get; private set; }

    public void Report(T value) => Value = value;
}
