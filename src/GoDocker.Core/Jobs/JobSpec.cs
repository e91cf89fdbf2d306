using System.Text.Json.Serialization;

namespace GoDocker.Jobs;

/// <summary>
/// What a user asked for, as submitted (v1). Exactly one of <see cref="Script"/> or <see cref="Command"/>.
/// Units are the user's: see <see cref="ByteSize"/> and <see cref="Walltime"/> for the accepted forms.
/// Unknown fields are refused, so a typo ("cpu" for "cpus") is an error, not a silent default.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record JobSpec
{
    public string? Name { get; init; }
    /// <summary>Shell text; written to the job directory and run from there (a #! line picks the interpreter).</summary>
    public string? Script { get; init; }
    /// <summary>An argv, run as is (needs /bin/sh in the image for output redirection).</summary>
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary>Image reference; the site default when absent.</summary>
    public string? Image { get; init; }
    /// <summary>Fractional cpus; the site default when absent.</summary>
    public double? Cpus { get; init; }
    /// <summary>Memory with unit (512M, 2G, 1.5GiB); a bare number is MiB, as in Slurm's --mem.</summary>
    public string? Memory { get; init; }
    public IReadOnlyDictionary<string, string>? Env { get; init; }
    /// <summary>Working directory inside the container; the job directory when absent.</summary>
    public string? Workdir { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public string? Project { get; init; }
    /// <summary>Max lifespan: minutes, MM:SS, HH:MM:SS, D-HH:MM:SS, or 90s / 15m / 2h / 1d.</summary>
    public string? Walltime { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    /// <summary>Run as root inside the container (only where the site grants it; every mounted volume is then read-only).</summary>
    public bool? Root { get; init; }
    /// <summary>Site volumes to mount, by name, with an optional mode: "home", "data:ro".</summary>
    public IReadOnlyList<string>? Volumes { get; init; }
    public int? Gpus { get; init; }
    /// <summary>Node label conditions, all required: "disk==ssd", "zone!=b".</summary>
    public IReadOnlyList<string>? Constraints { get; init; }
    /// <summary>A job array, as Slurm's --array: "1-100:2%10". Each task is a job; GODOCKER_TASK_ID holds its index.</summary>
    public string? Array { get; init; }
    /// <summary>As Slurm's --dependency: "afterok:12:13,afterany:20" (all must hold).</summary>
    public string? Dependency { get; init; }
    /// <summary>Submit held: the job waits until released.</summary>
    public bool? Hold { get; init; }
    /// <summary>"default" (the site's jobs network) or "none" (loopback only).</summary>
    public string? Network { get; init; }
    /// <summary>
    /// As Slurm's --requeue / --no-requeue: when the node running the job goes down, run it again from the start
    /// (true) or fail it (false). The site's Jobs:Requeue when absent.
    /// </summary>
    public bool? Requeue { get; init; }
    /// <summary>As Slurm's --mail-type: "END,FAIL" (BEGIN, END, FAIL, REQUEUE, ALL, NONE); the site's Notifications:DefaultMailType when absent.</summary>
    public string? MailType { get; init; }
    /// <summary>As Slurm's --mail-user: who gets the mails; the owner's address from their account when absent.</summary>
    public string? MailUser { get; init; }
    /// <summary>
    /// An interactive job (`godocker run -it`, as `srun --pty`): its command runs in a terminal whose input and output
    /// are the session a client attaches to (GET /jobs/{id}/attach), not the job directory's stdout and stderr. Without
    /// a script or a command it runs the image's own command (its shell). Never an array; counted against the site's
    /// Jobs:MaxInteractivePerUser.
    /// </summary>
    public bool? Interactive { get; init; }
    /// <summary>
    /// As sbatch's --output: the file in the container the job's stdout is appended to instead of the job directory's,
    /// inside a volume the job mounts read-write; %j, %x, %u, %A, %a, %% as Slurm's (<see cref="OutputPath"/>).
    /// </summary>
    public string? Stdout { get; init; }
    /// <summary>As sbatch's --error: the same for stderr; it may name the same file as <see cref="Stdout"/> to join them.</summary>
    public string? Stderr { get; init; }

    /// <summary>
    /// The GA4GH TES task this job runs (its runner is <see cref="Script"/>): set only by the TES API's submission, never
    /// on the REST wire, so no REST job passes for a task.
    /// </summary>
    [JsonIgnore]
    public GoDocker.Tes.TesTaskSpec? Tes { get; init; }
}

/// <summary>A spec after validation: defaults applied, units resolved. This is what the store keeps and the executor runs.</summary>
public sealed record ResolvedJobSpec
{
    public required string Name { get; init; }
    public string? Script { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public required string Image { get; init; }
    public required double Cpus { get; init; }
    public required long MemoryBytes { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public string? Workdir { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public required string Project { get; init; }
    public long? WalltimeSeconds { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public bool Root { get; init; }
    /// <summary>Volumes as the site's ACL resolved them at submit.</summary>
    public IReadOnlyList<GoDocker.Access.Mount> Mounts { get; init; } = [];
    /// <summary>Who the job runs as (its owner's identity, fixed at submit); null only for jobs stored before identities existed.</summary>
    public GoDocker.Access.UserIdentity? RunAs { get; init; }
    public int Gpus { get; init; }
    /// <summary>Cpus, memory and gpus as one value; not on the wire, where they stay the three fields above.</summary>
    [JsonIgnore]
    public Resources Resources => new(Cpus, MemoryBytes, Gpus);
    public IReadOnlyList<GoDocker.Scheduling.Constraint> Constraints { get; init; } = [];
    public IReadOnlyList<Dependency> Dependencies { get; init; } = [];
    /// <summary>This job's place in its array (null: not an array task).</summary>
    public ArrayTask? Task { get; init; }
    /// <summary>The job asked for no network: loopback only.</summary>
    public bool NoNetwork { get; init; }
    /// <summary>
    /// Run again from the start when its node goes down (else failed). Resolved at submit from the job's or the site's
    /// choice; a job stored before the choice existed reads as true, Slurm's default (JobRequeue=1).
    /// </summary>
    public bool Requeue { get; init; } = true;
    /// <summary>Which of the job's moments are mailed (<see cref="GoDocker.Notifications.JobNotices"/>).</summary>
    public GoDocker.Notifications.MailTypes MailTypes { get; init; }
    /// <summary>Who gets them: the --mail-user asked for, else the owner's address, fixed at submit; null: nobody.</summary>
    public string? MailUser { get; init; }
    /// <summary>Runs in a terminal clients attach to (<see cref="JobSpec.Interactive"/>).</summary>
    public bool Interactive { get; init; }
    /// <summary>The stdout path pattern asked for (<see cref="JobSpec.Stdout"/>), expanded at launch; null: the job directory's file.</summary>
    public string? Stdout { get; init; }
    /// <summary>The stderr path pattern asked for (<see cref="JobSpec.Stderr"/>); null: the job directory's file.</summary>
    public string? Stderr { get; init; }
    /// <summary>The TES task this job is (<see cref="JobSpec.Tes"/>); null for every other job.</summary>
    public GoDocker.Tes.TesTaskSpec? Tes { get; init; }
    /// <summary>
    /// Container paths each given an empty directory of the job's own, read-write (under its job directory, so measured
    /// and kept as its files): where a TES task's files land on a read-only root filesystem.
    /// </summary>
    public IReadOnlyList<string> Scratch { get; init; } = [];
}

/// <summary>A task of a job array: its index, the array's first, last and step (GODOCKER_TASK_*), and %N.</summary>
public sealed record ArrayTask(int Id, int First, int Last, int Step, int? MaxRunning)
{
    /// <summary>How many tasks the array has (GODOCKER_TASK_COUNT).</summary>
    public int Count { get; init; }
}
