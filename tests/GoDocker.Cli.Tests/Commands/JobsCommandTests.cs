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
    public void JobQuery_WithNothingSet_IsEmpty()
    {
        Assert.Equal("", new JobQuery().ToQueryString());
    }
}
