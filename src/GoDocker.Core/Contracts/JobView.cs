using GoDocker.Jobs;

namespace GoDocker.Contracts;

/// <summary>A job as the REST API shows it (v1).</summary>
public sealed record JobView
{
    public required long Id { get; init; }
    public required string Name { get; init; }
    public required string Owner { get; init; }
    public required string Project { get; init; }
    public required JobState State { get; init; }
    public string? Reason { get; init; }
    public required string Image { get; init; }
    public required double Cpus { get; init; }
    public required long MemoryBytes { get; init; }
    public long? WalltimeSeconds { get; init; }
    public string? Script { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public IReadOnlyDictionary<string, string>? Env { get; init; }
    public string? Workdir { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public string? Node { get; init; }
    public int Attempt { get; init; }
    public int? ExitCode { get; init; }
    /// <summary>Why the job ended, as a closed value (Exited, OutOfMemory, StopRequested, RestartedOutside, EngineRestart…); the reason is its sentence.</summary>
    public GoDocker.Execution.EndCause? EndCause { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? ScheduledAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    /// <summary>A stop asked for and not yet applied.</summary>
    public string? StopRequested { get; init; }
    public int Gpus { get; init; }
    public IReadOnlyList<string>? Constraints { get; init; }
    public string? Dependency { get; init; }
    /// <summary>Held by "user" or "admin" until released.</summary>
    public string? HeldBy { get; init; }
    public int PriorityAdjustment { get; init; }
    /// <summary>For an array task: the array's id and this task's index.</summary>
    public long? ArrayId { get; init; }
    public int? TaskId { get; init; }
    /// <summary>For a pending job the scheduler has reserved resources for: when it is expected to start.</summary>
    public DateTimeOffset? ExpectedStart { get; init; }
    /// <summary>Run again from the start when its node goes down (else failed); a server that does not say means true.</summary>
    public bool Requeue { get; init; } = true;
    /// <summary>Runs in a terminal that clients attach to (godocker attach, GET /jobs/{id}/attach).</summary>
    public bool Interactive { get; init; }
    /// <summary>
    /// Where the job's stdout goes when it named a file (--stdout, as sbatch's --output), its patterns expanded as the job
    /// opens it; absent: the job directory's stdout (GET /jobs/{id}/stdout). As Slurm's StdOut in scontrol show job.
    /// </summary>
    public string? Stdout { get; init; }
    /// <summary>The same for stderr (--stderr).</summary>
    public string? Stderr { get; init; }
    /// <summary>Which moments of the job are mailed, as Slurm spells them ("END,FAIL"); absent when none are; only on GET /jobs/{id}.</summary>
    public string? MailType { get; init; }
    /// <summary>Who gets those mails, fixed at submit; only on GET /jobs/{id}.</summary>
    public string? MailUser { get; init; }
    /// <summary>The job directory: present, archived (one tar.gz, still listed and downloadable) or removed; only on GET /jobs/{id}.</summary>
    public string? Directory { get; init; }
    /// <summary>The timeline; only on GET /jobs/{id}.</summary>
    public IReadOnlyList<JobEvent>? Events { get; init; }

    public static JobView From(Job job, IReadOnlyList<JobEvent>? events = null, bool withDetails = false) => new()
    {
        Id = job.Id,
        Name = job.Spec.Name,
        Owner = job.Owner,
        Project = job.Spec.Project,
        State = job.State,
        Reason = job.Reason,
        Image = job.Spec.Image,
        Cpus = job.Spec.Cpus,
        MemoryBytes = job.Spec.MemoryBytes,
        WalltimeSeconds = job.Spec.WalltimeSeconds,
        Script = withDetails ? job.Spec.Script : null,
        Command = job.Spec.Command,
        Env = withDetails ? job.Spec.Env : null,
        Workdir = job.Spec.Workdir,
        Tags = job.Spec.Tags,
        Labels = withDetails ? job.Spec.Labels : null,
        Node = job.Node,
        Attempt = job.Attempt,
        ExitCode = job.ExitCode,
        EndCause = job.EndCause,
        SubmittedAt = job.SubmittedAt,
        ScheduledAt = job.ScheduledAt,
        StartedAt = job.StartedAt,
        EndedAt = job.EndedAt,
        StopRequested = job.StopRequested?.Reason,
        Gpus = job.Spec.Gpus,
        Constraints = job.Spec.Constraints.Count == 0 ? null : [.. job.Spec.Constraints.Select(c => c.ToString())],
        Dependency = job.Spec.Dependencies.Count == 0 ? null : string.Join(',', job.Spec.Dependencies),
        HeldBy = job.HeldBy,
        PriorityAdjustment = job.PriorityAdjustment,
        ArrayId = job.ArrayId,
        TaskId = job.Spec.Task?.Id,
        ExpectedStart = job.ExpectedStart,
        Requeue = job.Spec.Requeue,
        Interactive = job.Spec.Interactive,
        Stdout = OutputOf(job, job.Spec.Stdout),
        Stderr = OutputOf(job, job.Spec.Stderr),
        MailType = withDetails && job.Spec.MailTypes != GoDocker.Notifications.MailTypes.None ? GoDocker.Notifications.MailTypeList.Format(job.Spec.MailTypes) : null,
        MailUser = withDetails ? job.Spec.MailUser : null,
        Events = events,
    };

    /// <summary>The job's output path as its container opens it (null: the job directory's file).</summary>
    public static string? OutputOf(Job job, string? pattern) =>
        pattern is null ? null : OutputPath.Expand(pattern, job.Id, job.Spec.Name, job.Owner, job.ArrayId, job.Spec.Task?.Id);
}

public sealed record JobList(IReadOnlyList<JobView> Items, long Total, int Offset, int Limit);

/// <summary>One entry of a job directory listing.</summary>
public sealed record FileEntry(string Name, string Path, string Type, long Size, DateTimeOffset ModifiedAt);

public sealed record HealthView(string Status, string Version, IReadOnlyList<NodeHealth> Nodes)
{
    /// <summary>The servers sharing this server's database (one in embedded mode), the leader among them marked.</summary>
    public IReadOnlyList<ServerHealth> Servers { get; init; } = [];
    /// <summary>The id of the server that schedules and recovers now; null while none holds the lease.</summary>
    public string? Leader { get; init; }
    /// <summary>Why the server itself is degraded beyond its nodes ("disk full: the store cannot write …", too little free space for job directories); null when it is not.</summary>
    public string? Reason { get; init; }
}

/// <summary>A server: its id, where its API listens, since when, when it last said it was alive, whether it leads, whether it answered this request.</summary>
public sealed record ServerHealth(string Id, string Address, DateTimeOffset StartedAt, DateTimeOffset LastSeen, bool Leads, bool Answering);

public sealed record NodeHealth(string Name, string Executor, string Status, double Cpus, long MemoryBytes, string? Error)
{
    /// <summary>Since when it is down (Status "down"): unreachable past the site's Executor:NodeDownAfter.</summary>
    public DateTimeOffset? DownSince { get; init; }
}

/// <summary>RFC 9457 problem details, as the CLI reads them.</summary>
public sealed record Problem
{
    public string? Type { get; init; }
    public string? Title { get; init; }
    public int? Status { get; init; }
    public string? Detail { get; init; }
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }
}
