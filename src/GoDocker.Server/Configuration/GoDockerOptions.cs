using GoDocker.Executors.Docker;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Usage;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Configuration;

/// <summary>
/// Everything a site configures, bound from (in order, later wins): built-in defaults, the configuration
/// file, GODOCKER_* environment variables (GODOCKER_Server__Listen), command-line flags.
/// The commented sample is config/godocker.sample.jsonc.
/// </summary>
public sealed class GoDockerOptions
{
    public ServerOptions Server { get; set; } = new();
    public JobOptions Jobs { get; set; } = new();
    public SchedulerOptions Scheduler { get; set; } = new();
    public ExecutorOptions Executor { get; set; } = new();
    public ClusterOptions Cluster { get; set; } = new();
    public ImageOptions Images { get; set; } = new();
    public AccessOptions Access { get; set; } = new();
    /// <summary>The volumes jobs may mount, by name (the volume ACL).</summary>
    public List<VolumeOptions> Volumes { get; set; } = [];
    public QuotaOptions Quotas { get; set; } = new();
    /// <summary>The Docker engines jobs run on; empty = the one of Executor:Docker, as node Executor:Docker:NodeName.</summary>
    public List<NodeSettings> Nodes { get; set; } = [];
    public StoreOptions Store { get; set; } = new();
    public UsageOptions Usage { get; set; } = new();
    public MetricsOptions Metrics { get; set; } = new();
    public MonitoringOptions Monitoring { get; set; } = new();
    public WebOptions Web { get; set; } = new();
    public JobDirectoriesOptions JobDirectories { get; set; } = new();
    public ExecOptions Exec { get; set; } = new();
    public NotificationOptions Notifications { get; set; } = new();
    public TesOptions Tes { get; set; } = new();
    public CompatOptions Compat { get; set; } = new();
}

/// <summary>Compat:, older APIs spoken for their clients.</summary>
public sealed class CompatOptions
{
    public GoDocker10Options GoDocker10 { get; set; } = new();
}

/// <summary>Compat:GoDocker10:, the original GoDocker 1.0 REST API under /api/1.0 (godjob, Galaxy's godocker runner).</summary>
public sealed class GoDocker10Options
{
    /// <summary>Off by default: it opens an anonymous GET /api/1.0/config (image and volume names) a site turns on knowingly.</summary>
    public bool Enabled { get; set; }
}

/// <summary>
/// JobDirectories:, retention of ended jobs' directories (durations after the job's end). Both off by default: what a job
/// wrote is its owner's result, and a server upgrade must never start deleting it; a site turns retention on knowingly.
/// </summary>
public sealed class JobDirectoriesOptions
{
    /// <summary>An ended job's directory is replaced by one tar.gz this long after the job's end (still listed and downloadable); off when unset.</summary>
    public TimeSpan? ArchiveAfter { get; set; }
    /// <summary>An ended job's directory (or its archive) is removed this long after the job's end; the job's record stays. Off when unset.</summary>
    public TimeSpan? RemoveAfter { get; set; }
    /// <summary>A directory larger than this (apparent sizes: a sparse file counts whole) is not archived; it stays until removed.</summary>
    public string MaxArchiveSize { get; set; } = "10G";
    /// <summary>How often the leader looks for directories due.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>At most this many directories archived or removed per check (the rest wait for the next one).</summary>
    public int BatchSize { get; set; } = 20;
    /// <summary>MaxArchiveSize as ConfigurationCheck parsed it at start (not configuration).</summary>
    internal long MaxArchiveBytes { get; set; } = 10L << 30;
}

/// <summary>Tes:, the GA4GH Task Execution Service API (/ga4gh/tes/v1).</summary>
public sealed class TesOptions
{
    /// <summary>service-info's id, reverse domain name notation; org.godocker.HOST of the first public URL when unset.</summary>
    public string? ServiceId { get; set; }

    /// <summary>service-info's organization; "GoDocker" and the first public URL when unset.</summary>
    public string? OrganizationName { get; set; }
    public string? OrganizationUrl { get; set; }

    /// <summary>All the inputs' content of one task together (each input of 128 KiB must fit, as the specification asks).</summary>
    public int MaxContentBytes { get; set; } = 512 * 1024;

    /// <summary>The node label a task's single zone (resources.zones) is a constraint on.</summary>
    public string ZoneLabel { get; set; } = "zone";
}

/// <summary>Exec:, commands run in running jobs (GET /jobs/{id}/exec, `godocker exec`).</summary>
public sealed class ExecOptions
{
    /// <summary>A session with no input and no output for this long is ended.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>No session lasts longer than this, busy or not.</summary>
    public TimeSpan MaxSession { get; set; } = TimeSpan.FromHours(12);
}

/// <summary>The web interface's live views (GET /jobs/events, /jobs/{id}/live).</summary>
public sealed class WebOptions
{
    /// <summary>How often a live view reads its page again; it sends only when what it read changed.</summary>
    public TimeSpan LiveInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Usage:, what an attempt's run is charged (fair share, quota windows).</summary>
public sealed class UsageOptions
{
    /// <summary>
    /// allocated: cpus × elapsed (as Slurm bills); measured: the cpu time measured in the container, allocated when nothing
    /// was measured. Memory and gpus are charged as allocated either way.
    /// </summary>
    public ChargeBasis Charge { get; set; } = ChargeBasis.Allocated;
}

/// <summary>GET /metrics (docs/monitoring.md).</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// The SHA-256 (64 hex digits) of the bearer token Prometheus scrapes with (`printf %s "$token" | sha256sum`): then only
    /// that token reads /metrics. None: only administrators do (with their API token; everyone when Auth:Provider is none).
    /// </summary>
    public string? TokenSha256 { get; set; }
}

/// <summary>Live resource sampling of running jobs (the leader's UsageSampler).</summary>
public sealed class MonitoringOptions
{
    /// <summary>How often each running job's container is sampled: a duration (5s, 00:00:05, 1m); 0 or off: never.</summary>
    public string SampleInterval { get; set; } = "5s";
    /// <summary>Points kept per attempt; a longer series merges adjacent points in pairs.</summary>
    public int MaxPoints { get; set; } = GoDocker.Usage.UsageSeries.DefaultCapacity;
    /// <summary>Containers sampled at once (each is one engine request).</summary>
    public int MaxConcurrentSamples { get; set; } = 8;

    /// <summary>The parsed <see cref="SampleInterval"/> (set by the configuration check); null: sampling is off.</summary>
    internal TimeSpan? Interval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Where jobs, accounts and node drains are kept.</summary>
public sealed class StoreOptions
{
    /// <summary>sqlite: a file in Server:DataDir, for one server; postgres: the database of <see cref="ConnectionString"/>, which several servers can share.</summary>
    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;
    /// <summary>The PostgreSQL to use (Npgsql form: Host=…;Port=…;Database=…;Username=…;Password=…): a secret, never logged.</summary>
    public string? ConnectionString { get; set; }
}

public enum StoreProvider
{
    Sqlite,
    Postgres,
}

public sealed class VolumeOptions
{
    public string Name { get; set; } = "";
    /// <summary>Host path template: {user}, {home}, {project}.</summary>
    public string HostPath { get; set; } = "";
    /// <summary>Where it appears in the container (same templates); the host path when empty.</summary>
    public string? ContainerPath { get; set; }
    /// <summary>ro or rw: the widest mode a job may get (any other word is refused at start).</summary>
    public VolumeMode Mode { get; set; } = VolumeMode.Rw;
    /// <summary>The resolved host path must stay inside this folder (symlinks and '..' resolved first).</summary>
    public string AllowedRoot { get; set; } = "";
    public GrantOptions Who { get; set; } = new() { Everyone = true };
    public List<string> Projects { get; set; } = [];

    public GoDocker.Access.VolumeRule ToRule() => new()
    {
        Name = Name,
        HostPath = HostPath,
        ContainerPath = string.IsNullOrEmpty(ContainerPath) ? null : ContainerPath,
        ReadOnly = Mode != VolumeMode.Rw,
        AllowedRoot = AllowedRoot,
        Who = Who.ToGrant(),
        Projects = Projects,
    };
}

public sealed class AccessOptions
{
    /// <summary>Project managers may kill (not only see) their project's jobs.</summary>
    public bool ManagersControlProjectJobs { get; set; } = true;
}

public sealed class ImageOptions
{
    /// <summary>
    /// Image patterns anyone may run ('*', '?'); the default image is always allowed. <see cref="DefaultAllowed"/> applies
    /// only when Images:Allowed is not configured at all (ConfigurationCheck): the binder would add configured patterns
    /// to a non-empty default instead of replacing it.
    /// </summary>
    public List<string> Allowed { get; set; } = [];
    /// <summary>Who may run any image of their own.</summary>
    public GrantOptions AnyImage { get; set; } = new();

    public static IReadOnlyList<string> DefaultAllowed { get; } = ["godocker/*"];
}

/// <summary>Users, groups, or everyone.</summary>
public sealed class GrantOptions
{
    public bool Everyone { get; set; }
    public List<string> Users { get; set; } = [];
    public List<string> Groups { get; set; } = [];

    public GoDocker.Access.Grant ToGrant() => new() { Everyone = Everyone, Users = Users, Groups = Groups };
}

public sealed class RootOptions
{
    /// <summary>Who may ask for root inside their container (`root: true`); nobody by default.</summary>
    public GrantOptions Granted { get; set; } = new();
    /// <summary>Capabilities given back to root jobs (all are dropped otherwise), e.g. CHOWN, DAC_OVERRIDE.</summary>
    public List<string> Capabilities { get; set; } = [];
}

public sealed class ServerOptions
{
    public string Listen { get; set; } = "http://127.0.0.1:8080";
    public string DataDir { get; set; } = "/var/lib/godocker";
    /// <summary>Requests with a larger body are refused with 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1L << 20;
    /// <summary>Until authentication is configured, every request acts as this user.</summary>
    public string LocalUser { get; set; } = Environment.UserName;
    /// <summary>Where job directories live (empty: &lt;DataDir&gt;/jobs): a filesystem apart from the database, so a job filling it cannot stop the record.</summary>
    public string? JobsDir { get; set; }
    /// <summary>
    /// The URLs clients and browsers use to reach this server when not its Listen address (a DNS name, a proxy):
    /// requests with another Host name are refused (DNS rebinding), state-changing ones from another Origin too.
    /// </summary>
    public List<string> PublicUrls { get; set; } = [];
    /// <summary>No job launches while the job directories' filesystem has less free: a size (2G) or a share of it (5%).</summary>
    public string MinFreeSpace { get; set; } = "2G";
    /// <summary>The built web interface (index.html, assets/) served at /; empty: the ui folder beside the server's binary.</summary>
    public string? WebRoot { get; set; }
}

public sealed class JobOptions
{
    public string DefaultImage { get; set; } = "godocker/debian:bookworm";
    public double DefaultCpus { get; set; } = 1;
    public string DefaultMemory { get; set; } = "1G";
    /// <summary>Applied to jobs that give none; empty = unlimited.</summary>
    public string? DefaultWalltime { get; set; }
    public string? MaxWalltime { get; set; }
    /// <summary>Between SIGTERM and SIGKILL when a job is killed.</summary>
    public TimeSpan KillGracePeriod { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// A job that says nothing (requeue in its spec, submit --requeue / --no-requeue) is run again from the start when its
    /// node goes down (true, as Slurm's JobRequeue=1), or failed (false).
    /// </summary>
    public bool Requeue { get; set; } = true;
    public RootOptions Root { get; set; } = new();
    /// <summary>A user with this many pending jobs gets 429 on the next submit.</summary>
    public int MaxPendingPerUser { get; set; } = 10_000;
    /// <summary>
    /// How many interactive jobs (godocker run -it) a user may have at once, pending or running: a terminal session
    /// holds its resources while its user reads and types, so they get a quota of their own. 0: none allowed.
    /// </summary>
    public int MaxInteractivePerUser { get; set; } = 2;
    /// <summary>A running job whose directory grows past this size is stopped (Failed, "job directory exceeds 10 GiB").</summary>
    public string MaxJobDirectorySize { get; set; } = "10G";
    /// <summary>How often running jobs' directories are measured against MaxJobDirectorySize.</summary>
    public TimeSpan JobDirectoryCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>readonly (the default: jobs write only to their job directory, volumes and size-limited tmpfs) or writable.</summary>
    public string RootFilesystem { get; set; } = "readonly";
    /// <summary>Size of the tmpfs at /tmp and at /var/tmp of a read-only root filesystem (it counts against the job's memory).</summary>
    public string TmpSize { get; set; } = "1G";
    /// <summary>
    /// A job asking for a whole number of cpus (1, 2, …) on a Docker node is pinned to that many cpus of the node of its
    /// own (a cpu set: nproc and thread pools see what it asked for), besides its quota; fractional requests keep the
    /// quota only. Swarm services have no cpu set: quota only whatever this says.
    /// </summary>
    public bool CpuSets { get; set; } = true;
    /// <summary>With RootFilesystem writable: the engine's quota on the container's layer (overlay2 on xfs with pquota only); none when empty.</summary>
    public string? WritableLayerSize { get; set; }
    /// <summary>DefaultMemory, DefaultWalltime, MaxWalltime and MaxJobDirectorySize as ConfigurationCheck parsed them at start (not configuration).</summary>
    internal ParsedJobOptions Parsed { get; set; } = ParsedJobOptions.Default;
}

/// <summary>The text settings of Jobs, parsed once at start.</summary>
internal sealed record ParsedJobOptions(long DefaultMemoryBytes, TimeSpan? DefaultWalltime, TimeSpan? MaxWalltime)
{
    public static readonly ParsedJobOptions Default = new(1L << 30, null, null);

    public long MaxJobDirectoryBytes { get; init; } = 10L << 30;
}

public sealed class SchedulerOptions
{
    /// <summary>Queue order policy by name: fifo or fairshare.</summary>
    public QueuePolicy Policy { get; set; } = QueuePolicy.Fifo;
    /// <summary>Node choice among those that fit, by name: spread (least loaded) or pack (fullest first).</summary>
    public PlacementPolicy Placement { get; set; } = PlacementPolicy.Spread;
    /// <summary>Start later jobs around the reservations of waiting ones (never delaying them), or block at the first that waits.</summary>
    public bool Backfill { get; set; } = true;
    /// <summary>Waiting jobs that get a reservation, and so an expected start time, per cycle.</summary>
    public int Reservations { get; set; } = 50;
    /// <summary>Walltime assumed for jobs that set none, for backfill and expected starts (it does not stop them).</summary>
    public TimeSpan DefaultWalltime { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Cpus placed per real cpu of a node (1 = no oversubscription). Memory is never oversubscribed.</summary>
    public double CpuOvercommit { get; set; } = 1;
    public FairShareSettings FairShare { get; set; } = new();
    /// <summary>A cycle runs on every submit and job end, and at least this often.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>At least this long from the start of one cycle to the start of the next (bursts of submits coalesce).</summary>
    public TimeSpan MinGap { get; set; } = TimeSpan.FromMilliseconds(50);
    /// <summary>
    /// How often the leader's pending index is read whole again (a safety net: between rebuilds each cycle reads only the
    /// jobs changed since the last one). Zero reads it whole every cycle.
    /// </summary>
    public TimeSpan IndexRebuildInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Scheduler:FairShare, the multifactor priority (see FairShareOrder).</summary>
public sealed class FairShareSettings
{
    public double WeightAge { get; set; } = 1000;
    public double WeightFairShareUser { get; set; } = 5000;
    public double WeightFairShareProject { get; set; } = 5000;
    public double WeightJobSize { get; set; }
    public double WeightUser { get; set; } = 1000;
    public double WeightProject { get; set; } = 1000;
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan HalfLife { get; set; } = TimeSpan.FromDays(7);
    public bool FavorSmall { get; set; }
    /// <summary>Usage billed per cpu-second, per GiB-second of memory, per gpu-second.</summary>
    public double BillingCpu { get; set; } = 1;
    public double BillingMemoryGib { get; set; } = 0.25;
    public double BillingGpu { get; set; } = 10;
    /// <summary>Shares of a user or project that has none set.</summary>
    public double DefaultShares { get; set; } = 1;

    public FairShareOptions ToOptions() => new()
    {
        Weights = new PriorityWeights
        {
            Age = WeightAge,
            FairShareUser = WeightFairShareUser,
            FairShareProject = WeightFairShareProject,
            JobSize = WeightJobSize,
            User = WeightUser,
            Project = WeightProject,
        },
        MaxAge = MaxAge,
        HalfLife = HalfLife,
        FavorSmall = FavorSmall,
        Billing = new UsageBilling { Cpu = BillingCpu, MemoryGib = BillingMemoryGib, Gpu = BillingGpu },
    };
}

/// <summary>Quotas: defaults for every user and every project (admins set per-account ones with `godocker quota`).</summary>
public sealed class QuotaOptions
{
    public QuotaSettings User { get; set; } = new();
    public QuotaSettings Project { get; set; } = new();
    /// <summary>The rolling window of the cpu-hours quota.</summary>
    public TimeSpan CpuHoursWindow { get; set; } = TimeSpan.FromDays(30);
    /// <summary>A submit over a cpu-hours quota: "reject" it, or "hold" it pending until usage decays out of the window.</summary>
    public OverQuotaAction OverCpuHours { get; set; } = OverQuotaAction.Reject;
}

public sealed class QuotaSettings
{
    public int? MaxRunningJobs { get; set; }
    public double? MaxCpus { get; set; }
    /// <summary>Memory with unit (64G).</summary>
    public string? MaxMemory { get; set; }
    public int? MaxGpus { get; set; }
    public double? MaxCpuHours { get; set; }
    public int? MaxPendingJobs { get; set; }

    public Quota ToQuota() => new()
    {
        MaxRunningJobs = MaxRunningJobs,
        MaxCpus = MaxCpus,
        MaxMemoryBytes = MaxMemory is null ? null : ByteSize.TryParse(MaxMemory, out var bytes) ? bytes
            : throw new OptionsValidationException("Quotas", typeof(QuotaSettings), [$"'{MaxMemory}' is not a memory size"]),
        MaxGpus = MaxGpus,
        MaxCpuHours = MaxCpuHours,
        MaxPendingJobs = MaxPendingJobs,
    };
}

/// <summary>One node: a Docker engine jobs run on (Nodes: [...]; without it, the local engine of Executor:Docker alone).</summary>
public sealed class NodeSettings
{
    public string Name { get; set; } = "";
    /// <summary>The engine's address: unix:///path/docker.sock, or tcp://host:2376 with <see cref="TlsCertPath"/>.</summary>
    public string Endpoint { get; set; } = "";
    /// <summary>For a tcp:// endpoint: a folder with ca.pem, cert.pem, key.pem (mutual TLS); Executor:Docker:TlsCertPath when absent.</summary>
    public string? TlsCertPath { get; set; }
    /// <summary>Capacity offered to jobs; the engine's own figures when absent.</summary>
    public double? Cpus { get; set; }
    public string? Memory { get; set; }
    public int Gpus { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
}

/// <summary>Several servers on one database: the leader lease.</summary>
public sealed class ClusterOptions
{
    /// <summary>
    /// The leader lease's time to live: renewed every third of it; a leader that stops renewing (killed, paused, cut
    /// off) is replaced within it plus a second. Shorter: faster failover, more database writes.
    /// </summary>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(6);
}

public sealed class ExecutorOptions
{
    /// <summary>Executor by name: docker (each node a Docker engine), swarm (the nodes of a Docker Swarm, through a manager).</summary>
    public ExecutorType Type { get; set; } = ExecutorType.Docker;
    /// <summary>Containers created and started at once.</summary>
    public int MaxConcurrentLaunches { get; set; } = 8;
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>
    /// A node whose engine has not answered this long is down (Slurm's SlurmdTimeout, 300 s): its running jobs are
    /// requeued or failed as each allows (Jobs:Requeue), its placements return to the queue.
    /// </summary>
    public TimeSpan NodeDownAfter { get; set; } = TimeSpan.FromMinutes(5);
    public DockerSettings Docker { get; set; } = new();
}

public sealed class DockerSettings
{
    public string Endpoint { get; set; } = "unix:///var/run/docker.sock";
    /// <summary>
    /// A folder with ca.pem (the site CA engines' certificates are checked against), cert.pem and key.pem (this server's
    /// client certificate), as Docker's DOCKER_CERT_PATH: required for tcp:// endpoints, the default of every node's.
    /// </summary>
    public string? TlsCertPath { get; set; }
    /// <summary>
    /// Plain tcp:// (no TLS) is refused: whoever reaches such a port is root on that node. A site that has
    /// another protection (a private link, an SSH tunnel) says so here.
    /// </summary>
    public bool AllowPlainTcp { get; set; }
    public string NodeName { get; set; } = "local";
    public double? Cpus { get; set; }
    public string? Memory { get; set; }
    public long PidsLimit { get; set; } = 4096;
    /// <summary>godocker (a managed network: no traffic between jobs, none to the host), none, or bridge (Docker's shared bridge, legacy).</summary>
    public string Network { get; set; } = "godocker";

    public DockerExecutorOptions ToExecutorOptions(string instanceId, long? memoryBytes, IReadOnlyList<string> rootCapabilities) => new()
    {
        RootCapabilities = rootCapabilities,
        Endpoint = Endpoint,
        NodeName = NodeName,
        Cpus = Cpus,
        MemoryBytes = memoryBytes,
        PidsLimit = PidsLimit,
        InstanceId = instanceId,
        HostPortsOpen = HostPortsOpen,
    };

    /// <summary>Host ports (tcp and udp) jobs on the godocker network may still reach on the host (e.g. a site proxy).</summary>
    public List<int> HostPortsOpen { get; set; } = [];
}

// Closed sets of settings: the configuration names a member in any case ("fifo", "FairShare"); ConfigurationCheck
// refuses any other word (and numbers, which the binder would take) naming the key and the allowed values.

/// <summary>Scheduler:Policy.</summary>
public enum QueuePolicy
{
    Fifo,
    FairShare,
}

/// <summary>Scheduler:Placement.</summary>
public enum PlacementPolicy
{
    Spread,
    Pack,
}

/// <summary>Quotas:OverCpuHours: what a submit over a cpu-hours quota gets.</summary>
public enum OverQuotaAction
{
    Reject,
    Hold,
}

/// <summary>Executor:Type.</summary>
public enum ExecutorType
{
    Docker,
    /// <summary>A Docker Swarm through a manager (Executor:Docker:Endpoint): the swarm's nodes are GoDocker's nodes.</summary>
    Swarm,
}

/// <summary>Volumes[i]:Mode: the widest mode a job may get.</summary>
public enum VolumeMode
{
    Rw,
    Ro,
}
