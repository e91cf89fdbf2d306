using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace GoDocker.Cli.Api.Http;

/// <summary>
/// A deliberately small HTTP/1.1 client: one request per connection, the body sent with Content-Length,
/// replies framed by Content-Length, chunked coding or close. No proxy, no redirects, no compression, no DNS for
/// IP literals or "localhost", TLS only in builds with <see cref="TlsSupport"/>. No timeout but the connect (and TLS
/// handshake) one, as curl and docker: a caller that needs a deadline cancels the token. The connection is a
/// <see cref="PosixTcpStream"/>, for the same reason as this class.
/// </summary>
/// <remarks>
/// It exists for start-up time. `godocker submit` runs as a fresh process per job, and HttpClient's first request
/// costs 2-3 ms in a fresh NativeAOT process (handler pipeline, connection pool, and a binary twice the size to
/// load), a third to a half of the whole per-process budget.
/// </remarks>
internal sealed class Http1Client(Uri server, string? bearerToken = null)
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Connects, sends, and returns once the response head has arrived; the caller disposes the response.</summary>
    /// <exception cref="SocketException">when no address accepts the connection.</exception>
    /// <exception cref="TimeoutException">when connecting to a non-loopback address takes longer than <see cref="ConnectTimeout"/>.</exception>
    /// <exception cref="IOException">when the connection fails mid-exchange; <see cref="MalformedReplyException"/> when the reply is not HTTP/1.x.</exception>
    public async Task<HttpResponse> SendAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var stream = await ConnectAsync(cancellationToken);
        try
        {
            await stream.WriteAsync(request.Encode(server.Authority, bearerToken), cancellationToken);
            var reader = new BufferedReader(stream);
            HttpResponseHead head;
            do
            {
                head = await ReadHeadAsync(reader, cancellationToken);
            }
            while (head.Status is >= 100 and <= 199); // interim responses (100 Continue) precede the real one
            return new HttpResponse(head, new ResponseBodyStream(reader, head.Framing(request.Method), stream));
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends a request that asks to switch protocols (<see cref="HttpRequest.WebSocket"/>). When the server switches (101),
    /// the connection, bytes it already sent included; otherwise its response, as <see cref="SendAsync"/> answers it.
    /// </summary>
    public async Task<(HttpResponseHead Head, Stream? Switched, HttpResponse? Refusal)> UpgradeAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var stream = await ConnectAsync(cancellationToken);
        try
        {
            await stream.WriteAsync(request.Encode(server.Authority, bearerToken), cancellationToken);
            var reader = new BufferedReader(stream);
            HttpResponseHead head;
            do
            {
                head = await ReadHeadAsync(reader, cancellationToken);
            }
            while (head.Status is 100 or 102 or 103);
            return head.Status == 101
                ? (head, new SwitchedStream(reader, stream), null)
                : (head, null, new HttpResponse(head, new ResponseBodyStream(reader, head.Framing(request.Method), stream)));
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    private static async Task<HttpResponseHead> ReadHeadAsync(BufferedReader reader, CancellationToken cancellationToken)
    {
        const int maxHeaderLines = 200;
        var statusLine = await reader.ReadLineAsync(cancellationToken)
            ?? throw new MalformedReplyException("the server closed the connection without replying");
        var (status, reasonPhrase) = HttpResponseHead.ParseStatusLine(statusLine);
        var lines = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                return new HttpResponseHead(status, reasonPhrase, HttpResponseHead.ParseHeaders(lines));
            }
            if (lines.Count == maxHeaderLines)
            {
                throw new MalformedReplyException($"more than {maxHeaderLines} header lines");
            }
            lines.Add(line);
        }
        throw new MalformedReplyException("the connection closed inside the response head");
    }

    private async Task<Stream> ConnectAsync(CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(server.IdnHost, cancellationToken);
        SocketException? lastFailure = null;
        foreach (var address in addresses)
        {
            Stream stream;
            try
            {
                stream = PosixTcpStream.Connect(new IPEndPoint(address, server.Port), ConnectTimeout, cancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                throw new TimeoutException($"connection timed out after {ConnectTimeout.TotalSeconds:0} s", e);
            }
            catch (SocketException e)
            {
                lastFailure = e;
                continue;
            }
            if (server.Scheme != Uri.UriSchemeHttps)
            {
                return stream;
            }
            try
            {
                return TlsSupport.IsEnabled
                    ? await StartTlsAsync(stream, cancellationToken)
                    : throw new NotSupportedException("this godocker was built without https support (-p:GoDockerTls=true)");
            }
            catch
            {
                await stream.DisposeAsync();
                throw;
            }
        }
        throw lastFailure ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <exception cref="TimeoutException">when the handshake takes longer than <see cref="ConnectTimeout"/>.</exception>
    private async Task<Stream> StartTlsAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ConnectTimeout);
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = server.IdnHost }, deadline.Token);
            return tls;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"TLS handshake timed out after {ConnectTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>IP literals and "localhost" (RFC 6761) need no resolver; only other names do.</summary>
    internal static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return [IPAddress.Loopback, IPAddress.IPv6Loopback];
        }
        return await Dns.GetHostAddressesAsync(host, cancellationToken);
    }
}
