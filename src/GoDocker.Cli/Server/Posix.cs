using System.Runtime.InteropServices;

namespace GoDocker.Cli.Server;

/// <summary>The libc calls `godocker server` needs to become the server process.</summary>
internal static partial class Posix
{
    public const int SigPipe = 13;
    public static readonly nint SigDefault = 0;

    /// <summary>Replaces this process image; returns only on failure (-1, errno set).</summary>
    /// <param name="argv">Arguments including argv[0], terminated by a null element.</param>
    [LibraryImport("libc", EntryPoint = "execv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Execv(string path, string?[] argv);

    [LibraryImport("libc", EntryPoint = "signal")]
    public static partial nint Signal(int signal, nint handler);
}
