namespace GoDocker.Contracts;

/// <summary>A pending job's priority and its factors, as Slurm's sprio shows them (GET /jobs/{id}/priority).</summary>
public sealed record PriorityView(long JobId, string Policy, double Priority, int Position, int Pending, IReadOnlyList<PriorityFactorView> Factors)
{
    public DateTimeOffset? ExpectedStart { get; init; }
    public string? Reason { get; init; }
}

/// <summary>One factor: its value in [0, 1], its weight, and what it adds to the priority.</summary>
public sealed record PriorityFactorView(string Name, double Value, double Weight, double Contribution);

/// <summary>
/// A user's or project's fair-share standing and limits (Slurm's association): shares, priority, quotas.
/// PUT replaces every field; an absent (null) limit is "none", an absent shares/priority the default.
/// </summary>
public sealed record AccountLimitsView
{
    public string? Kind { get; init; }
    public string? Name { get; init; }
    public double? Shares { get; init; }
    public int? Priority { get; init; }
    public int? MaxRunningJobs { get; init; }
    public double? MaxCpus { get; init; }
    /// <summary>Memory with unit (64G) in requests; as bytes in <see cref="MaxMemoryBytes"/> in answers.</summary>
    public string? MaxMemory { get; init; }
    public long? MaxMemoryBytes { get; init; }
    public int? MaxGpus { get; init; }
    public double? MaxCpuHours { get; init; }
    public int? MaxPendingJobs { get; init; }

    /// <summary>The view of what is set for an account (shares and priority null where only a quota is shown).</summary>
    public static AccountLimitsView From(GoDocker.Usage.AccountKind kind, string name, double? shares, int? priority, GoDocker.Usage.Quota quota) => new()
    {
        Kind = GoDocker.Usage.AccountKinds.Name(kind),
        Name = name,
        Shares = shares,
        Priority = priority,
        MaxRunningJobs = quota.MaxRunningJobs,
        MaxCpus = quota.MaxCpus,
        MaxMemoryBytes = quota.MaxMemoryBytes,
        MaxMemory = quota.MaxMemoryBytes is { } bytes ? GoDocker.Jobs.ByteSize.Format(bytes) : null,
        MaxGpus = quota.MaxGpus,
        MaxCpuHours = quota.MaxCpuHours,
        MaxPendingJobs = quota.MaxPendingJobs,
    };
}

/// <summary>What a user or project consumed and holds (GET /usage): decayed usage for fair share, the quota window, now.</summary>
public sealed record AccountUsageView
{
    public required string Kind { get; init; }
    public required string Name { get; init; }
    public double Shares { get; init; }
    public int Priority { get; init; }
    /// <summary>Cpu-hours decayed by the half-life (what fair share weighs, finished jobs only).</summary>
    public double DecayedCpuHours { get; init; }
    public double DecayedMemoryGibHours { get; init; }
    public double DecayedGpuHours { get; init; }
    /// <summary>Cpu-hours of jobs that ended in the quota window, plus running jobs so far.</summary>
    public double WindowCpuHours { get; init; }
    public double WindowDays { get; init; }
    public int RunningJobs { get; init; }
    public double RunningCpus { get; init; }
    public long RunningMemoryBytes { get; init; }
    public int RunningGpus { get; init; }
    public int PendingJobs { get; init; }
    /// <summary>The quota in force (defaults merged with the account's own).</summary>
    public AccountLimitsView? Quota { get; init; }
    /// <summary>A user's kept job directories (as they are on disk, archived or not); null for projects.</summary>
    public KeptDirectoriesView? JobDirectories { get; init; }
}

/// <summary>Job directories kept on disk: as the jobs left them (present) and archived by retention, with what each holds.</summary>
public sealed record KeptDirectoriesView
{
    public int Present { get; init; }
    public long PresentBytes { get; init; }
    public int Archived { get; init; }
    public long ArchivedBytes { get; init; }
}

/// <summary>An administrator's priority adjustment for one job (POST /jobs/{id}/priority).</summary>
public sealed record PriorityRequest(int Adjustment);

/// <summary>An array's tasks by state (GET /arrays/{id}).</summary>
public sealed record ArrayView(long ArrayId, string Name, string Owner, int Tasks, IReadOnlyDictionary<string, int> ByState, IReadOnlyList<JobView> Items);
