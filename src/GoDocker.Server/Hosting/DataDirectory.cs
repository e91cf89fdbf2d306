using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace GoDocker.Server.Hosting;

/// <summary>
/// The server's data directory, claimed for the life of the process before anything touches the store or the
/// engine: an exclusive <c>flock</c> on <see cref="LockFileName"/> (a second server on the same directory would
/// take the first one's containers for leftovers and remove them), and owner-only permissions, because the
/// directory holds every password hash and every job's script and environment.
/// </summary>
internal sealed partial class DataDirectory : IDisposable
{
    public const string LockFileName = "godocker.lock";
    private const UnixFileMode GroupAndOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly SafeFileHandle lockFile;

    private DataDirectory(string path, SafeFileHandle lockFile)
    {
        Path = path;
        this.lockFile = lockFile;
    }

    public string Path { get; }

    /// <summary>
    /// Creates the directory (0700) or tightens it and its files to owner-only (saying so on <paramref name="log"/>),
    /// and locks it. Null when another process holds the lock: the reason, naming that server's pid, is written to
    /// <paramref name="log"/> and the caller must not start.
    /// </summary>
    public static DataDirectory? Claim(string path, TextWriter log)
    {
        // Every file the server creates from now on (the database and its -wal and -shm, job folders) is owner-only.
        _ = Umask(0b000_111_111);
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var lockPath = System.IO.Path.Combine(full, LockFileName);
        var fd = Open(lockPath, OpenReadWrite | OpenCreate | OpenNoFollow | OpenCloseOnExec, 0b110_000_000);
        if (fd < 0)
        {
            throw new IOException($"cannot open the lock file {lockPath} (errno {Marshal.GetLastPInvokeError()})");
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Flock(fd, LockExclusive | LockNonBlocking) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var holder = ReadPid(handle);
            handle.Dispose();
            if (errno != WouldBlock)
            {
                throw new IOException($"cannot lock {lockPath} (errno {errno})");
            }
            log.WriteLine($"data directory {full} is in use by another GoDocker server (pid {holder ?? "unknown"}): "
                + "stop it first, or give this one another --data-dir");
            return null;
        }
        RandomAccess.SetLength(handle, 0);
        RandomAccess.Write(handle, Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"), 0);
        Tighten(full, log);
        return new DataDirectory(full, handle);
    }

    /// <summary>Closing the descriptor releases the lock (as the process's exit does, however it ends).</summary>
    public void Dispose() => lockFile.Dispose();

    /// <summary>The directory and everything directly in it (the database files, the jobs folder): no access for group or others.</summary>
    private static void Tighten(string directory, TextWriter log)
    {
        var entries = new List<FileSystemInfo> { new DirectoryInfo(directory) };
        entries.AddRange(new DirectoryInfo(directory).EnumerateFileSystemInfos());
        foreach (var entry in entries)
        {
            // A symlink's own mode means nothing, and its target is not ours to change.
            if (entry.LinkTarget is not null)
            {
                continue;
            }
            var mode = entry.UnixFileMode;
            if ((mode & GroupAndOthers) != 0)
            {
                File.SetUnixFileMode(entry.FullName, mode & ~GroupAndOthers);
                log.WriteLine($"warn: {entry.FullName} was readable by other users ({Octal(mode)}): tightened to {Octal(mode & ~GroupAndOthers)}");
            }
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');

    private static string? ReadPid(SafeFileHandle handle)
    {
        var buffer = new byte[32];
        var read = RandomAccess.Read(handle, buffer, 0);
        var text = Encoding.ASCII.GetString(buffer, 0, read).Trim();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid.ToString(CultureInfo.InvariantCulture) : null;
    }

    private const int OpenReadWrite = 0x2;
    private const int OpenCreate = 0x40;
    private const int OpenNoFollow = 0x20000;
    private const int OpenCloseOnExec = 0x80000;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int WouldBlock = 11;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);
}
