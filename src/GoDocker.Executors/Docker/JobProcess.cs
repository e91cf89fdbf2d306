using System.Globalization;
using System.Text;
using GoDocker.Execution;
using GoDocker.Jobs;

namespace GoDocker.Executors.Docker;

/// <summary>
/// What runs inside a job's container, whatever engine API creates it (a container on a Docker engine, a Swarm
/// service's task): the command with its output sent to the job directory, the environment, the user, the labels.
/// </summary>
internal static class JobProcess
{
    /// <summary>
    /// $0 is the program, "$@" its arguments; the redirections survive exec, so the job writes straight to the files: the
    /// job directory's stdout and stderr, or the files the job named (--stdout/--stderr, <see cref="OutputPath"/>).
    /// </summary>
    public static IList<string> Entrypoint(LaunchRequest request, string mount) => ["/bin/sh", "-c", Redirections(request, mount)];

    /// <summary>
    /// The shell text that opens the job's output and execs its program. A named file is opened here, in the container, as
    /// the job's user, inside its volume: the server never opens a path a job can write. Its path is the user's text,
    /// single-quoted, so the shell takes it literally (no $(...), no `...`, no globbing, spaces kept). The job directory's
    /// stderr is opened first, so a file that cannot be opened (a missing folder, no permission) is said there: the shell's
    /// own message, then ours naming the option; the job then ends with exit code 1 without running.
    /// </summary>
    internal static string Redirections(LaunchRequest request, string mount)
    {
        var spec = request.Spec;
        if (spec.Stdout is null && spec.Stderr is null)
        {
            return $"exec \"$0\" \"$@\" >>{mount}/stdout 2>>{mount}/stderr";
        }
        string Expand(string pattern) =>
            OutputPath.Expand(pattern, request.JobId, spec.Name, request.Owner, request.ArrayId, spec.Task?.Id);
        var stdout = spec.Stdout is { } o ? Expand(o) : null;
        var stderr = spec.Stderr is { } e ? Expand(e) : null;
        var text = new StringBuilder($"exec 2>>{mount}/stderr\n");
        foreach (var (option, path) in new[] { ("--stdout", stdout), ("--stderr", stderr) })
        {
            if (path is not null)
            {
                // true is a regular built-in: a failed redirection fails the command, where exec's would end the shell before our line.
                text.Append(CultureInfo.InvariantCulture,
                    $"true >>{Quote(path)} || {{ printf 'godocker: cannot open the {option} file %s (above): the job did not run\\n' {Quote(path)} >&2; exit 1; }}\n");
            }
        }
        text.Append("exec \"$0\" \"$@\" >>").Append(stdout is null ? $"{mount}/stdout" : Quote(stdout));
        if (stderr is not null)
        {
            // One file for both: one open file description, so their lines interleave in the order written.
            text.Append(" 2>").Append(stderr == stdout ? "&1" : ">" + Quote(stderr));
        }
        return text.ToString();
    }

    /// <summary>A word sh takes literally: in single quotes, each ' closed, escaped and reopened.</summary>
    internal static string Quote(string text) => ShellWord.Quote(text);

    /// <summary>
    /// An interactive job's program, run with the terminal as its stdio (no redirection): its command as the entrypoint,
    /// or its script; neither means the image's own entrypoint and command, as docker run -it IMAGE (null, null).
    /// </summary>
    public static (IList<string>? Entrypoint, IList<string>? Cmd) Interactive(LaunchRequest request, string mount) =>
        request.Spec.Command is { Count: > 0 } command ? ([command[0]], [.. command.Skip(1)])
        // Through sh's exec, as a batch job's script: a script without #! line runs as a shell script.
        : request.Spec.Script is not null ? (["/bin/sh", "-c", "exec \"$0\""], [$"{mount}/job.sh"])
        : (null, null);

    /// <summary>
    /// The container paths given a size-limited tmpfs: /tmp and /var/tmp on a read-only root filesystem, and the job's
    /// scratch directories (a TES task's file paths) not already under those. A tmpfs, not a host directory: no path a
    /// job could have replaced by a symbolic link is ever a bind's source. What a task keeps goes to its volumes.
    /// </summary>
    public static IReadOnlyList<string> Tmpfs(GoDocker.Jobs.ResolvedJobSpec spec, bool readOnlyRoot)
    {
        IReadOnlyList<string> system = readOnlyRoot ? ["/tmp", "/var/tmp"] : [];
        return [.. system, .. spec.Scratch.Where(path => !system.Any(s => path == s || path.StartsWith(s + "/", StringComparison.Ordinal)))];
    }

    /// <summary>The job's command, or its script in the job directory.</summary>
    public static IList<string> Argv(LaunchRequest request, string mount) =>
        request.Spec.Command is { Count: > 0 } command ? [.. command] : [$"{mount}/job.sh"];

    /// <summary>The owner's uid:gid; never the image's default user. Root only when granted.</summary>
    public static string User(LaunchRequest request) =>
        request.Spec.Root ? "0:0" : request.Spec.RunAs is { } user ? $"{user.Uid}:{user.Gid}" : "";

    /// <summary>The owner's supplementary groups (none for a root job).</summary>
    public static IList<string> Groups(LaunchRequest request) =>
        request.Spec.Root ? [] : [.. (request.Spec.RunAs?.SecondaryGids ?? []).Select(g => g.ToString(CultureInfo.InvariantCulture))];

    public static IList<string> Environment(LaunchRequest request, string mount, string nodeName)
    {
        var spec = request.Spec;
        var env = new List<string>(spec.Env.Select(e => $"{e.Key}={e.Value}"))
        {
            $"GODOCKER_JOB_ID={request.JobId}",
            $"GODOCKER_JOB_NAME={spec.Name}",
            $"GODOCKER_JOB_DIR={mount}",
            $"GODOCKER_ATTEMPT={request.Attempt}",
            $"GODOCKER_PROJECT={spec.Project}",
            $"GODOCKER_OWNER={request.Owner}",
            string.Create(CultureInfo.InvariantCulture, $"GODOCKER_CPUS={spec.Cpus}"),
            $"GODOCKER_MEMORY_BYTES={spec.MemoryBytes}",
            $"GODOCKER_NODE={nodeName}",
        };
        if (spec.Task is { } task)
        {
            env.Add($"GODOCKER_ARRAY_JOB_ID={request.ArrayId ?? request.JobId}");
            env.Add($"GODOCKER_TASK_ID={task.Id}");
            env.Add($"GODOCKER_TASK_FIRST={task.First}");
            env.Add($"GODOCKER_TASK_LAST={task.Last}");
            env.Add($"GODOCKER_TASK_STEP={task.Step}");
            env.Add($"GODOCKER_TASK_COUNT={task.Count}");
        }
        if (spec.Gpus > 0)
        {
            env.Add($"GODOCKER_GPUS={spec.Gpus}");
        }
        if (spec.RunAs is { } owner)
        {
            env.Add($"HOME={owner.Home}");
            env.Add($"USER={owner.Login}");
            env.Add($"LOGNAME={owner.Login}");
        }
        return env;
    }

    /// <summary>The job's own labels, then GoDocker's, by which recovery finds it.</summary>
    public static IDictionary<string, string> Labels(LaunchRequest request, string instanceId) =>
        new Dictionary<string, string>(request.Spec.Labels)
        {
            [ContainerLabels.Instance] = instanceId,
            [ContainerLabels.Job] = request.JobId.ToString(CultureInfo.InvariantCulture),
            [ContainerLabels.Attempt] = request.Attempt.ToString(CultureInfo.InvariantCulture),
            [ContainerLabels.Owner] = request.Owner,
        };
}
