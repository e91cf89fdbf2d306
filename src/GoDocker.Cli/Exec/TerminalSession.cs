using System.Net.WebSockets;
using System.Runtime.InteropServices;
using GoDocker.Contracts;

namespace GoDocker.Cli.Exec;

/// <summary>
/// Runs one session (an exec, or an attach to an interactive job) on the local terminal: raw mode when asked (every
/// key, Ctrl-C and Ctrl-Z included, reaches the remote terminal as a byte; restored on every way out, a SIGHUP
/// included), the remote terminal's size following ours (SIGWINCH), and the detach keys when given.
/// </summary>
internal static class TerminalSession
{
    /// <summary>The server's last word (null when the connection ended without one), and whether the user detached.</summary>
    public static async Task<(ExecStatus? Status, bool Detached)> RunAsync(
        WebSocket socket, bool stdin, bool raw, bool followSize, DetachKeys? detach, CancellationToken cancellationToken)
    {
        using var connection = new ExecConnection(socket);
        // Restored in the finally below, and by the RawMode's own guard on a signal that ends the process.
        using var rawMode = raw ? Terminal.EnterRawMode(Terminal.StdinFd) : null;
        using var resizes = followSize ? PosixSignalRegistration.Create(PosixSignal.SIGWINCH, signal =>
        {
            if (Terminal.Size(Terminal.StdinFd) is { } now)
            {
                _ = connection.ResizeAsync(now);
            }
        }) : null;
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => rawMode?.Dispose());
        try
        {
            var status = await connection.RunAsync(stdin, cancellationToken, detach);
            return (status, connection.Detached);
        }
        finally
        {
            rawMode?.Dispose();
        }
    }
}
