using System.Globalization;
using System.Text;
using GoDocker.Jobs;
using Microsoft.Win32.SafeHandles;
using static GoDocker.Storage.JobDirectories.Posix;

namespace GoDocker.Storage.JobDirectories;

/// <summary>
/// The per-job folders under the jobs root: the script, stdout, stderr and whatever the job writes. The one
/// way the server (root) touches them. A job owns its folder, so any name in it may be a symlink, a FIFO or
/// swapped between two calls: every access starts from a descriptor of the folder (opened from the
/// server-owned root without following links), opens each name relative to it without leaving it
/// (openat2 RESOLVE_BENEATH; O_NOFOLLOW per component where the kernel has no openat2), checks what it
/// opened with fstat, and then uses that descriptor, never the name again.
/// </summary>
public sealed partial class JobDirectory
{
    public const string ScriptFile = "job.sh";
    public const string StdoutFile = "stdout";
    public const string StderrFile = "stderr";

    /// <summary>
    /// The names the original GoDocker gave a job's output (god.log, god.err), which Galaxy's godocker runner reads in the
    /// job directory on its own filesystem: relative links to stdout and stderr, made when <see cref="LegacyOutputNames"/>.
    /// </summary>
    public static readonly IReadOnlyList<(string Name, string Target)> LegacyOutputLinks = [("god.log", StdoutFile), ("god.err", StderrFile)];

    /// <summary>Deeper folders are not walked: a measurement says it is incomplete, a delete fails.</summary>
    internal const int MaxDepth = 1000;
    /// <summary>At most this many entries are listed, or counted in one measurement.</summary>
    internal const int MaxEntries = 1_000_000;

    private const uint OwnerOnly = 0x1C0; // 0700
    private const uint OwnerReadWrite = 0x180; // 0600
    private static readonly Lazy<bool> KernelHasOpenat2 = new(ProbeOpenat2);

    private static readonly JobPath.Refused TooLong = new(PathRefusal.Invalid, "the path is too long");

    private readonly bool useOpenat2;

    public JobDirectory(string root)
        : this(root, KernelHasOpenat2.Value)
    {
    }

    /// <param name="useOpenat2">False forces the per-component fallback (tests of kernels without openat2).</param>
    internal JobDirectory(string root, bool useOpenat2)
    {
        Root = Path.GetFullPath(root);
        this.useOpenat2 = useOpenat2;
    }

    public string Root { get; }

    /// <summary>
    /// Whether <see cref="PrepareAsync"/> also makes <see cref="LegacyOutputLinks"/> (Compat:GoDocker10:Enabled). The server
    /// never follows them: they are names for the job's own readers, and the files API opens them like any name the job can
    /// write (beneath the folder, or refused).
    /// </summary>
    public bool LegacyOutputNames { get; init; }

    /// <summary>The folder's host path, for the engine's bind mount (the jobs root and this name are the server's own).</summary>
    public string PathFor(long jobId) => Path.Combine(Root, Name(jobId));

    private static string Name(long jobId) => jobId.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Creates the folder with the script and empty output files, owned by whoever the container runs as.
    /// A relaunch keeps what the previous attempt wrote and appends to its output files, but only when they
    /// are still plain files of the job's owner with one link; whatever else the job left under those names
    /// (a symlink, a FIFO, a hard link to another file) is moved aside, and the file created anew with O_EXCL.
    /// job.sh is always created anew.
    /// </summary>
    public async Task<string> PrepareAsync(long jobId, ResolvedJobSpec spec, CancellationToken cancellationToken)
    {
        // Owned by whoever the container runs as: the job's owner, or root for a job granted root
        // (which has no capability to write into someone else's 0700 folder).
        (int Uid, int Gid)? runsAs = spec.Root ? (0, 0) : spec.RunAs is { } owner ? (owner.Uid, owner.Gid) : null;
        var ownerUid = runsAs?.Uid ?? ProcessIdentity.Uid;
        Directory.CreateDirectory(Root);
        using var root = Own(OpenAt(AtFdCwd, Root, ORdOnly | ODirectory | OCloExec), "open", Root);
        using var dir = OpenOrCreateFolder(root, Name(jobId));
        var what = PathFor(jobId);
        // The job's owner alone may read its folder (the server, as root, still can).
        SetOwnership(dir, OwnerOnly, runsAs, what);
        if (spec.Script is { } script)
        {
            var text = script.StartsWith("#!", StringComparison.Ordinal) ? script : "#!/bin/sh\n" + script;
            if (!text.EndsWith('\n'))
            {
                text += "\n";
            }
            var file = CreateFile(dir, ScriptFile, keepOwnedBy: null);
            await using var stream = new FileStream(file, FileAccess.Write, 1);
            SetOwnership(file, OwnerOnly, runsAs, ScriptFile);
            await stream.WriteAsync(new UTF8Encoding(false).GetBytes(text), cancellationToken);
        }
        foreach (var name in (string[])[StdoutFile, StderrFile])
        {
            using var file = CreateFile(dir, name, keepOwnedBy: ownerUid);
            SetOwnership(file, OwnerReadWrite, runsAs, name);
        }
        if (LegacyOutputNames)
        {
            foreach (var (name, target) in LegacyOutputLinks)
            {
                LinkInside(dir, name, target);
            }
        }
        return what;
    }

    /// <summary>
    /// A relative link <paramref name="name"/> → <paramref name="target"/> (a name of the same folder): kept when a relaunch
    /// finds it already so, otherwise whatever holds the name (the job's own link to elsewhere, a file) is moved aside and
    /// the link made anew. Nothing is followed: symlinkat, readlinkat and renameat act on the name itself.
    /// </summary>
    private static void LinkInside(SafeFileHandle dir, string name, string target)
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var errno = SymlinkAt(target, Fd(dir), name);
            if (errno == 0)
            {
                return;
            }
            if (errno != EExist)
            {
                throw Fault("symlink", name, errno);
            }
            if (ReadLinkAt(Fd(dir), name) == target)
            {
                return;
            }
            MoveAside(dir, name);
        }
        throw new IOException($"{name} kept being replaced while it was linked");
    }

    /// <summary>
    /// Opens <paramref name="relativePath"/> inside job <paramref name="jobId"/>'s folder: a regular file for
    /// reading, or a folder's listing. Refuses absolute paths and '..' segments, symlinks that lead out of the
    /// folder, and anything that is not a regular file or a folder (FIFOs, sockets, devices are never opened
    /// for reading: a FIFO cannot block, a device cannot stream without end).
    /// </summary>
    public JobPath Open(long jobId, string? relativePath)
    {
        var path = (relativePath ?? "").Replace('\\', '/');
        if (path.StartsWith('/') || path.Contains('\0', StringComparison.Ordinal))
        {
            return new JobPath.Refused(PathRefusal.Invalid, "absolute paths are not allowed");
        }
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Contains(".."))
        {
            return new JobPath.Refused(PathRefusal.Invalid, "'..' is not allowed in paths");
        }
        using var dir = OpenFolder(jobId, OPath);
        if (dir is null)
        {
            // Retention may have archived it: the same paths are served from the archive.
            return OpenInArchive(jobId, segments, path)
                ?? new JobPath.Refused(PathRefusal.NotFound, "the job directory does not exist (yet, or any more)");
        }
        var (found, refused) = useOpenat2 ? OpenBeneath(dir, segments) : OpenEachComponent(dir, segments);
        if (found is null)
        {
            return refused!;
        }
        using (found)
        {
            var status = StatOrThrow(found, path);
            if (status.IsDirectory)
            {
                using var listed = Own(OpenAt(Fd(found), ".", ORdOnly | ODirectory | OCloExec), "open", path);
                return new JobPath.Listing(List(listed, path));
            }
            if (!status.IsRegularFile)
            {
                return new JobPath.Refused(PathRefusal.NotRegularFile, "is a FIFO, socket or device: only regular files and folders are served");
            }
            // Upgrade the O_PATH descriptor through its /proc link: the same inode, no name resolved again,
            // and nothing opened before it was known to be a regular file.
            var readable = Own(OpenAt(AtFdCwd, $"/proc/self/fd/{Fd(found)}", ORdOnly | ONonBlock | OCloExec), "reopen", path);
            var reopened = StatOrThrow(readable, path);
            if (!reopened.IsRegularFile || !reopened.IsSameFile(status))
            {
                readable.Dispose();
                throw new IOException($"reopening {path} of job {jobId} gave another file");
            }
            return new JobPath.OpenedFile(new FileStream(readable, FileAccess.Read, 1), segments.Length == 0 ? "" : segments[^1]);
        }
    }

    /// <summary>
    /// What job <paramref name="jobId"/>'s folder occupies (allocated blocks of everything in it, or a regular
    /// file's size when larger; links not followed). Stops counting once past <paramref name="stopAbove"/>. Null when the folder does not exist.
    /// </summary>
    public DirectoryUsage? Measure(long jobId, long stopAbove)
    {
        using var dir = OpenFolder(jobId, ORdOnly);
        if (dir is null)
        {
            return null;
        }
        long total = StatOrThrow(dir, PathFor(jobId)).AllocatedBytes;
        var entries = 0;
        var complete = true;
        Sum(dir, 0);
        return new DirectoryUsage(total, complete && total <= stopAbove);

        void Sum(SafeFileHandle folder, int depth)
        {
            foreach (var name in ReadNames(Fd(folder), MaxEntries - entries, "job directory"))
            {
                entries++;
                if (total > stopAbove || !TryStat(Fd(folder), name, out var status, out _))
                {
                    continue;
                }
                // A sparse file counts at its apparent size too: it is what a download would stream.
                total += status.IsRegularFile ? Math.Max(status.Size, status.AllocatedBytes) : status.AllocatedBytes;
                if (status.IsDirectory && total <= stopAbove)
                {
                    if (depth + 1 > MaxDepth)
                    {
                        complete = false;
                        continue;
                    }
                    var fd = OpenAt(Fd(folder), name, ORdOnly | ODirectory | ONoFollow | OCloExec);
                    if (fd >= 0)
                    {
                        using var child = new SafeFileHandle(fd, ownsHandle: true);
                        Sum(child, depth + 1);
                    }
                }
            }
            complete &= entries < MaxEntries;
        }
    }

    /// <summary>Deletes the folder (archive), unlinking every entry through descriptors: a symlink in it is removed, never followed.</summary>
    public void Delete(long jobId)
    {
        var name = Name(jobId);
        using var root = Own(OpenAt(AtFdCwd, Root, OPath | ODirectory | OCloExec), "open", Root);
        using (var dir = OpenFolder(jobId, ORdOnly))
        {
            if (dir is null)
            {
                return;
            }
            Empty(dir, PathFor(jobId), 0);
        }
        var errno = UnlinkAt(Fd(root), name, directory: true);
        if (errno is not (0 or ENoEnt))
        {
            throw Fault("rmdir", PathFor(jobId), errno);
        }

        static void Empty(SafeFileHandle folder, string what, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new IOException($"{what} is more than {MaxDepth} folders deep");
            }
            foreach (var name in ReadNames(Fd(folder), int.MaxValue, what))
            {
                var errno = UnlinkAt(Fd(folder), name, directory: false);
                if (errno == EIsDir)
                {
                    var fd = OpenAt(Fd(folder), name, ORdOnly | ODirectory | ONoFollow | OCloExec);
                    if (fd >= 0)
                    {
                        using var child = new SafeFileHandle(fd, ownsHandle: true);
                        Empty(child, what + "/" + name, depth + 1);
                    }
                    errno = UnlinkAt(Fd(folder), name, directory: true);
                }
                if (errno is not (0 or ENoEnt))
                {
                    throw Fault("unlink", what + "/" + name, errno);
                }
            }
        }
    }

    /// <summary>The job's folder, opened from the jobs root without following a link; null when absent.</summary>
    private SafeFileHandle? OpenFolder(long jobId, int access)
    {
        var root = OpenAt(AtFdCwd, Root, OPath | ODirectory | OCloExec);
        if (root == -ENoEnt)
        {
            return null;
        }
        using var rootHandle = Own(root, "open", Root);
        var fd = OpenAt(root, Name(jobId), access | ODirectory | ONoFollow | OCloExec);
        return fd is -ENoEnt or -ENotDir or -ELoop ? null : Own(fd, "open", PathFor(jobId));
    }

    /// <summary>openat2 with RESOLVE_BENEATH: the kernel follows links only while they stay inside the folder.</summary>
    private static (SafeFileHandle? Found, JobPath.Refused? Refused) OpenBeneath(SafeFileHandle dir, string[] segments)
    {
        var path = segments.Length == 0 ? "." : string.Join('/', segments);
        for (var attempt = 0; ; attempt++)
        {
            var fd = Openat2(Fd(dir), path, OPath | OCloExec, ResolveBeneath | ResolveNoMagicLinks);
            if (fd >= 0)
            {
                return (new SafeFileHandle(fd, ownsHandle: true), null);
            }
            switch (-fd)
            {
                case EXDev:
                    return (null, new JobPath.Refused(PathRefusal.OutsideJobDirectory, "the path leaves the job directory"));
                case ENoEnt or ENotDir or ELoop:
                    return (null, new JobPath.Refused(PathRefusal.NotFound, "no such file"));
                case ENameTooLong:
                    return (null, TooLong);
                case EAgain when attempt < 8:
                    // A rename raced the lookup; the kernel asks to try again.
                    continue;
                default:
                    throw Fault("openat2", path, -fd);
            }
        }
    }

    /// <summary>Without openat2: one O_NOFOLLOW open per component, each relative to the last; a symlink anywhere is refused.</summary>
    private static (SafeFileHandle? Found, JobPath.Refused? Refused) OpenEachComponent(SafeFileHandle dir, string[] segments)
    {
        var current = Own(OpenAt(Fd(dir), ".", OPath | ODirectory | OCloExec), "open", ".");
        for (var i = 0; i < segments.Length; i++)
        {
            var fd = OpenAt(Fd(current), segments[i], OPath | ONoFollow | OCloExec);
            current.Dispose();
            if (fd is -ENoEnt or -ENotDir)
            {
                return (null, new JobPath.Refused(PathRefusal.NotFound, "no such file"));
            }
            if (fd == -ENameTooLong)
            {
                return (null, TooLong);
            }
            current = Own(fd, "open", segments[i]);
            var status = StatOrThrow(current, segments[i]);
            if (status.IsSymbolicLink)
            {
                current.Dispose();
                return (null, new JobPath.Refused(PathRefusal.OutsideJobDirectory, $"'{segments[i]}' is a symbolic link (not followed on a kernel without openat2)"));
            }
            if (i < segments.Length - 1 && !status.IsDirectory)
            {
                current.Dispose();
                return (null, new JobPath.Refused(PathRefusal.NotFound, "no such file"));
            }
        }
        return (current, null);
    }

    private static List<JobDirectoryEntry> List(SafeFileHandle folder, string what)
    {
        var entries = new List<JobDirectoryEntry>();
        foreach (var name in ReadNames(Fd(folder), MaxEntries, what))
        {
            if (TryStat(Fd(folder), name, out var status, out _))
            {
                entries.Add(new JobDirectoryEntry(name, status.Kind, status.IsRegularFile ? status.Size : 0, status.ModifiedAt));
            }
        }
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return entries;
    }

    /// <summary>mkdirat in the jobs root; whatever else holds the name is moved aside first.</summary>
    private static SafeFileHandle OpenOrCreateFolder(SafeFileHandle root, string name)
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var errno = MkdirAt(Fd(root), name, OwnerOnly);
            if (errno is not (0 or EExist))
            {
                throw Fault("mkdir", name, errno);
            }
            var fd = OpenAt(Fd(root), name, ORdOnly | ODirectory | ONoFollow | OCloExec);
            if (fd >= 0)
            {
                return new SafeFileHandle(fd, ownsHandle: true);
            }
            if (fd is not (-ELoop or -ENotDir))
            {
                throw Fault("open", name, -fd);
            }
            MoveAside(root, name);
        }
        throw new IOException($"job directory {name} kept being replaced");
    }

    /// <summary>
    /// A file of the folder opened for writing: the one already there when it is a plain file of
    /// <paramref name="keepOwnedBy"/> with one link (appended to), otherwise a new one created with O_EXCL
    /// after moving aside whatever held the name.
    /// </summary>
    private static SafeFileHandle CreateFile(SafeFileHandle dir, string name, int? keepOwnedBy)
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            if (TryStat(Fd(dir), name, out var status, out var errno))
            {
                if (keepOwnedBy is { } uid && IsKeepable(status, uid))
                {
                    var kept = OpenAt(Fd(dir), name, OWrOnly | OAppend | ONoFollow | ONonBlock | OCloExec);
                    if (kept >= 0)
                    {
                        var handle = new SafeFileHandle(kept, ownsHandle: true);
                        if (TryStat(kept, "", out var opened, out _) && IsKeepable(opened, uid) && opened.IsSameFile(status))
                        {
                            return handle;
                        }
                        handle.Dispose();
                    }
                }
                MoveAside(dir, name);
            }
            else if (errno != ENoEnt)
            {
                throw Fault("stat", name, errno);
            }
            var fd = OpenAt(Fd(dir), name, OWrOnly | OCreat | OExcl | ONoFollow | OCloExec, OwnerReadWrite);
            if (fd >= 0)
            {
                return new SafeFileHandle(fd, ownsHandle: true);
            }
            if (fd != -EExist)
            {
                throw Fault("create", name, -fd);
            }
        }
        throw new IOException($"{name} kept being replaced while it was created");

        static bool IsKeepable(FileStatus status, int uid) => status.IsRegularFile && status.Links == 1 && status.Uid == uid;
    }

    /// <summary>Renames whatever holds <paramref name="name"/> to a free name beside it (renameat never follows a link).</summary>
    private static void MoveAside(SafeFileHandle dir, string name)
    {
        var aside = $"{name}.moved-aside-{DateTime.UtcNow.Ticks}";
        var errno = RenameAt(Fd(dir), name, aside);
        if (errno is not (0 or ENoEnt))
        {
            throw Fault("rename", name, errno);
        }
    }

    private static void SetOwnership(SafeFileHandle file, uint mode, (int Uid, int Gid)? owner, string what)
    {
        FChmodOrThrow(Fd(file), mode, what);
        if (owner is { } who)
        {
            FChownOrThrow(Fd(file), who.Uid, who.Gid, what);
        }
    }

    private static FileStatus StatOrThrow(SafeFileHandle handle, string what) =>
        TryStat(Fd(handle), "", out var status, out var errno) ? status : throw Fault("fstat", what, errno);

    private static SafeFileHandle Own(int fd, string call, string what) =>
        fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw Fault(call, what, -fd);

    private static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    /// <summary>Whether openat2 works here (absent before Linux 5.6; ENOSYS or EPERM under some seccomp filters).</summary>
    private static bool ProbeOpenat2()
    {
        var fd = Openat2(AtFdCwd, "/", OPath | ODirectory | OCloExec, ResolveNoSymlinks);
        if (fd < 0)
        {
            return false;
        }
        new SafeFileHandle(fd, ownsHandle: true).Dispose();
        return true;
    }
}
