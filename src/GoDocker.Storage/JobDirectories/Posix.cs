using System.Runtime.InteropServices;

namespace GoDocker.Storage.JobDirectories;

/// <summary>The libc calls .NET does not expose: ownership of job directories, and who this process is.</summary>
internal static partial class Posix
{
    /// <summary>lchown(2): never follows a symlink (a job could plant one to get a host file chowned to it).</summary>
    [LibraryImport("libc", EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int LChown(string path, int owner, int group);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial int GetEffectiveUid();

    [LibraryImport("libc", EntryPoint = "getegid")]
    public static partial int GetEffectiveGid();

    public static void ChownOrThrow(string path, int uid, int gid)
    {
        if (LChown(path, uid, gid) != 0)
        {
            throw new IOException($"chown {uid}:{gid} {path} failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }
}

/// <summary>This server process's own identity (the run-as identity of jobs when there is no authentication).</summary>
public static class ProcessIdentity
{
    public static int Uid => Posix.GetEffectiveUid();
    public static int Gid => Posix.GetEffectiveGid();
}
