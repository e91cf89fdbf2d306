using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace GoDocker.Cli.Api.Http;

/// <summary>
/// A TCP connection through libc's socket calls, blocking, on the caller's thread. The async methods keep the
/// Stream contract and honour their token: cancelling shuts the connection down, and the call ends cancelled.
/// </summary>
/// <remarks>
/// For the one-request `godocker` process only. Creating any System.Net.Sockets.Socket starts .NET's socket engine:
/// an epoll thread, which the creating thread waits for by spinning on sched_yield. With the thread pool that async
/// completions then wake, that was 0.5-0.9 ms of a 5 ms `godocker submit` on this 2-core machine (perf record over
/// 300 runs: 11% of all samples in the engine's constructor alone), for a process that makes one request and exits.
/// The server and the tests use ordinary sockets.
/// </remarks>
internal sealed partial class PosixTcpStream : Stream
{
    private const int AfInet = 2;
    private const int AfInet6 = 10;
    private const int SockStream = 1;
    private const int SockCloexec = 0x80000;
    private const int IpProtoTcp = 6;
    private const int TcpNodelay = 1;
    private const int SolSocket = 1;
    private const int SoSndtimeo = 21;
    private const int ShutRdwr = 2;
    private const int MsgNosignal = 0x4000;
    private const int Eintr = 4;
    private const int Einprogress = 115;
    private const int Eagain = 11;

    private readonly int fd;
    private int closed;

    private PosixTcpStream(int fd) => this.fd = fd;

    /// <summary>Connects to <paramref name="endpoint"/>; a connect that takes longer than <paramref name="timeout"/> fails as timed out.</summary>
    /// <exception cref="SocketException">when the connection is refused, times out or fails.</exception>
    /// <exception cref="OperationCanceledException">when <paramref name="cancellationToken"/> was cancelled before the call.</exception>
    public static PosixTcpStream Connect(IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var address = SocketAddress(endpoint);
        var fd = Socket(endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? AfInet6 : AfInet, SockStream | SockCloexec, IpProtoTcp);
        if (fd < 0)
        {
            throw Failure(Marshal.GetLastPInvokeError());
        }
        var stream = new PosixTcpStream(fd);
        try
        {
            var on = 1;
            SetSockOpt(fd, IpProtoTcp, TcpNodelay, ref on, sizeof(int));
            // Linux bounds a blocking connect by the send timeout; it is cleared once connected.
            var deadline = TimeVal.From(timeout);
            SetSockOpt(fd, SolSocket, SoSndtimeo, ref deadline, Marshal.SizeOf<TimeVal>());
            int result;
            while ((result = ConnectTo(fd, address, address.Length)) < 0 && Marshal.GetLastPInvokeError() == Eintr)
            {
            }
            if (result < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw errno is Einprogress or Eagain ? new SocketException((int)SocketError.TimedOut) : Failure(errno);
            }
            var none = default(TimeVal);
            SetSockOpt(fd, SolSocket, SoSndtimeo, ref none, Marshal.SizeOf<TimeVal>());
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }
        using var abort = OnCancelShutDown(cancellationToken);
        var read = ReceiveSome(buffer.Span);
        return cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken)
            : read >= 0 ? ValueTask.FromResult(read)
            : ValueTask.FromException<int>(IoFailure(Marshal.GetLastPInvokeError()));
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        using var abort = OnCancelShutDown(cancellationToken);
        var errno = SendAll(buffer.Span);
        return cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled(cancellationToken)
            : errno == 0 ? ValueTask.CompletedTask
            : ValueTask.FromException(IoFailure(errno));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReceiveSome(buffer.AsSpan(offset, count)) is var read and >= 0 ? read : throw IoFailure(Marshal.GetLastPInvokeError());

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (SendAll(buffer.AsSpan(offset, count)) is var errno and not 0)
        {
            throw IoFailure(errno);
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref closed, 1) == 0)
        {
            Close(fd);
        }
        base.Dispose(disposing);
    }

    /// <summary>Bytes read, 0 at end of stream, -1 on failure (errno set).</summary>
    private unsafe int ReceiveSome(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(closed != 0, this);
        fixed (byte* bytes = buffer)
        {
            nint read;
            while ((read = Receive(fd, bytes, buffer.Length, 0)) < 0 && Marshal.GetLastPInvokeError() == Eintr)
            {
            }
            return (int)read;
        }
    }

    /// <summary>0 when every byte was sent, else the errno.</summary>
    private unsafe int SendAll(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(closed != 0, this);
        fixed (byte* bytes = buffer)
        {
            var sent = 0;
            while (sent < buffer.Length)
            {
                var result = Send(fd, bytes + sent, buffer.Length - sent, MsgNosignal);
                if (result < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != Eintr)
                    {
                        return errno;
                    }
                    continue;
                }
                sent += (int)result;
            }
            return 0;
        }
    }

    /// <summary>shutdown(2) wakes a thread blocked on the socket and, unlike close(2), cannot hand its number to another file.</summary>
    private CancellationTokenRegistration OnCancelShutDown(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? cancellationToken.Register(static s => ((PosixTcpStream)s!).ShutDown(), this) : default;

    private void ShutDown()
    {
        if (Volatile.Read(ref closed) == 0)
        {
            _ = Shutdown(fd, ShutRdwr);
        }
    }

    private static byte[] SocketAddress(IPEndPoint endpoint)
    {
        // struct sockaddr_in (16 bytes) or sockaddr_in6 (28): family in host order, port in network order.
        var ipv6 = endpoint.AddressFamily == AddressFamily.InterNetworkV6;
        var address = new byte[ipv6 ? 28 : 16];
        BitConverter.TryWriteBytes(address.AsSpan(0, 2), (ushort)(ipv6 ? AfInet6 : AfInet));
        BinaryPrimitives.WriteUInt16BigEndian(address.AsSpan(2, 2), (ushort)endpoint.Port);
        if (ipv6)
        {
            endpoint.Address.TryWriteBytes(address.AsSpan(8, 16), out _);
            BitConverter.TryWriteBytes(address.AsSpan(24, 4), (uint)endpoint.Address.ScopeId);
        }
        else
        {
            endpoint.Address.TryWriteBytes(address.AsSpan(4, 4), out _);
        }
        return address;
    }

    /// <summary>The errno as the SocketError the rest of the client describes ("connection refused", …).</summary>
    private static SocketException Failure(int errno) => new((int)(errno switch
    {
        111 => SocketError.ConnectionRefused,
        110 => SocketError.TimedOut,
        101 => SocketError.NetworkUnreachable,
        113 => SocketError.HostUnreachable,
        104 => SocketError.ConnectionReset,
        103 => SocketError.ConnectionAborted,
        32 => SocketError.Shutdown,
        99 => SocketError.AddressNotAvailable,
        97 => SocketError.AddressFamilyNotSupported,
        _ => SocketError.SocketError,
    }));

    /// <summary>A failure mid-exchange, reported as NetworkStream reports one: an IOException around the SocketException.</summary>
    private static IOException IoFailure(int errno)
    {
        var inner = Failure(errno);
        return new IOException(inner.SocketErrorCode == SocketError.SocketError ? Marshal.GetPInvokeErrorMessage(errno) : inner.Message, inner);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeVal
    {
        public long Seconds;
        public long Microseconds;

        public static TimeVal From(TimeSpan span) => new() { Seconds = (long)span.TotalSeconds, Microseconds = span.Microseconds + span.Milliseconds * 1000L };
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    private static partial int ConnectTo(int fd, byte[] address, int length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(int fd, int level, int name, ref int value, int length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(int fd, int level, int name, ref TimeVal value, int length);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static unsafe partial nint Receive(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static unsafe partial nint Send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    private static partial int Shutdown(int fd, int how);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
