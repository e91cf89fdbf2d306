using System.Net;
using System.Net.Sockets;
using GoDocker.Cli.Api;
using GoDocker.Cli.Api.Http;
using GoDocker.Jobs;

namespace GoDocker.Cli.Tests.Api;

public class GoDockerClientTests
{
    private const string JobViewJson =
        """{"id":42,"name":"train","owner":"alice","project":"default","state":"Pending","image":"debian:bookworm","cpus":1,"memoryBytes":536870912,"tags":[],"submittedAt":"2025-01-01T00:00:00Z"}""";

    [Fact]
    public async Task Submit_PostsTheSpecAsJson_AndReadsTheCreatedJob()
    {
        using var server = new OneShotServer($"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {JobViewJson.Length}\r\n\r\n{JobViewJson}");

        var result = await new GoDockerClient(server.Address).SubmitAsync(new JobSpec { Image = "debian", Command = ["true"], Cpus = 0.5 }, CancellationToken.None);

        Assert.True(result.IsOk);
        Assert.Equal(42, result.Value.Id);
        var request = await server.Request;
        Assert.StartsWith("POST /api/v1/jobs HTTP/1.1\r\n", request);
        Assert.EndsWith("""{"command":["true"],"image":"debian","cpus":0.5}""", request);
    }

    [Fact]
    public async Task Refusal_WithProblemDetails_ComesBackAsTheProblem()
    {
        const string problem = """{"title":"One or more validation errors occurred.","status":400,"errors":{"memory":["'12X' is not a size"]}}""";
        using var server = new OneShotServer($"HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nContent-Length: {problem.Length}\r\n\r\n{problem}");

        var result = await new GoDockerClient(server.Address).SubmitAsync(new JobSpec { Memory = "12X" }, CancellationToken.None);

        Assert.False(result.IsOk);
        Assert.Equal(400, result.Problem.Status);
        Assert.Equal(["'12X' is not a size"], result.Problem.Errors!["memory"]);
    }

    [Fact]
    public async Task Refusal_AsPlainText_BecomesAProblemWithStatusAndText()
    {
        using var server = new OneShotServer("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 11\r\n\r\nupstream!\r\n");

        var result = await new GoDockerClient(server.Address).GetJobAsync(1, CancellationToken.None);

        Assert.Equal("Bad Gateway (HTTP 502)", result.Problem!.Title);
        Assert.Equal("upstream!", result.Problem.Detail);
    }

    [Fact]
    public async Task Logs_ChunkedStream_IsCopiedAsItArrives()
    {
        using var server = new OneShotServer(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n",
            "6\r\nline 1\r\n",
            "7\r\n\nline 2\r\n",
            "0\r\n\r\n");

        var result = await new GoDockerClient(server.Address).OpenOutputAsync(9, stderr: true, follow: true, CancellationToken.None);
        using var body = result.Value!;
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy, CancellationToken.None);

        Assert.Equal("line 1\nline 2", System.Text.Encoding.UTF8.GetString(copy.ToArray()));
        Assert.StartsWith("GET /api/v1/jobs/9/stderr?follow=true HTTP/1.1\r\n", await server.Request);
    }

    [Fact]
    public async Task Logs_StreamCutShort_IsServerUnreachable_NotASilentEnd()
    {
        using var server = new OneShotServer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nline 1\r\n");

        var result = await new GoDockerClient(server.Address).OpenOutputAsync(9, stderr: false, follow: true, CancellationToken.None);
        using var body = result.Value!;

        await Assert.ThrowsAsync<ServerUnreachableException>(() => body.CopyToAsync(new MemoryStream(), CancellationToken.None));
    }

    [Fact]
    public async Task NoServerListening_IsServerUnreachable_ConnectionRefused()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var e = await Assert.ThrowsAsync<ServerUnreachableException>(
            () => new GoDockerClient(new Uri($"http://127.0.0.1:{port}/")).HealthAsync(CancellationToken.None));

        Assert.Equal("connection refused", e.Reason);
    }

    [Fact]
    public async Task PeerThatIsNotHttp_IsServerUnreachable_SayingSo()
    {
        using var server = new OneShotServer("SSH-2.0-OpenSSH_9.2\r\n");

        var e = await Assert.ThrowsAsync<ServerUnreachableException>(() => new GoDockerClient(server.Address).HealthAsync(CancellationToken.None));

        Assert.Contains("not an HTTP/1.x status line", e.Reason);
    }

    [Fact]
    public async Task ApiPath_FollowsAPathPrefixInTheServerAddress()
    {
        using var server = new OneShotServer("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");

        await new GoDockerClient(new Uri(server.Address, "/gd/")).GetJobAsync(5, CancellationToken.None);

        Assert.StartsWith("GET /gd/api/v1/jobs/5 HTTP/1.1\r\n", await server.Request);
    }

    [Fact]
    public void FilePath_SegmentsAreEscaped_SlashesKept()
    {
        Assert.Equal("sub%20dir/a%23b/c.txt", GoDockerClient.EscapePath("/sub dir/a#b//c.txt"));
    }

    [Fact]
    public void TransportFailure_NamesRefusedConnectionsPlainly()
    {
        Assert.Equal("connection refused", GoDockerClient.TransportFailure(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.Null(GoDockerClient.TransportFailure(new OperationCanceledException()));
        Assert.Null(GoDockerClient.TransportFailure(new System.Text.Json.JsonException()));
    }

    [Fact]
    public async Task Localhost_NeedsNoResolver()
    {
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], await Http1Client.ResolveAsync("localhost", CancellationToken.None));
        Assert.Equal([IPAddress.Parse("::1")], await Http1Client.ResolveAsync("::1", CancellationToken.None));
    }
}
