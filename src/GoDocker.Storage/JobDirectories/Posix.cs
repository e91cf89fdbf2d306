using System.Runtime.InteropServices;

namespace GoDocker.Storage.JobDirectories;

/// <summary>
/// The libc calls .NET does not expose: descriptor-relative opens (openat, openat2), statx, ownership and
/// modes through descriptors, and who this process is. Constants are Linux's, for x86_64 and arm64.
/// </summary>
internal static unsafe partial class Posix
{
    private static readonly bool Arm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    public const int ORdOnly = 0;
    public const int OWrOnly = 0x1;
    public const int OCreat = 0x40;
    public const int OExcl = 0x80;
    public const int OAppend = 0x400;
    public const int ONonBlock = 0x800;
    public const int OCloExec = 0x80000;
    public const int OPath = 0x200000;
    public static readonly int ODirectory = Arm64 ? 0x4000 : 0x10000;
    public static readonly int ONoFollow = Arm64 ? 0x8000 : 0x20000;

    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtRemoveDir = 0x200;
    public const int AtEmptyPath = 0x1000;

    public const ulong ResolveNoMagicLinks = 0x02;
    public const ulong ResolveNoSymlinks = 0x04;
    public const ulong ResolveBeneath = 0x08;

    public const int ENoEnt = 2;
    public const int EIntr = 4;
    public const int EAgain = 11;
    public const int EExist = 17;
    public const int EXDev = 18;
    public const int ENotDir = 20;
    public const int EIsDir = 21;
    public const int ENameTooLong = 36;
    public const int ELoop = 40;

    public const uint SIfMt = 0xF000;
    public const uint SIfDir = 0x4000;
    public const uint SIfReg = 0x8000;
    public const uint SIfLnk = 0xA000;

    /// <summary>openat2(2)'s number: the same on every architecture (syscalls from 424 on share numbers).</summary>
    private const long SysOpenat2 = 437;
    private const uint StatxBasicStats = 0x7ff;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct StatxTimestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        public int Reserved;
    }

    /// <summary>struct statx: one layout on every architecture, unlike struct stat.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct StatxBuffer
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint Links;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        public ushort Spare;
        public ulong Inode;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public StatxTimestamp AccessTime;
        public StatxTimestamp BirthTime;
        public StatxTimestamp ChangeTime;
        public StatxTimestamp ModifyTime;
        public uint RdevMajor;
        public uint RdevMinor;
        public uint DevMajor;
        public uint DevMinor;
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial int GetEffectiveUid();

    [LibraryImport("libc", EntryPoint = "getegid")]
    public static partial int GetEffectiveGid();

    [LibraryImport("libc", EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenAtRaw(int dirFd, string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Openat2Raw(long number, int dirFd, byte* path, OpenHow* how, nuint size);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatxRaw(int dirFd, string path, int flags, uint mask, StatxBuffer* buffer);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    private static partial int FChmodRaw(int fd, uint mode);

    [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
    private static partial int FChownRaw(int fd, int owner, int group);

    [LibraryImport("libc", EntryPoint = "mkdirat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MkdirAtRaw(int dirFd, string path, uint mode);

    [LibraryImport("libc", EntryPoint = "renameat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int RenameAtRaw(int oldDirFd, string oldPath, int newDirFd, string newPath);

    [LibraryImport("libc", EntryPoint = "symlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SymlinkAtRaw(string target, int newDirFd, string linkPath);

    [LibraryImport("libc", EntryPoint = "unlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int UnlinkAtRaw(int dirFd, string path, int flags);

    [LibraryImport("libc", EntryPoint = "fdopendir", SetLastError = true)]
    private static partial nint FdOpenDir(int fd);

    [LibraryImport("libc", EntryPoint = "readdir", SetLastError = true)]
    private static partial nint ReadDir(nint dir);

    [LibraryImport("libc", EntryPoint = "closedir")]
    private static partial int CloseDir(nint dir);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "readlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint ReadLinkAtRaw(int dirFd, string path, byte* buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSyncRaw(int fd);

    /// <summary>A symlink's target as text, read (never followed) relative to <paramref name="dirFd"/>; null when the name is not a link (any more).</summary>
    public static string? ReadLinkAt(int dirFd, string name)
    {
        var buffer = new byte[4096];
        fixed (byte* p = buffer)
        {
            var length = ReadLinkAtRaw(dirFd, name, p, (nuint)buffer.Length);
            return length < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, (int)length);
        }
    }

    /// <summary>fsync: what was written (or renamed, for a folder) is on disk when it returns.</summary>
    public static void FSyncOrThrow(int fd, string what)
    {
        if (FSyncRaw(fd) != 0)
        {
            throw Fault("fsync", what);
        }
    }

    /// <summary>A descriptor-relative open; the descriptor, or -errno.</summary>
    public static int OpenAt(int dirFd, string path, int flags, uint mode = 0)
    {
        while (true)
        {
            var fd = OpenAtRaw(dirFd, path, flags, mode);
            if (fd >= 0)
            {
                return fd;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno != EIntr)
            {
                return -errno;
            }
        }
    }

    /// <summary>openat2(2); the descriptor, or -errno (-ENOSYS where the kernel has none).</summary>
    public static int Openat2(int dirFd, string path, int flags, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)flags, Resolve = resolve };
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        while (true)
        {
            long fd;
            fixed (byte* p = bytes)
            {
                fd = Openat2Raw(SysOpenat2, dirFd, p, &how, (nuint)sizeof(OpenHow));
            }
            if (fd >= 0)
            {
                return (int)fd;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno != EIntr)
            {
                return -errno;
            }
        }
    }

    /// <summary>statx of <paramref name="path"/> under <paramref name="dirFd"/> (never following a final link), or of the descriptor itself when the path is empty.</summary>
    public static bool TryStat(int dirFd, string path, out FileStatus status, out int errno)
    {
        StatxBuffer buffer;
        var flags = path.Length == 0 ? AtEmptyPath | AtSymlinkNoFollow : AtSymlinkNoFollow;
        if (StatxRaw(dirFd, path, flags, StatxBasicStats, &buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            status = default;
            return false;
        }
        errno = 0;
        status = new FileStatus(
            buffer.Mode, buffer.Links, (int)buffer.Uid, ((ulong)buffer.DevMajor << 32) | buffer.DevMinor, buffer.Inode,
            (long)buffer.Size, (long)buffer.Blocks * 512,
            DateTimeOffset.FromUnixTimeSeconds(buffer.ModifyTime.Seconds).AddTicks(buffer.ModifyTime.Nanoseconds / 100));
        return true;
    }

    public static void FChmodOrThrow(int fd, uint mode, string what)
    {
        if (FChmodRaw(fd, mode) != 0)
        {
            throw Fault("fchmod", what);
        }
    }

    public static void FChownOrThrow(int fd, int uid, int gid, string what)
    {
        if (FChownRaw(fd, uid, gid) != 0)
        {
            throw Fault($"fchown {uid}:{gid}", what);
        }
    }

    /// <summary>mkdirat; 0 or errno.</summary>
    public static int MkdirAt(int dirFd, string name, uint mode) =>
        MkdirAtRaw(dirFd, name, mode) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>renameat within one directory (never follows either name); 0 or errno.</summary>
    public static int RenameAt(int dirFd, string from, string to) =>
        RenameAtRaw(dirFd, from, dirFd, to) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>symlinkat: a link named <paramref name="name"/> in the directory (never follows the name, EEXIST when taken); 0 or errno.</summary>
    public static int SymlinkAt(string target, int dirFd, string name) =>
        SymlinkAtRaw(target, dirFd, name) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>unlinkat (never follows the name); 0 or errno.</summary>
    public static int UnlinkAt(int dirFd, string name, bool directory) =>
        UnlinkAtRaw(dirFd, name, directory ? AtRemoveDir : 0) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>The names in the directory open as <paramref name="dirFd"/> (without '.' and '..'), at most <paramref name="limit"/>.</summary>
    public static List<string> ReadNames(int dirFd, int limit, string what)
    {
        // A descriptor of its own: fdopendir takes it over, and its offset is not shared with dirFd.
        var fd = OpenAt(dirFd, ".", ORdOnly | ODirectory | OCloExec);
        if (fd < 0)
        {
            throw Fault("open", what, -fd);
        }
        var dir = FdOpenDir(fd);
        if (dir == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = Close(fd);
            throw Fault("fdopendir", what, errno);
        }
        try
        {
            var names = new List<string>();
            while (names.Count < limit)
            {
                var entry = ReadDir(dir);
                if (entry == 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != 0)
                    {
                        throw Fault("readdir", what, errno);
                    }
                    break;
                }
                // struct dirent: d_ino (8), d_off (8), d_reclen (2), d_type (1), then d_name (glibc and musl alike).
                var name = Marshal.PtrToStringUTF8(entry + 19)!;
                if (name is not ("." or ".."))
                {
                    names.Add(name);
                }
            }
            return names;
        }
        finally
        {
            _ = CloseDir(dir);
        }
    }

    public static IOException Fault(string call, string what, int? errno = null) =>
        new($"{call} {what} failed (errno {errno ?? Marshal.GetLastPInvokeError()})");
}

/// <summary>What statx said about one file, link or folder (never about a link's target).</summary>
internal readonly record struct FileStatus(uint Mode, uint Links, int Uid, ulong Device, ulong Inode, long Size, long AllocatedBytes, DateTimeOffset ModifiedAt)
{
    public bool IsRegularFile => (Mode & Posix.SIfMt) == Posix.SIfReg;
    public bool IsDirectory => (Mode & Posix.SIfMt) == Posix.SIfDir;
    public bool IsSymbolicLink => (Mode & Posix.SIfMt) == Posix.SIfLnk;
    public bool IsSameFile(FileStatus other) => Device == other.Device && Inode == other.Inode;

    /// <summary>What a listing calls it: file, dir, link, or other (FIFO, socket, device: never served).</summary>
    public string Kind => IsRegularFile ? "file" : IsDirectory ? "dir" : IsSymbolicLink ? "link" : "other";
}

/// <summary>This server process's own identity (the run-as identity of jobs when there is no authentication).</summary>
public static class ProcessIdentity
{
    public static int Uid => Posix.GetEffectiveUid();
    public static int Gid => Posix.GetEffectiveGid();
}
