namespace GoDocker.Executors.Docker;

/// <summary>How the Docker executor reaches its engine and shapes each job's container.</summary>
public sealed record DockerExecutorOptions
{
    /// <summary>unix:///var/run/docker.sock, or tcp://host:2376 (with <see cref="TlsCertPath"/>).</summary>
    public string Endpoint { get; init; } = "unix:///var/run/docker.sock";
    /// <summary>A folder with ca.pem, cert.pem, key.pem: the engine is reached over mutual TLS and its certificate checked against ca.pem.</summary>
    public string? TlsCertPath { get; init; }
    public string NodeName { get; init; } = "local";
    /// <summary>Capacity offered to jobs; the engine's own count when null.</summary>
    public double? Cpus { get; init; }
    /// <summary>Capacity offered to jobs; the engine's memory minus <see cref="ReservedMemoryBytes"/> when null.</summary>
    public long? MemoryBytes { get; init; }
    public long ReservedMemoryBytes { get; init; } = 512L << 20;
    /// <summary>Gpus offered to jobs (the engine does not report them).</summary>
    public int Gpus { get; init; }
    /// <summary>The node's labels, which job constraints are matched against (disk=ssd).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public long PidsLimit { get; init; } = 4096;
    /// <summary>Where jobs are networked: the GoDocker-managed network (default), none, or Docker's shared bridge.</summary>
    public JobNetwork Network { get; init; } = JobNetwork.GoDocker;
    /// <summary>Where the job directory appears inside the container.</summary>
    public string JobMountPath { get; init; } = "/godocker/job";
    /// <summary>Labels this instance's containers; another GoDocker on the same engine leaves them alone.</summary>
    public string InstanceId { get; init; } = "default";
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Capabilities added back for jobs granted root (every other job has none).</summary>
    public IReadOnlyList<string> RootCapabilities { get; init; } = [];
    /// <summary>The GoDocker-managed network's name on each engine (created when absent, without inter-container traffic).</summary>
    public string JobsNetworkName { get; init; } = "godocker-jobs";
    /// <summary>Host ports (tcp and udp) jobs may still reach on the host; every other new connection to the host is dropped.</summary>
    public IReadOnlyList<int> HostPortsOpen { get; init; } = [];
    /// <summary>The container's root filesystem is read-only; /tmp and /var/tmp are size-limited tmpfs instead.</summary>
    public bool ReadOnlyRootFilesystem { get; init; } = true;
    /// <summary>The size of each tmpfs (/tmp, /var/tmp) of a read-only root filesystem; its pages count against the job's memory.</summary>
    public long TmpBytes { get; init; } = 1L << 30;
    /// <summary>
    /// A job asking for a whole number of cpus is pinned to that many cpus of the node of its own (HostConfig.CpusetCpus),
    /// besides its quota; fractional requests keep the quota only (<see cref="Scheduling.CpuBinding"/>).
    /// </summary>
    public bool CpuSets { get; init; } = true;
    /// <summary>With a writable root filesystem: the engine's size quota on it (StorageOpt size; overlay2 on xfs with pquota only).</summary>
    public string? WritableLayerSize { get; init; }
    /// <summary>
    /// The job directories' root on this server. An engine that does not share our mount namespace (a remote node) must
    /// see the same folder at the same path (a shared filesystem): checked before the node takes jobs, with a container
    /// of <see cref="ProbeImage"/> reading a token the server wrote there. Null: not checked.
    /// </summary>
    public string? SharedJobsRoot { get; init; }
    /// <summary>The image of that check's container (the jobs' default image, which every node needs anyway).</summary>
    public string ProbeImage { get; init; } = "godocker/debian:bookworm";
    /// <summary>Between SIGTERM and SIGKILL when a job is stopped, for engines that take it when the job is created (Swarm).</summary>
    public TimeSpan KillGracePeriod { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Where volumes are staged by descriptor for an engine that shares this server's mounts (root-owned, 0700); null: no staging.</summary>
    public string? VolumeStagingRoot { get; init; }
}

/// <summary>The network jobs run on. host and container:… are never offered: a job never shares a namespace.</summary>
public enum JobNetwork
{
    /// <summary>The GoDocker-managed network: no traffic between containers, none to the host (see <see cref="HostFirewall"/>).</summary>
    GoDocker,
    /// <summary>Loopback only.</summary>
    None,
    /// <summary>Docker's default bridge, shared with every container on the engine (the legacy behaviour).</summary>
    Bridge,
}
