using System.Runtime.InteropServices;
using GoDocker.Access;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace GoDocker.Executors.Docker;

/// <summary>
/// A job's volumes, checked at launch and held by descriptor (DESIGN: host paths of volumes are resolved and
/// checked at launch, not only at submit). Each host path is walked from its volume's allowed root one component
/// at a time with <c>O_PATH|O_NOFOLLOW|O_DIRECTORY</c>: a symlink or a non-directory anywhere below the root
/// refuses the launch, and the directory checked is the one held. When the engine shares this server's mount
/// namespace and the server may mount, each held directory is bind-mounted from its descriptor onto a private
/// staging path the engine binds from, so the engine mounts exactly what was checked, whatever happens to the
/// names meanwhile; otherwise (a remote engine) the engine gets the checked path, resolved and checked just now.
/// </summary>
internal sealed partial class HostVolumes : IDisposable
{
    private readonly List<(Mount Mount, SafeFileHandle Directory, string CheckedPath)> held = [];
    private readonly List<string> staged = [];
    private readonly ILogger logger;

    private HostVolumes(ILogger logger) => this.logger = logger;

    /// <summary>
    /// Opens every mount's host path beneath its volume's allowed root (<paramref name="roots"/>: volume name → root
    /// as configured). Null with <paramref name="refusal"/> set when one cannot be mounted as checked.
    /// </summary>
    public static HostVolumes? Check(IReadOnlyList<Mount> mounts, IReadOnlyDictionary<string, string> roots, ILogger logger, out string? refusal)
    {
        var volumes = new HostVolumes(logger);
        refusal = null;
        foreach (var mount in mounts)
        {
            if (!roots.TryGetValue(mount.Name, out var configuredRoot))
            {
                refusal = $"volume '{mount.Name}' is no longer offered by the site";
                break;
            }
            if ((refusal = volumes.Open(mount, configuredRoot)) is not null)
            {
                refusal = $"volume '{mount.Name}': {refusal}";
                break;
            }
        }
        if (refusal is not null)
        {
            volumes.Dispose();
            return null;
        }
        return volumes;
    }

    /// <summary>
    /// The binds for the engine, in the order of the mounts. With <paramref name="stagingDirectory"/> (the engine sees
    /// this server's mounts), each is a bind mount of the held directory under it; a failure to mount falls back to
    /// the checked path and is logged.
    /// </summary>
    public IReadOnlyList<string> Binds(string? stagingDirectory)
    {
        var binds = new List<string>();
        for (var i = 0; i < held.Count; i++)
        {
            var (mount, directory, checkedPath) = held[i];
            var source = checkedPath;
            if (stagingDirectory is not null)
            {
                var target = Path.Combine(stagingDirectory, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (Stage(directory, stagingDirectory, target) is { } error)
                {
                    logger.LogWarning("volume {Volume}: could not stage {Path} by descriptor ({Error}); the engine binds the path checked at launch",
                        mount.Name, checkedPath, error);
                }
                else
                {
                    source = target;
                }
            }
            binds.Add($"{source}:{mount.ContainerPath}:{(mount.ReadOnly ? "ro" : "rw")}");
        }
        return binds;
    }

    /// <summary>Detaches the staging mounts (the started container keeps its own) and closes the descriptors.</summary>
    public void Dispose()
    {
        foreach (var target in staged)
        {
            Unstage(target, logger);
        }
        staged.Clear();
        foreach (var (_, directory, _) in held)
        {
            directory.Dispose();
        }
        held.Clear();
    }

    /// <summary>Detaches and removes whatever a previous run left under <paramref name="stagingRoot"/> (a crash mid-launch).</summary>
    public static void RemoveLeftovers(string stagingRoot, ILogger logger)
    {
        if (!Directory.Exists(stagingRoot))
        {
            return;
        }
        foreach (var container in Directory.EnumerateDirectories(stagingRoot))
        {
            foreach (var target in Directory.EnumerateDirectories(container))
            {
                Unstage(target, logger);
            }
            TryRemoveEmpty(container, logger);
        }
    }

    private string? Open(Mount mount, string configuredRoot)
    {
        // The root is the site's own configuration (trusted, e.g. /home): resolved by name once, then held.
        var root = RealPaths.Resolve(configuredRoot);
        if (root is null)
        {
            return $"its allowed folder {configuredRoot} does not exist on the host";
        }
        var relative = Path.GetRelativePath(root, mount.HostPath);
        if (!Path.IsPathFullyQualified(mount.HostPath) || relative == ".." || relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return $"{mount.HostPath} leaves the volume's allowed folder {configuredRoot}";
        }
        var current = Native.Open(Native.AtCwd, root, Native.Directory);
        if (current.IsInvalid)
        {
            return $"its allowed folder {configuredRoot} cannot be opened (errno {Marshal.GetLastPInvokeError()})";
        }
        var walked = root;
        foreach (var component in relative == "." ? [] : relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (component is "." or "..")
            {
                current.Dispose();
                return $"{mount.HostPath} leaves the volume's allowed folder {configuredRoot}";
            }
            walked = Path.Combine(walked, component);
            var next = Native.Open(current, component, Native.Directory);
            var errno = Marshal.GetLastPInvokeError();
            current.Dispose();
            if (next.IsInvalid)
            {
                return errno switch
                {
                    Native.ENOENT => $"{walked} does not exist on the host",
                    // O_NOFOLLOW|O_DIRECTORY on a symlink: ENOTDIR (or ELOOP); a link is never followed here.
                    Native.ENOTDIR or Native.ELOOP => $"{walked} is a symlink or not a folder (volumes are not followed through links at launch)",
                    _ => $"{walked} cannot be opened (errno {errno})",
                };
            }
            current = next;
        }
        held.Add((mount, current, walked));
        return null;
    }

    private string? Stage(SafeFileHandle directory, string stagingDirectory, string target)
    {
        try
        {
            Directory.CreateDirectory(stagingDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.CreateDirectory(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (IOException e)
        {
            return e.Message;
        }
        // A redelivered launch finds its staging path still mounted: detach the old one first.
        Native.Unmount(target, Native.Detach);
        var source = $"/proc/self/fd/{directory.DangerousGetHandle()}";
        if (Native.Mount(source, target, null, Native.Bind | Native.Recursive, IntPtr.Zero) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            TryRemoveEmpty(target, logger);
            return $"mount failed, errno {errno}";
        }
        staged.Add(target);
        return null;
    }

    private static void Unstage(string target, ILogger logger)
    {
        if (Native.Unmount(target, Native.Detach) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != Native.EINVAL && errno != Native.ENOENT)
        {
            logger.LogWarning("could not detach volume staging mount {Path} (errno {Errno})", target, errno);
        }
        TryRemoveEmpty(target, logger);
        if (Path.GetDirectoryName(target) is { } parent)
        {
            TryRemoveEmpty(parent, logger);
        }
    }

    /// <summary>Never recursive: a staging path still mounted holds a user's files.</summary>
    private static void TryRemoveEmpty(string path, ILogger logger)
    {
        try
        {
            Directory.Delete(path, recursive: false);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException e)
        {
            logger.LogDebug("staging directory {Path} left in place: {Error}", path, e.Message);
        }
    }

    private static partial class Native
    {
        public const int AtCwdValue = -100;
        public static readonly SafeFileHandle AtCwd = new(AtCwdValue, ownsHandle: false);
        // O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        public const int Directory = 0x200000 | 0x10000 | 0x20000 | 0x80000;
        public const ulong Bind = 0x1000;
        public const ulong Recursive = 0x4000;
        public const int Detach = 2;
        public const int ENOENT = 2;
        public const int ENOTDIR = 20;
        public const int EINVAL = 22;
        public const int ELOOP = 40;

        [LibraryImport("libc", EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial SafeFileHandle Open(SafeFileHandle directory, string path, int flags);

        [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Mount(string source, string target, string? fileSystemType, ulong flags, IntPtr data);

        [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Unmount(string target, int flags);
    }
}
