using GoDocker.Cli.Api;
using GoDocker.Jobs;

namespace GoDocker.Cli.Tests.Api;

/// <summary>A submit whose answer is lost is sent again with the same Idempotency-Key, a bounded number of times.</summary>
public class SubmitRetryTests
{
    private const string Created =
        """{"id":42,"name":"train","owner":"alice","project":"default","state":"Pending","image":"debian:bookworm","cpus":1,"memoryBytes":536870912,"tags":[],"submittedAt":"2025-01-01T00:00:00Z"}""";

    /// <summary>The server read the request (and may have stored the job), then the connection closed without an answer.</summary>
    private const string Dropped = "";

    private static string KeyOf(string request) =>
        request.Split("\r\n").Single(l => l.StartsWith("Idempotency-Key: ", StringComparison.Ordinal))["Idempotency-Key: ".Length..];

    [Fact]
    public async Task SubmitForId_AnswerLost_IsSentAgainWithTheSameKey_AndGetsTheOneJob()
    {
        using var server = new ScriptedServer(Dropped, ScriptedServer.Json(Created, 201, "Created"));

        var result = await new GoDockerClient(server.Address).SubmitForIdAsync(new JobSpec { Command = ["true"] }, CancellationToken.None);

        Assert.Equal(42, result.Value);
        var requests = await server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Matches("^\"[0-9a-f-]{36}\"$", KeyOf(requests[0]));
        Assert.Equal(KeyOf(requests[0]), KeyOf(requests[1]));
        Assert.Equal(ScriptedServer.Body(requests[0]), ScriptedServer.Body(requests[1]));
    }

    [Fact]
    public async Task Submit_AnswerLost_IsSentAgainWithTheSameKey()
    {
        using var server = new ScriptedServer(Dropped, ScriptedServer.Json(Created, 201, "Created"));

        var result = await new GoDockerClient(server.Address).SubmitAsync(new JobSpec { Command = ["true"] }, CancellationToken.None);

        Assert.Equal(42, result.Value!.Id);
        var requests = await server.Requests;
        Assert.Equal(KeyOf(requests[0]), KeyOf(requests[1]));
    }

    [Fact]
    public async Task EveryAnswerLost_GivesUpAfterTheLastAttempt_AsUnreachable()
    {
        using var server = new ScriptedServer([.. Enumerable.Repeat(Dropped, GoDockerClient.SubmitAttempts)]);

        await Assert.ThrowsAsync<ServerUnreachableException>(() =>
            new GoDockerClient(server.Address).SubmitForIdAsync(new JobSpec { Command = ["true"] }, CancellationToken.None));

        var requests = await server.Requests;
        Assert.Equal(GoDockerClient.SubmitAttempts, requests.Count);
        Assert.Single(requests.Select(KeyOf).Distinct());
    }

    [Fact]
    public async Task TwoSubmits_HaveTwoKeys()
    {
        using var server = new ScriptedServer(ScriptedServer.Json(Created, 201, "Created"), ScriptedServer.Json(Created, 201, "Created"));
        var client = new GoDockerClient(server.Address);

        await client.SubmitForIdAsync(new JobSpec { Command = ["true"] }, CancellationToken.None);
        await client.SubmitForIdAsync(new JobSpec { Command = ["true"] }, CancellationToken.None);

        var requests = await server.Requests;
        Assert.NotEqual(KeyOf(requests[0]), KeyOf(requests[1]));
    }

    [Fact]
    public void ARefusedConnection_SentNothing_AndIsNotRetried()
    {
        Assert.False(GoDockerClient.AnswerMayBeLost(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));
        Assert.False(GoDockerClient.AnswerMayBeLost(new TimeoutException("connection timed out after 10 s")));
        Assert.True(GoDockerClient.AnswerMayBeLost(new IOException("reset", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionReset))));
    }
}
