using GoDocker.Cli.Api;

namespace GoDocker.Cli.Tests.Api;

public class SchedulingClientTests
{
    [Theory]
    [InlineData("Hold", "hold")]
    [InlineData("Release", "release")]
    [InlineData("Suspend", "suspend")]
    [InlineData("Resume", "resume")]
    [InlineData("Requeue", "requeue")]
    public async Task Control_PostsToTheJobsActionPath(string name, string path)
    {
        var control = Enum.Parse<JobControl>(name);
        using var server = new OneShotServer("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");

        await new GoDockerClient(server.Address).ControlAsync(9, control, CancellationToken.None);

        Assert.StartsWith($"POST /api/v1/jobs/9/{path} HTTP/1.1\r\n", await server.Request);
    }

    [Fact]
    public async Task Priority_ReadsTheFactors()
    {
        const string body = """{"jobId":9,"policy":"fairshare","priority":2600.5,"position":2,"pending":5,"factors":[{"name":"age","value":0.1,"weight":1000,"contribution":100}],"reason":"waiting for 2 cpus"}""";
        using var server = new OneShotServer(ScriptedServer.Json(body));

        var result = await new GoDockerClient(server.Address).GetPriorityAsync(9, CancellationToken.None);

        Assert.Equal(2, result.Value!.Position);
        Assert.Equal("age", Assert.Single(result.Value.Factors).Name);
        Assert.StartsWith("GET /api/v1/jobs/9/priority HTTP/1.1\r\n", await server.Request);
    }

    [Fact]
    public async Task SetPriority_PostsTheAdjustment()
    {
        using var server = new OneShotServer("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");

        var result = await new GoDockerClient(server.Address).SetPriorityAsync(9, -50, CancellationToken.None);

        Assert.False(result.IsOk);
        var request = await server.Request;
        Assert.StartsWith("POST /api/v1/jobs/9/priority HTTP/1.1\r\n", request);
        Assert.EndsWith("""{"adjustment":-50}""", request);
    }

    [Fact]
    public async Task Array_KillGoesToTheArraysPath()
    {
        const string body = """{"arrayId":12,"name":"sweep","owner":"alice","tasks":2,"byState":{"Killed":2},"items":[]}""";
        using var server = new OneShotServer(ScriptedServer.Json(body, 202, "Accepted"));

        var result = await new GoDockerClient(server.Address).KillArrayAsync(12, CancellationToken.None);

        Assert.Equal(2, result.Value!.ByState["Killed"]);
        Assert.StartsWith("POST /api/v1/arrays/12/kill HTTP/1.1\r\n", await server.Request);
    }

    [Fact]
    public async Task Limits_QueryHasOnlyWhatIsGiven()
    {
        using var server = new OneShotServer(ScriptedServer.Json("[]"));

        await new GoDockerClient(server.Address).LimitsAsync(null, null, CancellationToken.None);

        Assert.StartsWith("GET /api/v1/limits HTTP/1.1\r\n", await server.Request);
    }

    [Fact]
    public void Query_EscapesValues_AndSkipsMissingOnes()
    {
        Assert.Equal("?kind=user&name=a%26b", GoDockerClient.Query(("kind", "user"), ("name", "a&b"), ("x", null)));
        Assert.Equal("", GoDockerClient.Query(("kind", null)));
    }
}
