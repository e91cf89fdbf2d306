namespace GoDocker.Executors.Docker;

/// <summary>How the Docker executor reaches its engine and shapes each job's container.</summary>
public sealed record DockerExecutorOptions
{
    /// <summary>unix:///var/run/docker.sock, or tcp://host:2375.</summary>
    public string Endpoint { get; init; } = "unix:///var/run/docker.sock";
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
    /// <summary>Docker network mode for jobs: bridge, none, host is refused.</summary>
    public string Network { get; init; } = "bridge";
    /// <summary>Where the job directory appears inside the container.</summary>
    public string JobMountPath { get; init; } = "/godocker/job";
    /// <summary>Labels this instance's containers; another GoDocker on the same engine leaves them alone.</summary>
    public string InstanceId { get; init; } = "default";
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Capabilities added back for jobs granted root (every other job has none).</summary>
    public IReadOnlyList<string> RootCapabilities { get; init; } = [];
}
