using System.Runtime.InteropServices;
using GoDocker.Execution;

namespace GoDocker.Cli.Exec;

/// <summary>
/// The local terminal as `godocker exec -t` needs it: raw mode (every key, Ctrl-C included, goes to the remote
/// terminal as a byte; no local echo), its size, and plain reads and writes of the standard descriptors. The
/// descriptors are read and written with read(2) and write(2): .NET's console stream edits lines on a terminal.
/// </summary>
internal static unsafe partial class Terminal
{
    public const int StdinFd = 0;
    public const int StdoutFd = 1;
    public const int StderrFd = 2;

    private const int Tcsanow = 0;
    private const nint Tiocgwinsz = 0x5413;
    private const int Eintr = 4;

    /// <summary>glibc's struct termios is 60 bytes (x86-64, arm64); room for more.</summary>
    private const int TermiosBytes = 128;

    public static bool IsTerminal(int fd) => IsATty(fd) == 1;

    /// <summary>Puts <paramref name="fd"/> in raw mode; disposing the result restores the settings it had (idempotent).</summary>
    public static RawMode? EnterRawMode(int fd)
    {
        var saved = new byte[TermiosBytes];
        fixed (byte* original = saved)
        {
            if (TcGetAttr(fd, original) != 0)
            {
                return null;
            }
        }
        var raw = (byte[])saved.Clone();
        fixed (byte* settings = raw)
        {
            CfMakeRaw(settings);
            if (TcSetAttr(fd, Tcsanow, settings) != 0)
            {
                return null;
            }
        }
        return new RawMode(fd, saved);
    }

    /// <summary>The terminal's size (TIOCGWINSZ), null when <paramref name="fd"/> is not one or it does not say.</summary>
    public static TerminalSize? Size(int fd)
    {
        WinSize size;
        if (IoCtl(fd, Tiocgwinsz, &size) != 0 || size.Cols == 0 || size.Rows == 0)
        {
            return null;
        }
        var result = new TerminalSize(size.Cols, size.Rows);
        return result.IsValid ? result : null;
    }

    /// <summary>One read(2): up to the buffer's length, as soon as anything is there; 0 at end of file.</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* bytes = buffer)
        {
            while (true)
            {
                var read = ReadFd(fd, bytes, buffer.Length);
                if (read >= 0)
                {
                    return (int)read;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Eintr)
                {
                    throw new IOException($"reading standard input failed (errno {errno})");
                }
            }
        }
    }

    /// <summary>Writes all of <paramref name="data"/>; a closed output (EPIPE) throws.</summary>
    public static void Write(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* bytes = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var written = WriteFd(fd, bytes + done, data.Length - done);
                if (written < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Eintr)
                    {
                        continue;
                    }
                    throw new IOException($"writing to descriptor {fd} failed (errno {errno})");
                }
                done += (int)written;
            }
        }
    }

    /// <summary>Raw mode in force; <see cref="Dispose"/> puts the terminal back as it was.</summary>
    public sealed class RawMode(int fd, byte[] saved) : IDisposable
    {
        private int restored;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref restored, 1) == 0)
            {
                fixed (byte* settings = saved)
                {
                    _ = TcSetAttr(fd, Tcsanow, settings);
                }
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixels;
        public ushort YPixels;
    }

    [LibraryImport("libc", EntryPoint = "isatty")]
    private static partial int IsATty(int fd);

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static partial int TcGetAttr(int fd, byte* termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static partial int TcSetAttr(int fd, int action, byte* termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static partial void CfMakeRaw(byte* termios);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoCtl(int fd, nint request, WinSize* size);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadFd(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteFd(int fd, byte* buffer, nint count);
}
