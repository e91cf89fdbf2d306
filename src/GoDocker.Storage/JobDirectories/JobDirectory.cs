using System.Text;
using GoDocker.Jobs;

namespace GoDocker.Storage.JobDirectories;

/// <summary>
/// The per-job folders under the data directory: the script, stdout, stderr and whatever the job writes.
/// Also the one place that turns a user-supplied relative path into a file it is safe to serve.
/// </summary>
public sealed class JobDirectory(string root)
{
    public const string ScriptFile = "job.sh";
    public const string StdoutFile = "stdout";
    public const string StderrFile = "stderr";

    public string Root { get; } = Path.GetFullPath(root);

    public string PathFor(long jobId) => Path.Combine(Root, jobId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Creates the folder with the script and empty output files. Idempotent: a relaunch keeps what the
    /// previous attempt wrote and appends to the output files.
    /// </summary>
    public async Task<string> PrepareAsync(long jobId, ResolvedJobSpec spec, CancellationToken cancellationToken)
    {
        var dir = PathFor(jobId);
        Directory.CreateDirectory(dir);
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        // The job's owner alone may read its folder (the server, as root, still can).
        File.SetUnixFileMode(dir, OwnerOnly);
        var files = new List<string> { dir };
        if (spec.Script is { } script)
        {
            var text = script.StartsWith("#!", StringComparison.Ordinal) ? script : "#!/bin/sh\n" + script;
            if (!text.EndsWith('\n'))
            {
                text += "\n";
            }
            var scriptPath = Path.Combine(dir, ScriptFile);
            await File.WriteAllTextAsync(scriptPath, text, new UTF8Encoding(false), cancellationToken);
            File.SetUnixFileMode(scriptPath, OwnerOnly);
            files.Add(scriptPath);
        }
        foreach (var name in (string[])[StdoutFile, StderrFile])
        {
            var path = Path.Combine(dir, name);
            await using (new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
            }
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            files.Add(path);
        }
        // Owned by whoever the container runs as: the job's owner, or root for a job granted root
        // (which has no capability to write into someone else's 0700 folder).
        (int Uid, int Gid)? runsAs = spec.Root ? (0, 0) : spec.RunAs is { } owner ? (owner.Uid, owner.Gid) : null;
        if (runsAs is { } who)
        {
            foreach (var path in files)
            {
                Posix.ChownOrThrow(path, who.Uid, who.Gid);
            }
        }
        return dir;
    }

    /// <summary>
    /// Resolves <paramref name="relativePath"/> inside job <paramref name="jobId"/>'s folder. Refuses absolute
    /// paths, '..' segments, and any path whose real location (after following symlinks at every step)
    /// leaves the folder. Returns null when refused or absent; <paramref name="refusal"/> says why and
    /// <paramref name="kind"/> what kind of refusal it is.
    /// </summary>
    public FileSystemInfo? Resolve(long jobId, string? relativePath, out string? refusal, out PathRefusal kind)
    {
        refusal = null;
        kind = PathRefusal.None;
        var dir = new DirectoryInfo(PathFor(jobId));
        if (!dir.Exists)
        {
            (refusal, kind) = ("the job directory does not exist (yet)", PathRefusal.NotFound);
            return null;
        }
        var path = (relativePath ?? "").Replace('\\', '/');
        if (path.StartsWith('/') || path.Contains('\0', StringComparison.Ordinal))
        {
            (refusal, kind) = ("absolute paths are not allowed", PathRefusal.Invalid);
            return null;
        }
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s == ".."))
        {
            (refusal, kind) = ("'..' is not allowed in paths", PathRefusal.Invalid);
            return null;
        }
        var realRoot = RealPaths.Resolve(dir.FullName);
        if (realRoot is null)
        {
            (refusal, kind) = ("the job directory does not exist (yet)", PathRefusal.NotFound);
            return null;
        }
        var current = realRoot;
        foreach (var segment in segments.Where(s => s != "."))
        {
            var next = RealPaths.Resolve(Path.Combine(current, segment));
            if (next is null)
            {
                (refusal, kind) = ("no such file", PathRefusal.NotFound);
                return null;
            }
            if (!RealPaths.IsInside(next, realRoot))
            {
                (refusal, kind) = ("the path leaves the job directory", PathRefusal.OutsideJobDirectory);
                return null;
            }
            current = next;
        }
        FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
        if (!info.Exists)
        {
            (refusal, kind) = ("no such file", PathRefusal.NotFound);
            return null;
        }
        return info;
    }

    /// <summary>Deletes the folder (archive).</summary>
    public void Delete(long jobId)
    {
        var dir = PathFor(jobId);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

}

public enum PathRefusal
{
    None,
    /// <summary>Absolute, or contains '..': refused before touching the file system.</summary>
    Invalid,
    /// <summary>A symlink leads out of the job directory.</summary>
    OutsideJobDirectory,
    NotFound,
}
