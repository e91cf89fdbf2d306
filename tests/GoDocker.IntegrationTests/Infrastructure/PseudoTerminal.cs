using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>
/// A pseudo-terminal the test holds the master side of: a program started in it (<see cref="Start"/>) has the slave as
/// its controlling terminal and its stdin, stdout and stderr, as in a user's terminal window. The test types into the
/// master, reads what the program writes, and resizes the window (TIOCSWINSZ, which sends the program SIGWINCH).
/// </summary>
public sealed partial class PseudoTerminal : IDisposable
{
    private const nint Tiocswinsz = 0x5414;
    private const int FSetFd = 2;
    private const int FdCloexec = 1;

    private readonly int master;
    private readonly int slave;
    private readonly StringBuilder output = new();
    private readonly Thread reader;

    private PseudoTerminal(int master, int slave, string slavePath)
    {
        this.master = master;
        this.slave = slave;
        SlavePath = slavePath;
        reader = new Thread(ReadLoop) { IsBackground = true, Name = "pty reader" };
        reader.Start();
    }

    public string SlavePath { get; }

    /// <summary>Everything the program wrote so far (the terminal's echo of what was typed included).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static unsafe PseudoTerminal Open(int cols, int rows)
    {
        int master, slave;
        var size = new WinSize { Rows = (ushort)rows, Cols = (ushort)cols };
        if (OpenPty(&master, &slave, null, null, &size) != 0)
        {
            throw new IOException($"openpty failed (errno {Marshal.GetLastPInvokeError()})");
        }
        // Not inherited by the processes the tests start: the program opens the slave by its path.
        _ = Fcntl(master, FSetFd, FdCloexec);
        _ = Fcntl(slave, FSetFd, FdCloexec);
        var name = new byte[256];
        fixed (byte* buffer = name)
        {
            if (TtyNameR(slave, buffer, name.Length) != 0)
            {
                throw new IOException("ttyname_r failed");
            }
        }
        return new PseudoTerminal(master, slave, Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0)));
    }

    /// <summary>
    /// Starts <paramref name="program"/> in a new session whose controlling terminal is this one (setsid -c), with the
    /// slave as stdin, stdout and stderr.
    /// </summary>
    public Process Start(string program, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec setsid -c -w \"$@\" <\"$GODOCKER_TEST_PTS\" >\"$GODOCKER_TEST_PTS\" 2>&1");
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add(program);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["GODOCKER_TEST_PTS"] = SlavePath;
        info.Environment["TERM"] = "xterm";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        return Process.Start(info)!;
    }

    /// <summary>Types <paramref name="text"/> as keys (a carriage return is Enter; "\u0003" is Ctrl-C).</summary>
    public unsafe void Type(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* data = bytes)
        {
            if (Write(master, data, bytes.Length) != bytes.Length)
            {
                throw new IOException($"writing to the terminal failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
    }

    /// <summary>Resizes the window: the kernel sends SIGWINCH to the terminal's foreground process group.</summary>
    public unsafe void Resize(int cols, int rows)
    {
        var size = new WinSize { Rows = (ushort)rows, Cols = (ushort)cols };
        if (IoCtl(master, Tiocswinsz, &size) != 0)
        {
            throw new IOException($"TIOCSWINSZ failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>The exit code of <paramref name="program"/> (started in this terminal); killed, with what the terminal shows, when it does not exit in time.</summary>
    public async Task<int> ExitCodeAsync(Process program, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await program.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            program.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program.StartInfo.FileName} did not exit; the terminal shows: {Output}");
        }
        return program.ExitCode;
    }

    /// <summary>Waits until the output after <paramref name="from"/> contains <paramref name="text"/>.</summary>
    public async Task<int> WaitForAsync(string text, int from = 0, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var seen = Output;
            var at = seen.IndexOf(text, Math.Min(from, seen.Length), StringComparison.Ordinal);
            if (at >= 0)
            {
                return at + text.Length;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{text}' not seen on the terminal; it shows: {seen[Math.Min(from, seen.Length)..]}");
            }
            await Task.Delay(20);
        }
    }

    private unsafe void ReadLoop()
    {
        var buffer = new byte[4096];
        while (true)
        {
            nint read;
            fixed (byte* data = buffer)
            {
                read = Read(master, data, buffer.Length);
            }
            if (read <= 0)
            {
                if (read < 0 && Marshal.GetLastPInvokeError() == 4)
                {
                    continue;
                }
                return;
            }
            lock (output)
            {
                output.Append(Encoding.UTF8.GetString(buffer, 0, (int)read));
            }
        }
    }

    public void Dispose()
    {
        _ = Close(slave);
        _ = Close(master);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixels;
        public ushort YPixels;
    }

    [LibraryImport("libc", EntryPoint = "openpty", SetLastError = true)]
    private static unsafe partial int OpenPty(int* master, int* slave, byte* name, void* termios, WinSize* size);

    [LibraryImport("libc", EntryPoint = "ttyname_r")]
    private static unsafe partial int TtyNameR(int fd, byte* buffer, nint length);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int IoCtl(int fd, nint request, WinSize* size);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
