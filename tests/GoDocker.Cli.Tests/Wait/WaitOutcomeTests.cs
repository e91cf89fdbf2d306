using GoDocker.Cli.Tests.Output;
using GoDocker.Cli.Wait;
using GoDocker.Jobs;

namespace GoDocker.Cli.Tests.Wait;

public class WaitOutcomeTests
{
    [Theory]
    [InlineData(JobState.Succeeded, 0, 0)]
    [InlineData(JobState.Succeeded, null, 0)]
    [InlineData(JobState.Failed, 3, 3)]
    [InlineData(JobState.Failed, 137, 137)]
    [InlineData(JobState.Killed, 143, 143)]
    [InlineData(JobState.Failed, 255, 255)]
    public void Wait_ExitsWithTheJobsOwnCode_WhenAShellCanCarryIt(JobState state, int? exitCode, int expected)
    {
        Assert.Equal(expected, WaitOutcome.ExitCodeFor(JobViews.Ended(state, exitCode)));
    }

    [Theory]
    [InlineData(JobState.Killed, null)]
    [InlineData(JobState.Failed, null)]
    [InlineData(JobState.Rejected, null)]
    [InlineData(JobState.Failed, 0)]
    [InlineData(JobState.Failed, 256)]
    [InlineData(JobState.Failed, -1)]
    [InlineData(JobState.Archived, null)]
    public void Wait_ExitsWith1_WhenTheJobEndedBadlyWithoutAUsableCode(JobState state, int? exitCode)
    {
        Assert.Equal(1, WaitOutcome.ExitCodeFor(JobViews.Ended(state, exitCode)));
    }

    [Fact]
    public void Wait_ArchivedJobThatExited0_Exits0()
    {
        Assert.Equal(0, WaitOutcome.ExitCodeFor(JobViews.Ended(JobState.Archived, 0)));
    }

    [Fact]
    public void Wait_OnAJobThatHasNotEnded_IsAProgrammingError()
    {
        Assert.Throws<ArgumentException>(() => WaitOutcome.ExitCodeFor(JobViews.Pending()));
    }

    [Fact]
    public void Wait_SaysNothing_WhenTheJobSucceeded()
    {
        Assert.Null(WaitOutcome.Describe(JobViews.Ended(JobState.Succeeded, 0)));
    }

    [Fact]
    public void Wait_NamesStateCodeAndReason_WhenTheJobFailed()
    {
        Assert.Equal("godocker: job 7 Failed: exit 137: out of memory", WaitOutcome.Describe(JobViews.Ended(JobState.Failed, 137, "out of memory")));
        Assert.Equal("godocker: job 7 Failed: exit code 3", WaitOutcome.Describe(JobViews.Ended(JobState.Failed, 3, "exit code 3")));
        Assert.Equal("godocker: job 7 Killed", WaitOutcome.Describe(JobViews.Ended(JobState.Killed, null)));
    }
}
