using System.Globalization;
using GoDocker.Jobs;

namespace GoDocker.Usage;

/// <summary>
/// Limits of a user or a project; null = no limit. Running limits keep jobs pending ("user quota: 4/4 jobs
/// running"); <see cref="MaxCpuHours"/> bounds cpu-hours used over the rolling window; <see cref="MaxPendingJobs"/>
/// is checked at submit.
/// </summary>
public sealed record Quota
{
    public static readonly Quota Unlimited = new();

    public int? MaxRunningJobs { get; init; }
    public double? MaxCpus { get; init; }
    public long? MaxMemoryBytes { get; init; }
    public int? MaxGpus { get; init; }
    public double? MaxCpuHours { get; init; }
    public int? MaxPendingJobs { get; init; }

    /// <summary>This quota's limits where set, <paramref name="fallback"/>'s elsewhere.</summary>
    public Quota Over(Quota fallback) => new()
    {
        MaxRunningJobs = MaxRunningJobs ?? fallback.MaxRunningJobs,
        MaxCpus = MaxCpus ?? fallback.MaxCpus,
        MaxMemoryBytes = MaxMemoryBytes ?? fallback.MaxMemoryBytes,
        MaxGpus = MaxGpus ?? fallback.MaxGpus,
        MaxCpuHours = MaxCpuHours ?? fallback.MaxCpuHours,
        MaxPendingJobs = MaxPendingJobs ?? fallback.MaxPendingJobs,
    };

    public bool IsUnlimited => this == Unlimited;
}

/// <summary>What a user or project holds now: the running side of quotas.</summary>
public sealed record Holding(int Jobs, double Cpus, long MemoryBytes, int Gpus)
{
    public static readonly Holding None = new(0, 0, 0, 0);

    public Holding Plus(double cpus, long memoryBytes, int gpus) => new(Jobs + 1, Cpus + cpus, MemoryBytes + memoryBytes, Gpus + gpus);

    /// <summary>Why adding the request would exceed <paramref name="quota"/> ("4/4 jobs running"), or null when it fits.</summary>
    public string? Exceeds(Quota quota, double cpus, long memoryBytes, int gpus)
    {
        const double epsilon = 1e-9;
        if (quota.MaxRunningJobs is { } jobs && Jobs + 1 > jobs)
        {
            return $"{Jobs}/{jobs} jobs running";
        }
        if (quota.MaxCpus is { } maxCpus && Cpus + cpus > maxCpus + epsilon)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Cpus:0.###}/{maxCpus:0.###} cpus running, this job asks {cpus:0.###}");
        }
        if (quota.MaxMemoryBytes is { } maxMemory && MemoryBytes + memoryBytes > maxMemory)
        {
            return $"{ByteSize.Format(MemoryBytes)}/{ByteSize.Format(maxMemory)} memory running, this job asks {ByteSize.Format(memoryBytes)}";
        }
        if (quota.MaxGpus is { } maxGpus && Gpus + gpus > maxGpus)
        {
            return $"{Gpus}/{maxGpus} gpus running, this job asks {gpus}";
        }
        return null;
    }
}

/// <summary>
/// Every quota in force: defaults for users and projects, per-account overrides, and the cpu-hours each has
/// used in the rolling window (finished jobs plus running ones so far).
/// </summary>
public sealed record QuotaBook
{
    public static readonly QuotaBook None = new();

    public Quota UserDefault { get; init; } = Quota.Unlimited;
    public Quota ProjectDefault { get; init; } = Quota.Unlimited;
    public IReadOnlyDictionary<string, Quota> Users { get; init; } = new Dictionary<string, Quota>();
    public IReadOnlyDictionary<string, Quota> Projects { get; init; } = new Dictionary<string, Quota>();
    public TimeSpan CpuHoursWindow { get; init; } = TimeSpan.FromDays(30);
    public IReadOnlyDictionary<string, double> UserCpuHours { get; init; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, double> ProjectCpuHours { get; init; } = new Dictionary<string, double>();

    public Quota ForUser(string login) => Users.TryGetValue(login, out var own) ? own.Over(UserDefault) : UserDefault;

    public Quota ForProject(string project) => Projects.TryGetValue(project, out var own) ? own.Over(ProjectDefault) : ProjectDefault;
}
