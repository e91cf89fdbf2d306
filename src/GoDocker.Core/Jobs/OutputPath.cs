using System.Globalization;
using System.Text;
using GoDocker.Access;

namespace GoDocker.Jobs;

/// <summary>
/// A job's --stdout/--stderr path, as sbatch's --output/--error: a path in the container, inside a volume the job
/// mounts read-write, with Slurm's patterns (%j job id, %x name, %u owner, %A array id, %a task id, %% a percent sign;
/// a number between % and j, A or a pads it with zeros). The container's shell opens it as the job's user when the
/// job starts; the server only checks the text and shows it expanded, it never opens, stats or resolves it.
/// </summary>
public static class OutputPath
{
    /// <summary>Where executors mount the job directory: its stdout and stderr are already there.</summary>
    public const string JobMount = "/godocker/job";

    /// <summary>PATH_MAX, after expansion by the largest ids and the longest name; the text itself stays well under.</summary>
    public const int MaxLength = 1024;

    /// <summary>
    /// Why <paramref name="path"/> cannot be a job's output path, from its text alone (null: it can). <paramref name="array"/>:
    /// the job is an array, so %A and %a mean something.
    /// </summary>
    public static string? Refuse(string? path, bool array)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            return $"'{path}' is not an absolute path in the container (e.g. /data/out/%j.out, in a volume the job mounts)";
        }
        if (path.Length > MaxLength)
        {
            return $"the path is longer than {MaxLength} characters";
        }
        if (path.Any(char.IsControl))
        {
            return "the path holds control characters (a newline, a tab, a NUL)";
        }
        var segments = path[1..].Split('/');
        if (segments.Any(s => s.Length == 0) || segments.Any(s => s is "." or ".."))
        {
            // Refused rather than normalized: the path checked is the path the shell opens.
            return $"'{path}' is not a normalized path: no '//', no '.' or '..' segment, no trailing '/'";
        }
        if (IsInside(path, JobMount) || path == JobMount)
        {
            return $"'{path}' is in the job directory, which keeps the job's stdout and stderr already; leave the option out, or name a file in a volume";
        }
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] != '%')
            {
                continue;
            }
            var start = i++;
            while (i < path.Length && char.IsAsciiDigit(path[i]))
            {
                i++;
            }
            var padded = i > start + 1;
            if (i == path.Length)
            {
                return $"'{path}' ends with a lone '%' (%% is a percent sign)";
            }
            var letter = path[i];
            if (letter is not ('j' or 'x' or 'u' or 'A' or 'a' or '%'))
            {
                return $"'{path[start..(i + 1)]}' is not a pattern here: %j job id, %x job name, %u user, %A array id, %a task id, %% a percent sign";
            }
            if (padded && letter is not ('j' or 'A' or 'a'))
            {
                return $"'{path[start..(i + 1)]}': only the numbers %j, %A and %a may be padded";
            }
            if (padded && int.Parse(path[(start + 1)..i], CultureInfo.InvariantCulture) is < 1 or > 10)
            {
                return $"'{path[start..(i + 1)]}': pad to 1 to 10 digits";
            }
            if (letter == 'a' && !array)
            {
                return $"'{path[start..(i + 1)]}' is an array task's index, and this job is not an array (--array)";
            }
        }
        return null;
    }

    /// <summary>
    /// Why <paramref name="path"/> is not in a volume the job mounts read-write (null: it is). Against the mount whose
    /// container path holds it most closely, since a read-only volume may sit inside a writable one.
    /// </summary>
    public static string? RefuseOutside(string path, IReadOnlyList<Mount> mounts)
    {
        var holder = mounts
            .Where(m => IsInside(path, m.ContainerPath))
            .MaxBy(m => m.ContainerPath.TrimEnd('/').Length);
        if (holder is null)
        {
            var offered = mounts.Count == 0
                ? "the job mounts no volume (--volume NAME)"
                : "the job mounts " + string.Join(", ", mounts.Select(m => $"{m.Name} at {m.ContainerPath}"));
            return $"'{path}' is not inside a volume the job mounts: {offered}";
        }
        return holder.ReadOnly
            ? $"'{path}' is in volume '{holder.Name}' ({holder.ContainerPath}), which this job mounts read-only (a :ro request, a read-only volume, or a root job)"
            : null;
    }

    /// <summary>
    /// The path with its patterns replaced, as the container opens it. <paramref name="arrayId"/>: the array's id for a
    /// task (%A), else the job's own. A '/' in the name or the login becomes '_' (and a name '.' or '..' underscores), so they never add or leave a folder.
    /// </summary>
    public static string Expand(string pattern, long jobId, string name, string owner, long? arrayId, int? taskId)
    {
        var text = new StringBuilder(pattern.Length + 16);
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != '%' || i + 1 == pattern.Length)
            {
                text.Append(pattern[i]);
                continue;
            }
            var start = ++i;
            while (i < pattern.Length - 1 && char.IsAsciiDigit(pattern[i]))
            {
                i++;
            }
            var width = i > start ? int.Parse(pattern[start..i], CultureInfo.InvariantCulture) : 0;
            string Number(long value) => value.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
            text.Append(pattern[i] switch
            {
                'j' => Number(jobId),
                'A' => Number(arrayId ?? jobId),
                'a' => taskId is { } task ? Number(task) : "",
                'x' => Flat(name),
                'u' => Flat(owner),
                '%' => "%",
                // Refused at submit; kept as written should an old record hold one.
                _ => pattern[(start - 1)..(i + 1)],
            });
        }
        return text.ToString();
    }

    /// <summary>Whether <paramref name="path"/> is strictly below <paramref name="folder"/>.</summary>
    private static bool IsInside(string path, string folder)
    {
        var prefix = folder.EndsWith('/') ? folder : folder + "/";
        return path.Length > prefix.Length && path.StartsWith(prefix, StringComparison.Ordinal);
    }

    private static string Flat(string value) => value switch
    {
        "." => "_",
        ".." => "__",
        _ => value.Replace('/', '_'),
    };
}
