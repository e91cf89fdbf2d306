using System.Globalization;
using System.Text.RegularExpressions;
using GoDocker.Access;
using GoDocker.Contracts.Tes;
using GoDocker.Jobs;

namespace GoDocker.Tes;

/// <summary>What a TES task became: the job to submit and the runner's plan, or the errors keyed by the TES field they concern.</summary>
public sealed record TesRead(JobSpec? Spec, RunnerPlan? Plan, IReadOnlyDictionary<string, string[]> Errors)
{
    /// <summary>For each volume the task mounts, the first TES member that made it (inputs[0].url, …): where a refusal of that volume points.</summary>
    public IReadOnlyDictionary<string, string> VolumeFields { get; init; } = new Dictionary<string, string>();

    public bool IsValid => Errors.Count == 0;
}

/// <summary>The site's bounds on a task that the job spec does not already have.</summary>
public sealed record TesLimits
{
    /// <summary>All inputs' content together; the runner embeds it and must stay under the script limit.</summary>
    public int MaxContentBytes { get; init; } = 512 * 1024;
    /// <summary>The node label a single zone becomes a constraint on (zone==NAME).</summary>
    public string ZoneLabel { get; init; } = "zone";
    /// <summary>The job directory's limit (Jobs:MaxJobDirectorySize): a disk_gb above it cannot be honoured.</summary>
    public long? MaxJobDirectoryBytes { get; init; }
}

/// <summary>
/// Reads a TES task into a GoDocker job (docs/notes/tes-design.md §2): one job whose script is a runner that stages the
/// inputs in, runs the executors in order and stages the outputs out, inside the task's container as its owner. Every
/// URL must be a <c>file://</c> or absolute path inside a volume granted to the owner (<paramref name="volumes"/>: the
/// mounts those volumes would have, host and container paths expanded), and becomes a container path there: the
/// server never opens a user's file. Pure: the submission's rights, quotas and volume checks come after, unchanged.
/// </summary>
public static partial class TesTaskReader
{
    public const string DefaultName = "tes-task";

    /// <summary>The backend parameters this server supports, lower case (keys are compared ignoring case, as the spec says).</summary>
    public static readonly IReadOnlyList<string> BackendParameters = ["project", "walltime", "gpus", "constraints", "network", "requeue", "volumes"];

    private const string JobMount = "/godocker";

    public static TesRead Read(TesTask task, IReadOnlyList<Mount> volumes, TesLimits limits)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }
            list.Add(message);
        }
        var warnings = new List<string>();
        var uses = new Dictionary<string, bool>(StringComparer.Ordinal); // volume name → read-write needed
        var volumeFields = new Dictionary<string, string>(StringComparer.Ordinal);
        var scratch = new List<string>();

        // Executors: one container runs them all, so they share the first one's image.
        var executors = task.Executors ?? [];
        if (executors.Count == 0)
        {
            Add("executors", "a task needs at least one executor");
        }
        var image = executors.Count > 0 ? executors[0].Image : null;
        var steps = new List<RunnerStep>();
        for (var i = 0; i < executors.Count; i++)
        {
            var e = executors[i];
            var at = $"executors[{i}]";
            if (e is null)
            {
                Add(at, "an executor is an object");
                continue;
            }
            if (string.IsNullOrWhiteSpace(e.Image))
            {
                Add($"{at}.image", "required");
            }
            else if (i > 0 && e.Image != image)
            {
                Add($"{at}.image", $"the executors of one task run in one container here: every executor uses executors[0]'s image ({image})");
            }
            if (e.Command is not { Count: > 0 } command || string.IsNullOrEmpty(command[0]))
            {
                Add($"{at}.command", "required: the program and its arguments");
                command = [];
            }
            else if (command.Any(a => a is null || a.Contains('\0')))
            {
                Add($"{at}.command", "an argument holds a NUL character");
            }
            else if (command[0].StartsWith('-'))
            {
                // The runner execs it: sh's exec has no -- to end its options (dash), so a program is never an option.
                Add($"{at}.command", $"the program '{command[0]}' starts with '-': give its path (./{command[0]})");
            }
            var workdir = PathField(e.Workdir, $"{at}.workdir", Add, scratchDir: true, scratch);
            var stdin = PathField(e.Stdin, $"{at}.stdin", Add, scratchDir: false, scratch);
            var stdout = PathField(e.Stdout, $"{at}.stdout", Add, scratchDir: false, scratch);
            var stderr = PathField(e.Stderr, $"{at}.stderr", Add, scratchDir: false, scratch);
            var env = new List<KeyValuePair<string, string>>();
            foreach (var (name, value) in e.Env ?? new Dictionary<string, string>())
            {
                if (!EnvName().IsMatch(name) || name.StartsWith("GODOCKER_", StringComparison.Ordinal))
                {
                    Add($"{at}.env.{name}", "a variable name is letters, digits and _, not starting with a digit nor GODOCKER_");
                }
                else if (value is null || value.Contains('\0'))
                {
                    Add($"{at}.env.{name}", "a value is text without NUL");
                }
                else
                {
                    env.Add(new(name, value));
                }
            }
            steps.Add(new RunnerStep(i, [.. command], workdir, env, stdin, stdout, stderr, e.IgnoreError ?? false));
        }

        // Inputs: content embedded in the runner, or a file of a granted volume copied (or linked) inside the container.
        var inputs = new List<StageIn>();
        var contentBytes = 0L;
        var taskInputs = task.Inputs ?? [];
        for (var i = 0; i < taskInputs.Count; i++)
        {
            var input = taskInputs[i];
            var at = $"inputs[{i}]";
            if (input is null)
            {
                Add(at, "an input is an object");
                continue;
            }
            var kind = Kind(input.Type, $"{at}.type", Add);
            var path = PathField(input.Path, $"{at}.path", Add, scratchDir: kind == TesFileKind.Directory, scratch, required: true);
            if (input.Content is { } content)
            {
                if (kind == TesFileKind.Directory)
                {
                    Add($"{at}.content", "content makes a file, not a DIRECTORY");
                }
                if (content.Contains('\0'))
                {
                    Add($"{at}.content", "content is text without NUL");
                }
                contentBytes += System.Text.Encoding.UTF8.GetByteCount(content);
                if (path is not null)
                {
                    inputs.Add(new StageIn(i, path, TesFileKind.File, content, null, Link: false));
                }
                continue;
            }
            if (string.IsNullOrEmpty(input.Url))
            {
                Add($"{at}.url", "required when there is no content");
                continue;
            }
            if (Locate(input.Url, volumes, $"{at}.url", Add) is not { } source)
            {
                continue;
            }
            uses.TryAdd(source.Mount.Name, false);
            volumeFields.TryAdd(source.Mount.Name, $"{at}.url");
            if (path is not null)
            {
                inputs.Add(new StageIn(i, path, kind, null, source.ContainerPath, input.Streamable ?? false));
            }
        }
        if (contentBytes > limits.MaxContentBytes)
        {
            Add("inputs", $"the inputs' content is {contentBytes} bytes; this site takes {limits.MaxContentBytes} per task: put bigger files in a volume and give their url");
        }

        // Outputs: copied into a granted volume mounted read-write.
        var outputs = new List<StageOut>();
        var taskOutputs = task.Outputs ?? [];
        for (var i = 0; i < taskOutputs.Count; i++)
        {
            var output = taskOutputs[i];
            var at = $"outputs[{i}]";
            if (output is null)
            {
                Add(at, "an output is an object");
                continue;
            }
            var kind = Kind(output.Type, $"{at}.type", Add);
            var wildcard = output.Path is { } p && p.IndexOfAny(['*', '?', '[']) >= 0;
            string? path;
            string? prefix = null;
            if (wildcard)
            {
                path = CheckPath(output.Path!.Replace('*', 'x').Replace('?', 'x').Replace('[', 'x'), $"{at}.path", Add) is null ? null : output.Path;
                if (string.IsNullOrEmpty(output.PathPrefix))
                {
                    Add($"{at}.path_prefix", "required with a wildcard path: the part of each match left out of its url");
                }
                else if (!output.Path!.StartsWith(output.PathPrefix, StringComparison.Ordinal) || output.PathPrefix.IndexOfAny(['*', '?', '[']) >= 0)
                {
                    Add($"{at}.path_prefix", "must be the start of path, before any wildcard");
                }
                else
                {
                    // Each match without the prefix is appended to the url as a path: one slash between them, whichever side had it.
                    prefix = output.PathPrefix.Length > 1 ? output.PathPrefix.TrimEnd('/') : output.PathPrefix;
                    AddScratch(scratch, FixedDirectory(output.Path!));
                }
            }
            else
            {
                path = PathField(output.Path, $"{at}.path", Add, scratchDir: kind == TesFileKind.Directory, scratch, required: true);
            }
            if (string.IsNullOrEmpty(output.Url))
            {
                Add($"{at}.url", "required");
                continue;
            }
            if (output.Url.Any(char.IsControl))
            {
                Add($"{at}.url", "a url holds a control character");
                continue;
            }
            if (Locate(output.Url, volumes, $"{at}.url", Add) is not { } destination)
            {
                continue;
            }
            if (destination.Mount.ReadOnly)
            {
                Add($"{at}.url", $"volume '{destination.Mount.Name}' is read-only: an output cannot be written there");
                continue;
            }
            uses[destination.Mount.Name] = true;
            volumeFields.TryAdd(destination.Mount.Name, $"{at}.url");
            if (path is not null)
            {
                outputs.Add(new StageOut(i, path, kind, destination.ContainerPath.TrimEnd('/') is { Length: > 0 } d ? d : "/", output.Url.TrimEnd('/') is { Length: > 0 } u ? u : output.Url, prefix));
            }
        }

        foreach (var volume in task.Volumes ?? [])
        {
            PathField(volume, "volumes", Add, scratchDir: true, scratch, required: true);
        }

        // Resources and the backend parameters this server knows.
        var resources = task.Resources ?? new TesResources();
        double? cpus = null;
        if (resources.CpuCores is { } cores)
        {
            if (cores <= 0 || cores > 4096)
            {
                Add("resources.cpu_cores", "must be a whole number of cpus, at least 1");
            }
            else
            {
                cpus = cores;
            }
        }
        string? memory = null;
        if (resources.RamGb is { } ram)
        {
            if (!(ram > 0) || double.IsInfinity(ram) || ram > 1 << 20)
            {
                Add("resources.ram_gb", "must be more than 0 (GiB)");
            }
            else
            {
                memory = string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Ceiling(ram * 1024)}M");
            }
        }
        if (resources.DiskGb is { } disk)
        {
            if (!(disk >= 0) || double.IsInfinity(disk))
            {
                Add("resources.disk_gb", "must be 0 or more (GiB)");
            }
            else if (limits.MaxJobDirectoryBytes is { } max && disk * (1L << 30) > max)
            {
                Add("resources.disk_gb", $"this site gives a task's files at most {max / (double)(1L << 30):0.##} GiB (its job directory's limit)");
            }
        }
        var constraints = new List<string>();
        if (resources.Zones is { Count: > 0 } zones)
        {
            if (zones.Count > 1)
            {
                Add("resources.zones", "one zone at most here: GoDocker's node constraints must all hold");
            }
            else if (string.IsNullOrWhiteSpace(zones[0]))
            {
                Add("resources.zones", "a zone is a name");
            }
            else
            {
                constraints.Add($"{limits.ZoneLabel}=={zones[0]}");
            }
        }
        var backend = new Dictionary<string, string>(StringComparer.Ordinal);
        string? project = null, walltime = null, network = null;
        int? gpus = null;
        bool? requeue = null;
        foreach (var (rawKey, value) in resources.BackendParameters ?? new Dictionary<string, string>())
        {
            var key = rawKey.ToLowerInvariant();
            var at = $"resources.backend_parameters.{rawKey}";
            if (!BackendParameters.Contains(key))
            {
                var sentence = $"backend parameter '{rawKey}' is not supported here (supported: {string.Join(", ", BackendParameters)})";
                if (resources.BackendParametersStrict == true)
                {
                    Add(at, sentence);
                }
                else
                {
                    warnings.Add(sentence + "; ignored");
                }
                continue;
            }
            backend[key] = value;
            switch (key)
            {
                case "project":
                    project = value;
                    break;
                case "walltime":
                    walltime = value;
                    break;
                case "network":
                    network = value;
                    break;
                case "gpus":
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var g))
                    {
                        gpus = g;
                    }
                    else
                    {
                        Add(at, "a whole number of gpus");
                    }
                    break;
                case "requeue":
                    if (bool.TryParse(value, out var r))
                    {
                        requeue = r;
                    }
                    else
                    {
                        Add(at, "true or false");
                    }
                    break;
                case "constraints":
                    constraints.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "volumes":
                    foreach (var request in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        var (name, readOnly) = VolumePolicy.Parse(request);
                        var rw = readOnly == false;
                        uses[name] = (uses.TryGetValue(name, out var before) && before) || rw;
                        volumeFields.TryAdd(name, at);
                    }
                    break;
            }
        }

        if (task.Description is { Length: > 4096 })
        {
            Add("description", "at most 4096 characters");
        }
        foreach (var (key, _) in task.Tags ?? new Dictionary<string, string>())
        {
            if (key.StartsWith("godocker", StringComparison.OrdinalIgnoreCase))
            {
                Add($"tags.{key}", "keys starting with godocker are GoDocker's own");
            }
        }

        // A scratch directory may not hide a volume the task mounts, nor be inside one (the volume is there already).
        var mounted = volumes.Where(m => uses.ContainsKey(m.Name)).ToList();
        scratch = [.. Outermost(scratch.Where(s => !mounted.Any(m => IsInside(s, m.ContainerPath))))];
        foreach (var dir in scratch)
        {
            if (mounted.FirstOrDefault(m => IsInside(m.ContainerPath, dir)) is { } hidden)
            {
                Add("volumes", $"{dir} would hide volume '{hidden.Name}' mounted at {hidden.ContainerPath}: use paths beside it");
            }
        }

        if (errors.Count > 0)
        {
            return new TesRead(null, null, errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }

        var kept = task with
        {
            Id = null,
            State = null,
            Logs = null,
            CreationTime = null,
            Resources = resources with { BackendParameters = backend.Count > 0 ? backend : null },
        };
        var plan = new RunnerPlan(inputs, steps, outputs);
        var spec = new JobSpec
        {
            Name = string.IsNullOrEmpty(task.Name) ? DefaultName : task.Name,
            Image = image,
            Cpus = cpus,
            Memory = memory,
            Project = project,
            Walltime = walltime,
            Gpus = gpus,
            Network = network,
            Requeue = requeue,
            Constraints = constraints.Count > 0 ? constraints : null,
            Volumes = uses.Count > 0 ? [.. uses.Select(u => $"{u.Key}:{(u.Value ? "rw" : "ro")}")] : null,
            Labels = task.Tags is { Count: > 0 } tags ? tags : null,
            Tes = new TesTaskSpec { Task = kept, Warnings = warnings, Scratch = scratch },
        };
        return new TesRead(spec, plan, new Dictionary<string, string[]>()) { VolumeFields = volumeFields };
    }

    /// <summary>Where a URL is inside the container: the mount of the volume holding it (the longest host path that does) and the path there.</summary>
    private static (Mount Mount, string ContainerPath)? Locate(string url, IReadOnlyList<Mount> volumes, string field, Action<string, string> add)
    {
        string path;
        if (url.StartsWith("file://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length > 0 && uri.Host != "localhost")
            {
                add(field, $"'{url}' is not a file:///absolute/path url");
                return null;
            }
            path = Uri.UnescapeDataString(uri.AbsolutePath);
        }
        else if (url.StartsWith('/'))
        {
            path = url;
        }
        else
        {
            add(field, $"'{url}': only file:// urls and absolute paths inside your volumes are served here (no s3, gs, http or ftp: mount the storage as a site volume)");
            return null;
        }
        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        if (CheckPath(trimmed, field, add) is null)
        {
            return null;
        }
        var holder = volumes
            .Where(m => IsInside(trimmed, m.HostPath.TrimEnd('/')))
            .OrderByDescending(m => m.HostPath.Length)
            .FirstOrDefault();
        if (holder is null)
        {
            var offered = volumes.Count == 0 ? "none is granted to you" : string.Join(", ", volumes.Select(m => $"{m.Name} → {m.HostPath}"));
            add(field, $"'{url}' is not inside a volume granted to you ({offered})");
            return null;
        }
        var rest = trimmed[holder.HostPath.TrimEnd('/').Length..];
        return (holder, holder.ContainerPath.TrimEnd('/') + rest);
    }

    private static TesFileKind Kind(string? type, string field, Action<string, string> add) => type switch
    {
        null or "FILE" => TesFileKind.File,
        "DIRECTORY" => TesFileKind.Directory,
        _ => Refused(type, field, add),
    };

    private static TesFileKind Refused(string type, string field, Action<string, string> add)
    {
        add(field, $"'{type}' is not FILE or DIRECTORY");
        return TesFileKind.File;
    }

    /// <summary>A checked container path (null when absent or refused); its directory (or itself) becomes a scratch directory.</summary>
    private static string? PathField(string? path, string field, Action<string, string> add, bool scratchDir, List<string> scratch, bool required = false)
    {
        if (path is null)
        {
            if (required)
            {
                add(field, "required: an absolute path in the container");
            }
            return null;
        }
        if (CheckPath(path, field, add) is not { } ok)
        {
            return null;
        }
        AddScratch(scratch, scratchDir ? ok : Parent(ok));
        return ok;
    }

    /// <summary>An absolute, plain path outside the system's and GoDocker's own; null (and the error added) otherwise.</summary>
    private static string? CheckPath(string path, string field, Action<string, string> add)
    {
        if (!path.StartsWith('/') || path == "/")
        {
            add(field, $"'{path}' is not an absolute path below /");
            return null;
        }
        if (path.Any(char.IsControl))
        {
            add(field, "a path holds a control character");
            return null;
        }
        var segments = path[1..].Split('/');
        if (segments.Any(s => s is "" or "." or ".."))
        {
            add(field, $"'{path}': no empty, . or .. parts");
            return null;
        }
        if (segments[0] is "proc" or "sys" or "dev" or "godocker")
        {
            add(field, $"'{path}' is under /{segments[0]}, which the container's system (or GoDocker) owns");
            return null;
        }
        return path;
    }

    private static void AddScratch(List<string> scratch, string? dir)
    {
        if (dir is not null && dir != "/" && !dir.StartsWith(JobMount + "/", StringComparison.Ordinal) && !scratch.Contains(dir))
        {
            scratch.Add(dir);
        }
    }

    private static string? Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? null : path[..slash];
    }

    /// <summary>The directory part of a wildcard path before its first wildcard: /out/*.txt → /out.</summary>
    private static string? FixedDirectory(string pattern)
    {
        var first = pattern.IndexOfAny(['*', '?', '[']);
        return Parent(pattern[..first] + "x");
    }

    private static IEnumerable<string> Outermost(IEnumerable<string> dirs)
    {
        var list = dirs.Distinct(StringComparer.Ordinal).ToList();
        return list.Where(d => !list.Any(o => o != d && IsInside(d, o)));
    }

    private static bool IsInside(string path, string dir) =>
        path == dir || dir == "/" || path.StartsWith(dir + "/", StringComparison.Ordinal);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();
}
