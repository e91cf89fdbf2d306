using System.Text.RegularExpressions;

namespace GoDocker.Jobs;

/// <summary>Site defaults and bounds a submitted spec is checked against.</summary>
public sealed record SubmitLimits
{
    public required string DefaultImage { get; init; }
    public double DefaultCpus { get; init; } = 1;
    public long DefaultMemoryBytes { get; init; } = 1L << 30;
    /// <summary>The largest node: a job asking for more could never run.</summary>
    public required double MaxCpus { get; init; }
    public required long MaxMemoryBytes { get; init; }
    public int MaxGpus { get; init; }
    /// <summary>Applied when the job gives none; null = no limit.</summary>
    public TimeSpan? DefaultWalltime { get; init; }
    public TimeSpan? MaxWalltime { get; init; }
    public int MaxScriptBytes { get; init; } = 1 << 20;
    /// <summary>The smallest memory a container can start with (the engine refuses less than 6 MiB).</summary>
    public long MinMemoryBytes { get; init; } = 6L << 20;
    /// <summary>Whether a job that says nothing is requeued when its node goes down (Jobs:Requeue).</summary>
    public bool DefaultRequeue { get; init; } = true;
    /// <summary>The mail types of a job that gives none (Notifications:DefaultMailType).</summary>
    public GoDocker.Notifications.MailTypes DefaultMailTypes { get; init; }

    // Ceilings whatever the site or its nodes say (nodes not yet reached count as unlimited): every request stays far
    // from the ends of the types the scheduler computes with (ticks of a walltime added to now, bytes and cpus summed).
    /// <summary>The longest walltime any job may ask for; a site's Jobs:MaxWalltime may only lower it.</summary>
    public static readonly TimeSpan WalltimeCeiling = TimeSpan.FromDays(365);
    public const double CpusCeiling = 100_000;
    /// <summary>1 PiB.</summary>
    public const long MemoryCeiling = 1L << 50;
    public const int GpusCeiling = 1024;
}

/// <summary>The outcome of validation: a resolved spec, or errors keyed by the JSON field they concern.</summary>
public sealed record SpecValidation(ResolvedJobSpec? Spec, IReadOnlyDictionary<string, string[]> Errors)
{
    /// <summary>The job array asked for, parsed; null for a single job.</summary>
    public ArraySpec? Array { get; init; }

    public bool IsValid => Errors.Count == 0;
}

/// <summary>Checks a <see cref="JobSpec"/> and resolves its defaults and units. Pure: no I/O.</summary>
public static partial class JobSpecValidator
{
    // \z, not $: $ also matches before a final newline. The classes are ASCII (no IgnoreCase, no \w).
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex EnvName();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}\z")]
    private static partial Regex Token();

    public static SpecValidation Validate(JobSpec spec, SubmitLimits limits)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }
            list.Add(message);
        }

        var hasScript = spec.Script is not null;
        var hasCommand = spec.Command is not null;
        if (hasScript && hasCommand)
        {
            Add("script", "give either script or command, not both");
        }
        else if (!hasScript && !hasCommand && spec.Interactive != true)
        {
            // An interactive job without either runs the image's own command (its shell), as docker run -it does.
            Add("script", "a script or a command is required");
        }
        else if (hasScript && string.IsNullOrWhiteSpace(spec.Script))
        {
            Add("script", "the script is empty");
        }
        else if (hasScript && System.Text.Encoding.UTF8.GetByteCount(spec.Script!) > limits.MaxScriptBytes)
        {
            Add("script", $"the script is larger than {ByteSize.Format(limits.MaxScriptBytes)}");
        }
        else if (hasScript && spec.Script!.Contains('\0', StringComparison.Ordinal))
        {
            // A shell script is text; PostgreSQL's jsonb cannot even store a NUL, so it would fail there, not here.
            Add("script", "the script must be text: it holds a NUL character");
        }
        else if (hasCommand && (spec.Command!.Count == 0 || string.IsNullOrWhiteSpace(spec.Command[0])))
        {
            Add("command", "the command is empty");
        }
        else if (hasCommand && spec.Command!.Any(a => a is null || a.Contains('\0', StringComparison.Ordinal)))
        {
            Add("command", "arguments must be non-null strings without NUL characters");
        }

        var image = spec.Image ?? limits.DefaultImage;
        if (!ImageReference.IsValid(image))
        {
            Add("image", $"'{image}' is not a valid image reference (e.g. debian:bookworm, registry:5000/team/tool@sha256:...)");
        }

        var cpus = spec.Cpus ?? limits.DefaultCpus;
        if (!double.IsFinite(cpus) || cpus <= 0)
        {
            Add("cpus", "cpus must be a number greater than 0");
        }
        else if (cpus > limits.MaxCpus)
        {
            Add("cpus", $"{cpus} cpus is more than the largest node has ({limits.MaxCpus})");
        }
        else if (cpus > SubmitLimits.CpusCeiling)
        {
            Add("cpus", $"{cpus} cpus is more than any job may ask for ({SubmitLimits.CpusCeiling})");
        }
        else if (cpus < 0.01)
        {
            Add("cpus", "cpus must be at least 0.01");
        }

        var memory = limits.DefaultMemoryBytes;
        if (spec.Memory is not null)
        {
            if (!ByteSize.TryParse(spec.Memory, out memory))
            {
                Add("memory", $"'{spec.Memory}' is not a size (e.g. 512M, 2G; a bare number is MiB)");
            }
            else if (memory <= 0)
            {
                Add("memory", "memory must be greater than 0");
            }
        }
        if (!errors.ContainsKey("memory"))
        {
            if (memory > limits.MaxMemoryBytes)
            {
                Add("memory", $"{ByteSize.Format(memory)} is more than the largest node has ({ByteSize.Format(limits.MaxMemoryBytes)})");
            }
            else if (memory > SubmitLimits.MemoryCeiling)
            {
                Add("memory", $"{ByteSize.Format(memory)} is more than any job may ask for ({ByteSize.Format(SubmitLimits.MemoryCeiling)})");
            }
            else if (memory < limits.MinMemoryBytes)
            {
                Add("memory", $"memory must be at least {ByteSize.Format(limits.MinMemoryBytes)}");
            }
        }

        TimeSpan? walltime = limits.DefaultWalltime;
        if (spec.Walltime is not null)
        {
            if (Walltime.TryParse(spec.Walltime, out var parsed))
            {
                walltime = parsed;
            }
            else
            {
                Add("walltime", $"'{spec.Walltime}' is not a duration (minutes, HH:MM:SS, D-HH:MM:SS, or 90s/15m/2h/1d)");
            }
        }
        if (walltime is { } w && limits.MaxWalltime is { } max && w > max)
        {
            Add("walltime", $"walltime {Walltime.Format(w)} is above the site maximum {Walltime.Format(max)}");
        }
        else if (walltime is { } longest && longest > SubmitLimits.WalltimeCeiling)
        {
            Add("walltime", $"walltime {Walltime.Format(longest)} is above the maximum {Walltime.Format(SubmitLimits.WalltimeCeiling)}");
        }

        foreach (var (key, value) in spec.Env ?? new Dictionary<string, string>())
        {
            if (!EnvName().IsMatch(key))
            {
                Add($"env.{key}", "environment variable names are letters, digits and _, not starting with a digit");
            }
            else if (key.StartsWith("GODOCKER_", StringComparison.Ordinal))
            {
                Add($"env.{key}", "GODOCKER_ variables are set by GoDocker");
            }
            else if (value is null || value.Any(IsControlButTab))
            {
                // A newline would let a value fake a GODOCKER_ line in the job's environment as `env` prints it.
                Add($"env.{key}", "the value must be a string without control characters (tab aside): no newline, carriage return or NUL");
            }
        }

        if (spec.Workdir is not null && (!spec.Workdir.StartsWith('/') || spec.Workdir.Any(char.IsControl)))
        {
            Add("workdir", "the working directory must be an absolute path inside the container");
        }

        foreach (var tag in spec.Tags ?? [])
        {
            if (tag is null || !Token().IsMatch(tag))
            {
                Add("tags", $"'{tag}' is not a tag (letters, digits, . _ -; up to 128)");
            }
        }

        var volumeNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var volume in spec.Volumes ?? [])
        {
            if (volume is null || !Token().IsMatch(GoDocker.Access.VolumePolicy.Parse(volume).Name))
            {
                Add("volumes", $"'{volume}' is not a volume (a name, optionally :ro or :rw)");
            }
            else if (!volumeNames.Add(GoDocker.Access.VolumePolicy.Parse(volume).Name))
            {
                // The engine refuses two mounts at one path: the job would be accepted and then fail at launch.
                Add("volumes", $"volume '{GoDocker.Access.VolumePolicy.Parse(volume).Name}' is asked for more than once");
            }
        }

        var project = spec.Project ?? "default";
        if (!Token().IsMatch(project))
        {
            Add("project", $"'{project}' is not a project name");
        }

        if (spec.Name is not null && (spec.Name.Length is 0 or > 200 || spec.Name.Any(char.IsControl)))
        {
            Add("name", "the name must be 1 to 200 printable characters");
        }

        foreach (var (key, value) in spec.Labels ?? new Dictionary<string, string>())
        {
            if (!Token().IsMatch(key) || key.StartsWith("godocker", StringComparison.OrdinalIgnoreCase))
            {
                Add($"labels.{key}", "label keys are letters, digits, . _ - and may not start with 'godocker'");
            }
            else if (value is null || value.Length > 1024 || value.Any(char.IsControl))
            {
                Add($"labels.{key}", "label values are strings of up to 1024 characters, without control characters");
            }
        }

        var gpus = spec.Gpus ?? 0;
        if (gpus < 0)
        {
            Add("gpus", "gpus must be 0 or more");
        }
        else if (gpus > limits.MaxGpus)
        {
            Add("gpus", $"{gpus} gpus is more than the largest node has ({limits.MaxGpus})");
        }
        else if (gpus > SubmitLimits.GpusCeiling)
        {
            Add("gpus", $"{gpus} gpus is more than any job may ask for ({SubmitLimits.GpusCeiling})");
        }

        var constraints = new List<GoDocker.Scheduling.Constraint>();
        foreach (var text in spec.Constraints ?? [])
        {
            string? constraintError = "a constraint is LABEL==VALUE or LABEL!=VALUE, not null";
            if (text is not null && GoDocker.Scheduling.Constraint.TryParse(text, out var constraint, out constraintError))
            {
                constraints.Add(constraint);
            }
            else
            {
                Add("constraints", constraintError!);
            }
        }

        IReadOnlyList<Dependency> dependencies = [];
        if (spec.Dependency is not null && !Dependency.TryParseList(spec.Dependency, out dependencies, out var dependencyError))
        {
            Add("dependency", dependencyError!);
        }

        ArraySpec? array = null;
        if (spec.Array is not null && !ArraySpec.TryParse(spec.Array, out array, out var arrayError))
        {
            Add("array", $"'{spec.Array}': {arrayError} (e.g. 1-100, 1-100:2%10, 1,3,5-7)");
        }

        if (spec.Interactive == true && spec.Array is not null)
        {
            Add("array", "an interactive job is one terminal: it cannot be an array");
        }

        foreach (var (field, path) in new[] { ("stdout", spec.Stdout), ("stderr", spec.Stderr) })
        {
            if (path is null)
            {
                continue;
            }
            if (spec.Interactive == true)
            {
                Add(field, "an interactive job's output is its terminal: it has no stdout or stderr file");
            }
            else if (OutputPath.Refuse(path, spec.Array is not null) is { } pathRefusal)
            {
                Add(field, pathRefusal);
            }
        }

        if (spec.Network is not (null or "default" or "none"))
        {
            Add("network", $"'{spec.Network}' is not a network choice (default or none)");
        }

        var mailTypes = limits.DefaultMailTypes;
        if (spec.MailType is not null && !GoDocker.Notifications.MailTypeList.TryParse(spec.MailType, out mailTypes, out var mailTypeError))
        {
            Add("mailType", mailTypeError);
        }
        if (spec.MailUser is not null && !MailAddress.IsValid(spec.MailUser))
        {
            Add("mailUser", $"'{spec.MailUser}' is not a mail address (user@example.org)");
        }

        if (errors.Count > 0)
        {
            return new SpecValidation(null, errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }

        var resolved = new ResolvedJobSpec
        {
            Name = spec.Name ?? DefaultName(spec),
            Script = spec.Script,
            Command = spec.Command,
            Image = ImageReference.Normalize(image),
            Cpus = Math.Round(cpus, 3),
            MemoryBytes = memory,
            Env = spec.Env ?? new Dictionary<string, string>(),
            Workdir = spec.Workdir,
            // The reserved tag no REST submit can carry (':' is refused in tags): what the TES API lists its tasks by.
            Tags = spec.Tes is null ? spec.Tags ?? [] : [.. spec.Tags ?? [], GoDocker.Tes.TesTaskSpec.Tag],
            Project = project,
            WalltimeSeconds = walltime is { } wt ? (long)wt.TotalSeconds : null,
            Labels = spec.Labels ?? new Dictionary<string, string>(),
            Root = spec.Root ?? false,
            Gpus = gpus,
            Constraints = constraints,
            Dependencies = dependencies,
            NoNetwork = spec.Network == "none",
            Requeue = spec.Requeue ?? limits.DefaultRequeue,
            MailTypes = mailTypes,
            MailUser = spec.MailUser,
            Interactive = spec.Interactive ?? false,
            Stdout = spec.Stdout,
            Stderr = spec.Stderr,
            Tes = spec.Tes,
            Scratch = spec.Tes?.Scratch ?? [],
        };
        return new SpecValidation(resolved, new Dictionary<string, string[]>()) { Array = array };
    }

    private static bool IsControlButTab(char c) => char.IsControl(c) && c != '\t';

    private static string DefaultName(JobSpec spec)
    {
        if (spec.Command is { Count: > 0 } command)
        {
            return Path.GetFileName(command[0]);
        }
        return spec.Script is null && spec.Interactive == true ? "interactive" : "script";
    }
}
