using GoDocker.Jobs;

namespace GoDocker.Cli.Submit;

/// <summary>
/// The job options one source gave: the command line, or a script's #GODOCKER lines.
/// Null or empty means "not given here", so sources can be laid over each other.
/// </summary>
internal sealed record SubmitFlags
{
    public string? Name { get; init; }
    public string? Image { get; init; }
    public double? Cpus { get; init; }
    public string? Memory { get; init; }
    public string? Workdir { get; init; }
    public string? Project { get; init; }
    public string? Walltime { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>Site volumes by name, "data" or "data:ro".</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = [];
    public int? Gpus { get; init; }
    public IReadOnlyList<string> Constraints { get; init; } = [];
    public string? Array { get; init; }
    public string? Dependency { get; init; }
    /// <summary>True when asked for here; null when not (a flag can add a hold, not take one away).</summary>
    public bool? Hold { get; init; }
    /// <summary>--requeue (true) or --no-requeue (false); null: the site's default.</summary>
    public bool? Requeue { get; init; }
    /// <summary>default or none.</summary>
    public string? Network { get; init; }
    /// <summary>As Slurm's --mail-type (BEGIN, END, FAIL, REQUEUE, ALL, NONE; comma-separated).</summary>
    public string? MailType { get; init; }
    public string? MailUser { get; init; }
    /// <summary>--stdout and --stderr: files in a volume, as sbatch's -o and -e.</summary>
    public string? Stdout { get; init; }
    public string? Stderr { get; init; }

    /// <summary>
    /// These flags laid over <paramref name="lower"/>: a value given here wins; env and labels merge key by key
    /// (here wins on the same key); tags and constraints are the union, in order, without repeats.
    /// </summary>
    public SubmitFlags Over(SubmitFlags lower) => new()
    {
        Name = Name ?? lower.Name,
        Image = Image ?? lower.Image,
        Cpus = Cpus ?? lower.Cpus,
        Memory = Memory ?? lower.Memory,
        Workdir = Workdir ?? lower.Workdir,
        Project = Project ?? lower.Project,
        Walltime = Walltime ?? lower.Walltime,
        Env = [.. lower.Env, .. Env],
        Tags = lower.Tags.Concat(Tags).Distinct(StringComparer.Ordinal).ToList(),
        Volumes = MergeVolumes(lower.Volumes, Volumes),
        Labels = [.. lower.Labels, .. Labels],
        Gpus = Gpus ?? lower.Gpus,
        Constraints = lower.Constraints.Concat(Constraints).Distinct(StringComparer.Ordinal).ToList(),
        Array = Array ?? lower.Array,
        Dependency = Dependency ?? lower.Dependency,
        Hold = Hold ?? lower.Hold,
        Requeue = Requeue ?? lower.Requeue,
        Network = Network ?? lower.Network,
        MailType = MailType ?? lower.MailType,
        MailUser = MailUser ?? lower.MailUser,
        Stdout = Stdout ?? lower.Stdout,
        Stderr = Stderr ?? lower.Stderr,
    };

    /// <summary>The spec to send; exactly one of <paramref name="script"/> and <paramref name="command"/> is expected.</summary>
    public JobSpec ToSpec(string? script, IReadOnlyList<string>? command) => new()
    {
        Name = Name,
        Script = script,
        Command = command,
        Image = Image,
        Cpus = Cpus,
        Memory = Memory,
        Env = ToMap(Env),
        Workdir = Workdir,
        Tags = Tags.Count == 0 ? null : Tags,
        Volumes = Volumes.Count == 0 ? null : Volumes,
        Project = Project,
        Walltime = Walltime,
        Labels = ToMap(Labels),
        Gpus = Gpus,
        Constraints = Constraints.Count == 0 ? null : Constraints,
        Array = Array,
        Dependency = Dependency,
        Hold = Hold,
        Requeue = Requeue,
        Network = Network,
        MailType = MailType,
        MailUser = MailUser,
        Stdout = Stdout,
        Stderr = Stderr,
    };

    /// <summary>
    /// The union by volume name; where both name the same volume, this source's mode wins (the command line's
    /// `--volume data:ro` over a script's `#GODOCKER --volume data`), as for a key of env.
    /// </summary>
    private static List<string> MergeVolumes(IReadOnlyList<string> lower, IReadOnlyList<string> upper)
    {
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var volume in lower.Concat(upper))
        {
            var volumeName = volume.Split(':')[0];
            if (!byName.ContainsKey(volumeName))
            {
                order.Add(volumeName);
            }
            byName[volumeName] = volume;
        }
        return order.Select(n => byName[n]).ToList();
    }

    /// <summary>Later pairs win, as a later -e KEY=VALUE does.</summary>
    private static Dictionary<string, string>? ToMap(IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        if (pairs.Count == 0)
        {
            return null;
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            map[key] = value;
        }
        return map;
    }
}
