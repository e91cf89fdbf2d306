using GoDocker.Cli.Api;
using GoDocker.Cli.Commands;
using GoDocker.Jobs;

namespace GoDocker.Cli.Tests.Commands;

public class JobsCommandTests
{
    [Fact]
    public void Jobs_ByDefault_AsksForEveryStateAJobHasNotEndedIn()
    {
        Assert.Equal(
            [JobState.Pending, JobState.Scheduled, JobState.Running, JobState.Suspended],
            JobsCommand.StatesToShow([], all: false));
    }

    [Fact]
    public void Jobs_All_AsksForNoStateFilter()
    {
        Assert.Empty(JobsCommand.StatesToShow([], all: true));
    }

    [Fact]
    public void Jobs_State_WinsOverTheDefaultAndOverAll()
    {
        Assert.Equal([JobState.Failed], JobsCommand.StatesToShow([JobState.Failed], all: true));
    }

    [Fact]
    public void Jobs_States_AreCaseInsensitive_RepeatableAndCommaSeparated()
    {
        Assert.Equal(
            [JobState.Running, JobState.Failed, JobState.Killed],
            JobsCommand.ParseStates(["running,FAILED", "killed", "Running"]));
    }

    [Fact]
    public void Jobs_NumericState_IsNotAccepted()
    {
        Assert.Throws<UsageException>(() => JobsCommand.ParseStates(["2"]));
    }

    [Fact]
    public void JobQuery_RepeatsStateAndEscapesValues()
    {
        var query = new JobQuery { States = [JobState.Pending, JobState.Running], Owner = "a b", Tag = "x&y", Limit = 10 };

        Assert.Equal("?state=Pending&state=Running&owner=a%20b&tag=x%26y&limit=10", query.ToQueryString());
    }

    [Fact]
    public void JobQuery_SendsTheNameFilterEscaped_AndTheSortAsWritten()
    {
        var query = new JobQuery { NameContains = "50%_done & more", Sort = new GoDocker.Storage.JobSort(GoDocker.Storage.JobSortKey.Submitted, Descending: true) };

        Assert.Equal("?name=50%25_done%20%26%20more&sort=-submitted", query.ToQueryString());
    }

    [Theory]
    [InlineData("--sort", "-submitted")]
    [InlineData("--sort=-submitted")]
    [InlineData("--sort", "name", "--name", "50%")]
    public void Jobs_SortAndName_AreAccepted_ADescendingSortToo(params string[] args)
    {
        var parse = GoDockerCommandLine.Build().Parse(["jobs", .. args], GoDockerCommandLine.Parsing);

        Assert.Empty(parse.Errors);
        Assert.Equal(args.Contains("name") ? "name" : "-submitted", parse.GetValue<string>("--sort"));
    }

    [Theory]
    [InlineData("newest")]
    [InlineData("Submitted")]
    [InlineData("--id")]
    public void Jobs_AnUnknownSort_IsAUsageError_NamingTheKeys(string sort)
    {
        var parse = GoDockerCommandLine.Build().Parse(["jobs", "--sort=" + sort], GoDockerCommandLine.Parsing);

        var error = Assert.Single(parse.Errors);
        Assert.Contains("--sort", error.Message);
        Assert.Contains("submitted", error.Message);
    }

    [Fact]
    public void JobQuery_WithNothingSet_IsEmpty()
    {
        Assert.Equal("", new JobQuery().ToQueryString());
    }
}
