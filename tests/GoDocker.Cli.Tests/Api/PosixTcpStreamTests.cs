using System.Net;
using System.Net.Sockets;
using System.Text;
using GoDocker.Cli.Api.Http;

namespace GoDocker.Cli.Tests.Api;

/// <summary>The libc-backed connection of the CLI against real loopback listeners.</summary>
public class PosixTcpStreamTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task BytesGoBothWays_OverIPv4AndIPv6(string address)
    {
        var ip = IPAddress.Parse(address);
        using var listener = new TcpListener(ip, 0);
        listener.Start();
        var echo = EchoOnceAsync(listener);

        await using var stream = PosixTcpStream.Connect(new IPEndPoint(ip, Port(listener)), TimeSpan.FromSeconds(5), CancellationToken.None);
        var payload = Encoding.ASCII.GetBytes(new string('x', 100_000));
        await stream.WriteAsync(payload, CancellationToken.None);
        var received = new MemoryStream();
        var buffer = new byte[8192];
        while (received.Length < payload.Length && await stream.ReadAsync(buffer, CancellationToken.None) is var read and > 0)
        {
            received.Write(buffer, 0, read);
        }

        Assert.Equal(payload, received.ToArray());
        await echo;
    }

    [Fact]
    public async Task ReadAtTheEndOfStream_ReturnsZero()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        await using var stream = PosixTcpStream.Connect(new IPEndPoint(IPAddress.Loopback, Port(listener)), TimeSpan.FromSeconds(5), CancellationToken.None);
        (await listener.AcceptTcpClientAsync()).Dispose();

        Assert.Equal(0, await stream.ReadAsync(new byte[16], CancellationToken.None));
    }

    [Fact]
    public void NoListener_IsConnectionRefused()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = Port(probe);
        }

        var e = Assert.Throws<SocketException>(() => PosixTcpStream.Connect(new IPEndPoint(IPAddress.Loopback, port), TimeSpan.FromSeconds(5), CancellationToken.None));

        Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
    }

    [Fact]
    public async Task ABlockedRead_EndsCancelled_WhenItsTokenFires()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        await using var stream = PosixTcpStream.Connect(new IPEndPoint(IPAddress.Loopback, Port(listener)), TimeSpan.FromSeconds(5), CancellationToken.None);
        using var silent = await listener.AcceptTcpClientAsync(); // accepts, never writes
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var read = Task.Run(async () => await stream.ReadAsync(new byte[16], cancel.Token));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AFailedWrite_IsAnIOException_AroundTheSocketError()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        await using var stream = PosixTcpStream.Connect(new IPEndPoint(IPAddress.Loopback, Port(listener)), TimeSpan.FromSeconds(5), CancellationToken.None);
        var peer = await listener.AcceptTcpClientAsync();
        peer.Client.LingerState = new LingerOption(true, 0); // close with RST
        peer.Dispose();

        var e = await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await stream.WriteAsync(new byte[65536], CancellationToken.None);
            }
        });
        Assert.IsType<SocketException>(e.InnerException);
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    private static async Task EchoOnceAsync(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var buffer = new byte[8192];
        var total = 0;
        while (total < 100_000 && await stream.ReadAsync(buffer) is var read and > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read));
            total += read;
        }
    }
}
