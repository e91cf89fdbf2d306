using GoDocker.Cli.Api;
using GoDocker.Cli.Commands;
using GoDocker.Cli.Tests.Api;
using GoDocker.Jobs;

namespace GoDocker.Cli.Tests.Commands;

/// <summary>jobs --pending/--array, priority, array, usage and quota: their command lines, and what they ask the server.</summary>
public class SchedulingCommandsTests
{
    private static System.CommandLine.ParseResult Parse(params string[] args) => GoDockerCommandLine.Build().Parse(args, GoDockerCommandLine.Parsing);

    [Fact]
    public void Jobs_Pending_IsThePendingState_AndExcludesState()
    {
        Assert.Empty(Parse("jobs", "--pending").Errors);
        Assert.NotEmpty(Parse("jobs", "--pending", "--state", "Running").Errors);
    }

    [Fact]
    public void Jobs_PendingOnly_IsWhatSwitchesToTheExpectedStartListing()
    {
        Assert.True(JobsCommand.ShowsPendingOnly([JobState.Pending]));
        Assert.False(JobsCommand.ShowsPendingOnly([JobState.Pending, JobState.Running]));
        Assert.False(JobsCommand.ShowsPendingOnly([]));
    }

    [Fact]
    public void JobQuery_Array_IsSent()
    {
        Assert.Equal("?state=Pending&array=12", new JobQuery { States = [JobState.Pending], ArrayId = 12 }.ToQueryString());
    }

    [Fact]
    public void Priority_Set_TakesANegativeAdjustment()
    {
        var parse = Parse("priority", "7", "--set", "-100");

        Assert.Empty(parse.Errors);
    }

    [Theory]
    [InlineData("usage", "--user", "a", "--project", "b")]
    [InlineData("quota", "show", "-u", "a", "-p", "b")]
    [InlineData("quota", "set", "--user", "a", "--project", "b", "--max-jobs", "1")]
    public void Account_IsAUserOrAProject_NotBoth(params string[] args)
    {
        Assert.Contains(Parse(args).Errors, e => e.Message.Contains("not both", StringComparison.Ordinal));
    }

    [Fact]
    public void QuotaSet_NeedsTheAccount()
    {
        Assert.Contains(Parse("quota", "set", "--max-jobs", "1").Errors, e => e.Message.Contains("--user USER or --project PROJECT", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--max-jobs", "x")]
    [InlineData("--max-jobs", "1.5")]
    [InlineData("--max-cpus", "-2")]
    [InlineData("--max-memory", "lots")]
    [InlineData("--shares", "many")]
    [InlineData("--priority", "high")]
    public void QuotaSet_MalformedValue_IsAParseError_NamingTheOption(string option, string value)
    {
        Assert.Contains(Parse("quota", "set", "--user", "a", option, value).Errors, e => e.Message.StartsWith(option + ":", StringComparison.Ordinal));
    }

    [Fact]
    public async Task QuotaSet_ReadsTheCurrentLimits_AndPutsThemBackWithTheChangeMerged()
    {
        using var server = new ScriptedServer(
            ScriptedServer.Json("""[{"kind":"user","name":"alice","shares":2,"maxRunningJobs":3,"maxMemory":"1.5 GiB","maxMemoryBytes":1610612736},{"kind":"user","name":"alice2","maxGpus":9}]"""),
            ScriptedServer.Json("""{"kind":"user","name":"alice","shares":2,"maxRunningJobs":3,"maxCpus":4,"maxMemoryBytes":1610612736}"""));

        var exit = await Parse("quota", "set", "--user", "alice", "--max-cpus", "4", "--url", server.Address.ToString()).InvokeAsync();

        var requests = await server.Requests;
        Assert.Equal(0, exit);
        Assert.StartsWith("GET /api/v1/limits?kind=user&name=alice HTTP/1.1\r\n", requests[0]);
        Assert.StartsWith("PUT /api/v1/limits/user/alice HTTP/1.1\r\n", requests[1]);
        Assert.Equal("""{"shares":2,"maxRunningJobs":3,"maxCpus":4,"maxMemory":"1610612736B"}""", ScriptedServer.Body(requests[1]));
    }

    [Fact]
    public async Task QuotaSet_Clear_PutsOnlyWhatIsGiven_WithoutReading()
    {
        using var server = new ScriptedServer(ScriptedServer.Json("""{"kind":"project","name":"physics","maxRunningJobs":1}"""));

        var exit = await Parse("quota", "set", "--project", "physics", "--clear", "--max-jobs", "1", "--url", server.Address.ToString()).InvokeAsync();

        var requests = await server.Requests;
        Assert.Equal(0, exit);
        Assert.StartsWith("PUT /api/v1/limits/project/physics HTTP/1.1\r\n", Assert.Single(requests));
        Assert.Equal("""{"maxRunningJobs":1}""", ScriptedServer.Body(requests[0]));
    }

    [Fact]
    public async Task QuotaSet_Refused_ExitsOne_WithoutWriting()
    {
        using var server = new ScriptedServer(ScriptedServer.Json("""{"title":"Forbidden","status":403,"detail":"admins only"}""", 403, "Forbidden"));

        var exit = await Parse("quota", "set", "--user", "bob", "--max-jobs", "2", "--url", server.Address.ToString()).InvokeAsync();

        Assert.Equal(1, exit);
        Assert.Single(await server.Requests);
    }

    [Fact]
    public async Task Usage_AsksForTheAccountGiven()
    {
        using var server = new ScriptedServer(ScriptedServer.Json("[]"));

        var exit = await Parse("usage", "--project", "gen omics", "--url", server.Address.ToString()).InvokeAsync();

        Assert.Equal(0, exit);
        Assert.StartsWith("GET /api/v1/usage?project=gen%20omics HTTP/1.1\r\n", Assert.Single(await server.Requests));
    }

    [Fact]
    public async Task Hold_GoesOnPastARefusal_AndExitsOne()
    {
        const string held = """{"id":4,"name":"x","owner":"a","project":"default","state":"Pending","heldBy":"user","image":"i","cpus":1,"memoryBytes":1,"submittedAt":"2025-01-01T00:00:00Z"}""";
        using var server = new ScriptedServer(
            ScriptedServer.Json("""{"title":"Conflict","status":409,"detail":"job 3 is Running"}""", 409, "Conflict"),
            ScriptedServer.Json(held));

        var exit = await Parse("hold", "3", "4", "--url", server.Address.ToString()).InvokeAsync();

        var requests = await server.Requests;
        Assert.Equal(1, exit);
        Assert.StartsWith("POST /api/v1/jobs/3/hold HTTP/1.1\r\n", requests[0]);
        Assert.StartsWith("POST /api/v1/jobs/4/hold HTTP/1.1\r\n", requests[1]);
    }
}
