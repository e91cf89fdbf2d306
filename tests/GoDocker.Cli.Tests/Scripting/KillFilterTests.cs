using System.Text.Json;
using GoDocker.Cli.Api;
using GoDocker.Cli.Scripting;
using GoDocker.Cli.Tests.Api;
using GoDocker.Cli.Tests.Output;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Tests.Scripting;

public class KillFilterTests
{
    private static string Page(IReadOnlyList<JobView> jobs, long total, int offset) =>
        ScriptedServer.Json(JsonSerializer.Serialize(new JobList(jobs, total, offset, KillFilter.PageSize), GoDockerJson.Default.JobList));

    [Fact]
    public async Task Find_AsksForUnfinishedJobs_WithEveryFilter_AndKeepsExactNamesOnly()
    {
        var exact = JobViews.Pending(1) with { Name = "align", Owner = "ana", Tags = ["run7"] };
        var longer = JobViews.Pending(2) with { Name = "align-2", Owner = "ana", Tags = ["run7"] };
        using var server = new ScriptedServer(Page([exact, longer], 2, 0));

        var found = await new KillFilter { User = "ana", Name = "align", Tag = "run7" }.FindAsync(new GoDockerClient(server.Address), CancellationToken.None);

        Assert.Equal([1L], found.Value!.Select(j => j.Id));
        var request = Assert.Single(await server.Requests);
        Assert.StartsWith(
            "GET /api/v1/jobs?state=Pending&state=Scheduled&state=Running&state=Suspended&owner=ana&tag=run7&name=align&sort=id&offset=0&limit=1000 HTTP/1.1",
            request);
    }

    [Fact]
    public async Task Find_ReadsEveryPage_BeforeAnyKill()
    {
        var first = Enumerable.Range(1, KillFilter.PageSize).Select(i => JobViews.Pending(i) with { Tags = ["t"] }).ToList();
        var last = JobViews.Pending(KillFilter.PageSize + 1) with { Tags = ["t"] };
        using var server = new ScriptedServer(Page(first, KillFilter.PageSize + 1, 0), Page([last], KillFilter.PageSize + 1, KillFilter.PageSize));

        var found = await new KillFilter { Tag = "t" }.FindAsync(new GoDockerClient(server.Address), CancellationToken.None);

        Assert.Equal(KillFilter.PageSize + 1, found.Value!.Count);
        var requests = await server.Requests;
        Assert.Contains("offset=1000&limit=1000", requests[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Matches_NeedsEveryGivenFilter_AndAnUnfinishedJob()
    {
        var job = JobViews.Pending() with { Name = "align", Owner = "ana", Tags = ["a", "b"] };
        var filter = new KillFilter { User = "ana", Name = "align", Tag = "b" };

        Assert.True(filter.Matches(job));
        Assert.False(filter.Matches(job with { Owner = "bob" }));
        Assert.False(filter.Matches(job with { Name = "Align" }));
        Assert.False(filter.Matches(job with { Tags = ["a"] }));
        Assert.False(filter.Matches(job with { State = JobState.Succeeded }));
        Assert.True(new KillFilter { Name = "align" }.Matches(job with { Owner = "bob" }));
    }

    [Theory]
    [InlineData("kill", "-u", "ana")]
    [InlineData("kill", "-n", "align")]
    [InlineData("kill", "--tag", "run7")]
    [InlineData("kill", "--user", "ana", "--name", "align", "--tag", "run7")]
    [InlineData("kill", "1", "2", "3")]
    public void Kill_TakesIdsOrFilters(params string[] args)
    {
        Assert.Empty(GoDockerCommandLine.Build().Parse(args, GoDockerCommandLine.Parsing).Errors);
    }

    [Fact]
    public void Kill_WithNothing_SaysWhatItTakes()
    {
        var none = GoDockerCommandLine.Build().Parse(["kill"], GoDockerCommandLine.Parsing);

        Assert.Contains(none.Errors, e => e.Message.Contains("-n NAME", StringComparison.Ordinal));
    }
}
