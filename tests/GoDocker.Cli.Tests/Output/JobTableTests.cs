using GoDocker.Cli.Output;
using GoDocker.Jobs;

namespace GoDocker.Cli.Tests.Output;

public class JobTableTests
{
    [Fact]
    public void JobTable_ShowsOneRowPerJob_WithMemoryAndTimeReadable()
    {
        var text = JobTable.Build([JobViews.Pending()], TimeZoneInfo.Utc).Render();

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal("ID  NAME   OWNER  PROJECT  STATE    NODE  CPUS    MEM  SUBMITTED            REASON", lines[0]);
        Assert.Equal(" 7  train  alice  physics  Pending  -        4  2 GiB  2025-03-14 09:26:53  waiting for 4 cpus", lines[1]);
    }

    [Fact]
    public void ReasonColumn_ForALiveJob_IsItsReason()
    {
        Assert.Equal("waiting for 4 cpus", JobTable.ReasonOrExit(JobViews.Pending()));
    }

    [Fact]
    public void ReasonColumn_ForAnEndedJob_StartsWithItsExitCode()
    {
        Assert.Equal("exit 137: out of memory", JobTable.ReasonOrExit(JobViews.Ended(JobState.Failed, 137, "out of memory")));
        Assert.Equal("exit 0", JobTable.ReasonOrExit(JobViews.Ended(JobState.Succeeded, 0)));
    }

    [Theory]
    [InlineData(3, "exit code 3")]
    [InlineData(0, "exited 0")]
    [InlineData(137, "killed (137, out of memory)")]
    public void ReasonColumn_DoesNotRepeatACodeTheReasonAlreadyStates(int code, string reason)
    {
        Assert.Equal(reason, JobTable.ReasonOrExit(JobViews.Ended(JobState.Failed, code, reason)));
    }

    [Fact]
    public void ReasonColumn_NumberInsideAWord_IsNotTakenForTheCode()
    {
        Assert.Equal("exit 3: step3 failed", JobTable.ReasonOrExit(JobViews.Ended(JobState.Failed, 3, "step3 failed")));
    }

    [Fact]
    public void ReasonColumn_ForAnEndedJobWithoutCode_IsItsReason()
    {
        Assert.Equal("killed by alice", JobTable.ReasonOrExit(JobViews.Ended(JobState.Killed, null, "killed by alice")));
    }
}
