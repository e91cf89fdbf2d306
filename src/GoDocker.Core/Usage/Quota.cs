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
public sealed record Holding(int Jobs, Resources Held)
{
    public static readonly Holding None = new(0, Resources.None);

    public Holding Plus(Resources request) => new(Jobs + 1, Held + request);

    /// <summary>Why adding the request would exceed <paramref name="quota"/> ("4/4 jobs running"), or null when it fits.</summary>
    public string? Exceeds(Quota quota, Resources request)
    {
        if (quota.MaxRunningJobs is { } jobs && Jobs + 1 > jobs)
        {
            return $"{Jobs}/{jobs} jobs running";
        }
        // Each limit alone, by the one capacity rule: an unset limit is no limit.
        var after = Held + request;
        if (quota.MaxCpus is { } maxCpus && !new Resources(after.Cpus, 0, 0).FitsWithin(new Resources(maxCpus, 0, 0)))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Held.Cpus:0.###}/{maxCpus:0.###} cpus running, this job asks {request.Cpus:0.###}");
        }
        if (quota.MaxMemoryBytes is { } maxMemory && !new Resources(0, after.MemoryBytes, 0).FitsWithin(new Resources(0, maxMemory, 0)))
        {
            return $"{ByteSize.Format(Held.MemoryBytes)}/{ByteSize.Format(maxMemory)} memory running, this job asks {ByteSize.Format(request.MemoryBytes)}";
        }
        if (quota.MaxGpus is { } maxGpus && !new Resources(0, 0, after.Gpus).FitsWithin(new Resources(0, 0, maxGpus)))
        {
            return $"{Held.Gpus}/{maxGpus} gpus running, this job asks {request.Gpus}";
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
