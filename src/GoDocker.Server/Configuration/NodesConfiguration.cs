using System.Globalization;
using System.Text.RegularExpressions;
using GoDocker.Executors.Docker;
using GoDocker.Jobs;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Configuration;

/// <summary>
/// The nodes jobs run on, from configuration: each entry of <c>Nodes</c> is a Docker engine of its own; without
/// any, the single engine of <c>Executor:Docker</c>. <c>Executor:Docker</c>'s network and pids limit apply to every node.
/// Checked at start: every problem is reported at once, naming the entry.
/// </summary>
internal static partial class NodesConfiguration
{
    // A node's name appears in URLs (/nodes/{name}), pending reasons and the jobs' environment.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,62}\z")]
    private static partial Regex NamePattern();

    // Constraints are LABEL==VALUE and LABEL!=VALUE: a label name cannot hold '=', '!' or spaces.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,62}\z")]
    private static partial Regex LabelPattern();

    /// <summary>One executor's options per node. Throws <see cref="OptionsValidationException"/> naming every problem.</summary>
    public static IReadOnlyList<DockerExecutorOptions> Resolve(GoDockerOptions settings, string instanceId)
    {
        var executor = settings.Executor;
        var docker = executor.Docker;
        var network = docker.Network switch
        {
            "godocker" => JobNetwork.GoDocker,
            "none" => JobNetwork.None,
            "bridge" => JobNetwork.Bridge,
            // A job must never share the host's (or another container's) network namespace.
            "host" => throw new OptionsValidationException("Executor:Docker:Network", typeof(DockerSettings), [$"network 'host' is refused: use godocker, none or bridge"]),
            _ when docker.Network.StartsWith("container:", StringComparison.Ordinal) =>
                throw new OptionsValidationException("Executor:Docker:Network", typeof(DockerSettings), [$"network '{docker.Network}' is refused: use godocker, none or bridge"]),
            _ => throw new OptionsValidationException("Executor:Docker:Network", typeof(DockerSettings), [$"network '{docker.Network}' is not one of godocker, none, bridge"]),
        };
        var shape = ContainerShape(settings, network);
        var capabilities = settings.Jobs.Root.Capabilities;
        if (executor.Type == ExecutorType.Swarm)
        {
            var swarm = new List<string>();
            if (settings.Nodes.Count > 0)
            {
                swarm.Add("Nodes: with Executor:Type swarm the nodes are the swarm's (docker node ls on the manager): remove Nodes");
            }
            if (network != JobNetwork.Bridge)
            {
                swarm.Add($"Executor:Docker:Network: '{docker.Network}' cannot be given to swarm services (they join neither a local network nor none): set it to bridge");
            }
            if (swarm.Count > 0)
            {
                throw new OptionsValidationException("Executor:Type", typeof(ExecutorOptions), swarm);
            }
        }
        if (settings.Nodes.Count == 0)
        {
            long? memory = null;
            if (docker.Memory is { } text)
            {
                memory = ByteSize.TryParse(text, out var bytes)
                    ? bytes
                    : throw new OptionsValidationException("Executor:Docker:Memory", typeof(DockerSettings), [$"'{text}' is not a size"]);
            }
            var single = new List<string>();
            var singleTls = Transport("Executor:Docker:Endpoint", docker.Endpoint, docker.TlsCertPath, docker.AllowPlainTcp, single);
            if (single.Count > 0)
            {
                throw new OptionsValidationException("Executor:Docker:Endpoint", typeof(DockerSettings), single);
            }
            return [shape(docker.ToExecutorOptions(instanceId, memory, capabilities)) with { TlsCertPath = singleTls }];
        }

        var problems = new List<string>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var endpoints = new Dictionary<string, string>(StringComparer.Ordinal);
        var nodes = new List<DockerExecutorOptions>();
        for (var i = 0; i < settings.Nodes.Count; i++)
        {
            var node = settings.Nodes[i];
            var at = string.Create(CultureInfo.InvariantCulture, $"Nodes:{i}") + (string.IsNullOrEmpty(node.Name) ? "" : $" ({node.Name})");
            var before = problems.Count;
            if (!NamePattern().IsMatch(node.Name))
            {
                problems.Add($"{at}: name '{node.Name}' is not 1 to 63 of letters, digits, '.', '_', '-' (starting with a letter or digit)");
            }
            else if (names.TryGetValue(node.Name, out var first))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{at}: name '{node.Name}' is also the name of Nodes:{first}; names must be unique"));
            }
            else
            {
                names[node.Name] = i;
            }
            if (Endpoint(node.Endpoint) is not { } endpoint)
            {
                problems.Add($"{at}: endpoint '{node.Endpoint}' is not unix:///path/to/docker.sock or tcp://host:port");
            }
            else if (endpoints.TryGetValue(endpoint, out var other))
            {
                // Two nodes on one engine would each take the other's containers for leftovers at recovery.
                problems.Add($"{at}: endpoint {node.Endpoint} is also the endpoint of node {other}; each node is an engine of its own");
            }
            else
            {
                endpoints[endpoint] = node.Name;
            }
            var tls = Transport(at, node.Endpoint, node.TlsCertPath ?? docker.TlsCertPath, docker.AllowPlainTcp, problems);
            if (node.Cpus is { } cpus && !(cpus > 0 && double.IsFinite(cpus)))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{at}: cpus {cpus} must be greater than 0"));
            }
            long? memoryBytes = null;
            if (node.Memory is { } memory)
            {
                if (ByteSize.TryParse(memory, out var bytes) && bytes > 0)
                {
                    memoryBytes = bytes;
                }
                else
                {
                    problems.Add($"{at}: memory '{memory}' is not a size (e.g. 512M, 16G)");
                }
            }
            if (node.Gpus < 0)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{at}: gpus {node.Gpus} must be 0 or more"));
            }
            foreach (var (label, value) in node.Labels)
            {
                if (!LabelPattern().IsMatch(label))
                {
                    problems.Add($"{at}: label '{label}' is not 1 to 63 of letters, digits, '.', '_', '-', '/'");
                }
                else if (string.IsNullOrWhiteSpace(value) || value.Trim() != value)
                {
                    problems.Add($"{at}: label {label} has an empty value or one with spaces around it");
                }
            }
            if (problems.Count == before)
            {
                nodes.Add(shape(docker.ToExecutorOptions(instanceId, memoryBytes, capabilities)) with
                {
                    NodeName = node.Name,
                    Endpoint = node.Endpoint,
                    TlsCertPath = tls,
                    Cpus = node.Cpus,
                    Gpus = node.Gpus,
                    Labels = new Dictionary<string, string>(node.Labels, StringComparer.Ordinal),
                });
            }
        }
        if (problems.Count > 0)
        {
            throw new OptionsValidationException("Nodes", typeof(NodeSettings), problems);
        }
        return nodes;
    }

    /// <summary>What every node's containers share: network, root filesystem, tmpfs size, volume staging. Checked now.</summary>
    private static Func<DockerExecutorOptions, DockerExecutorOptions> ContainerShape(GoDockerOptions settings, JobNetwork network)
    {
        var jobs = settings.Jobs;
        var problems = new List<string>();
        if (jobs.RootFilesystem is not ("readonly" or "writable"))
        {
            problems.Add($"Jobs:RootFilesystem '{jobs.RootFilesystem}' is not readonly or writable");
        }
        if (!ByteSize.TryParse(jobs.TmpSize, out var tmpBytes) || tmpBytes <= 0)
        {
            problems.Add($"Jobs:TmpSize '{jobs.TmpSize}' is not a size (e.g. 512M, 1G)");
        }
        long? layerBytes = null;
        if (jobs.WritableLayerSize is { Length: > 0 } layer && (!ByteSize.TryParse(layer, out var parsed) || (layerBytes = parsed) <= 0))
        {
            problems.Add($"Jobs:WritableLayerSize '{layer}' is not a size (e.g. 10G)");
        }
        foreach (var port in settings.Executor.Docker.HostPortsOpen.Where(p => p is < 1 or > 65535))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"Executor:Docker:HostPortsOpen: {port} is not a port (1-65535)"));
        }
        if (problems.Count > 0)
        {
            throw new OptionsValidationException("Jobs", typeof(JobOptions), problems);
        }
        var staging = Path.Combine(Path.GetFullPath(settings.Server.DataDir), "volumes");
        var jobsRoot = Path.GetFullPath(string.IsNullOrEmpty(settings.Server.JobsDir) ? Path.Combine(settings.Server.DataDir, "jobs") : settings.Server.JobsDir);
        return options => options with
        {
            SharedJobsRoot = jobsRoot,
            KillGracePeriod = jobs.KillGracePeriod,
            ProbeImage = jobs.DefaultImage,
            Network = network,
            ReadOnlyRootFilesystem = jobs.RootFilesystem == "readonly",
            TmpBytes = tmpBytes,
            CpuSets = jobs.CpuSets,
            WritableLayerSize = layerBytes?.ToString(CultureInfo.InvariantCulture),
            VolumeStagingRoot = staging,
        };
    }

    /// <summary>
    /// How an engine is reached, checked: a unix socket as it is; tcp:// only with mutual TLS (a folder with ca.pem,
    /// cert.pem, key.pem that load), since whoever reaches a plain engine port is root on that node — unless the site
    /// explicitly allows plain tcp (Executor:Docker:AllowPlainTcp). Returns the TLS folder to use, or null.
    /// </summary>
    private static string? Transport(string at, string endpoint, string? tlsPath, bool allowPlain, List<string> problems)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme == "unix")
        {
            return null; // a unix socket is protected by its file permissions; a malformed endpoint is reported elsewhere
        }
        if (tlsPath is null)
        {
            if (uri.Scheme == "https")
            {
                problems.Add($"{at}: endpoint {endpoint} needs TlsCertPath (a folder with ca.pem, cert.pem, key.pem) to check the engine's certificate");
            }
            else if (!allowPlain)
            {
                problems.Add($"{at}: endpoint {endpoint} is plain tcp: anyone who reaches that port is root on the node. "
                    + "Give the node a TlsCertPath (mutual TLS: dockerd --tlsverify; scripts/certs.sh makes the certificates), "
                    + "or set Executor:Docker:AllowPlainTcp if the site protects the link otherwise");
            }
            return null;
        }
        try
        {
            EngineTls.Load(tlsPath);
        }
        catch (EngineTlsException e)
        {
            problems.Add($"{at}: TlsCertPath: {e.Message}");
        }
        return tlsPath;
    }

    /// <summary>The endpoint in a comparable form, or null when the Docker client could not reach it.</summary>
    private static string? Endpoint(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            return null;
        }
        return uri.Scheme switch
        {
            "unix" when uri.AbsolutePath.Length > 1 => "unix://" + uri.AbsolutePath,
            "tcp" or "http" or "https" when uri.Host.Length > 0 => $"{uri.Scheme}://{uri.Host}:{uri.Port}",
            _ => null,
        };
    }
}
