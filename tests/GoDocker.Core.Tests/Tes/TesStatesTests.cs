using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Tes;

namespace GoDocker.Core.Tests.Tes;

public sealed class TesStatesTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly StopRequest Kill = new(JobState.Killed, "killed by alice", At);
    private static readonly StopRequest Walltime = new(JobState.Failed, "walltime", At);

    [Theory]
    [InlineData(JobState.Pending, null, TesState.Queued)]
    [InlineData(JobState.Scheduled, null, TesState.Initializing)]
    [InlineData(JobState.Running, null, TesState.Running)]
    [InlineData(JobState.Suspended, null, TesState.Paused)]
    [InlineData(JobState.Succeeded, EndCause.Exited, TesState.Complete)]
    [InlineData(JobState.Failed, EndCause.Exited, TesState.ExecutorError)]
    [InlineData(JobState.Failed, EndCause.OutOfMemory, TesState.ExecutorError)]
    [InlineData(JobState.Failed, EndCause.StopRequested, TesState.ExecutorError)]
    [InlineData(JobState.Failed, EndCause.RefusedAtLaunch, TesState.SystemError)]
    [InlineData(JobState.Failed, EndCause.LaunchFailed, TesState.SystemError)]
    [InlineData(JobState.Failed, EndCause.EngineError, TesState.SystemError)]
    [InlineData(JobState.Failed, EndCause.EngineRestart, TesState.SystemError)]
    [InlineData(JobState.Failed, EndCause.Lost, TesState.SystemError)]
    [InlineData(JobState.Failed, EndCause.NodeDown, TesState.SystemError)]
    [InlineData(JobState.Failed, EndCause.RestartedOutside, TesState.SystemError)]
    [InlineData(JobState.Failed, EndCause.KilledOutside, TesState.SystemError)]
    [InlineData(JobState.Killed, EndCause.StopRequested, TesState.Canceled)]
    [InlineData(JobState.Killed, null, TesState.Canceled)]
    [InlineData(JobState.Rejected, null, TesState.SystemError)]
    public void Of_MapsTheJobsStateAndCause(JobState state, EndCause? cause, TesState expected) =>
        Assert.Equal(expected, TesStates.Of(state, cause, stop: null, exitCode: null));

    [Theory]
    [InlineData(JobState.Scheduled)]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Suspended)]
    public void AKillNotYetApplied_IsCanceling_ButAWalltimeStopIsNot(JobState state)
    {
        Assert.Equal(TesState.Canceling, TesStates.Of(state, null, Kill, null));
        Assert.NotEqual(TesState.Canceling, TesStates.Of(state, null, Walltime, null));
    }

    [Fact]
    public void ACommandThatExited_IsASystemError_WhenTheRunnerSaysStagingFailed()
    {
        Assert.Equal(TesState.SystemError, TesStates.Of(JobState.Failed, EndCause.Exited, null, 1, systemError: true));
        Assert.Equal(TesState.ExecutorError, TesStates.Of(JobState.Failed, EndCause.Exited, null, 1, systemError: false));
    }

    [Fact]
    public void AnArchivedJob_KeepsWhatItsExitCodeSaid()
    {
        Assert.Equal(TesState.Complete, TesStates.Of(JobState.Archived, EndCause.Exited, null, 0));
        Assert.Equal(TesState.ExecutorError, TesStates.Of(JobState.Archived, EndCause.Exited, null, 2));
    }

    /// <summary>Every job state with every cause (and none) maps to a known TES state, and a list by that state finds it.</summary>
    [Fact]
    public void EveryJobStateAndCause_MapsToAKnownState_ThatItsListNarrowingKeeps()
    {
        EndCause?[] causes = [null, .. Enum.GetValues<EndCause>()];
        foreach (var state in Enum.GetValues<JobState>())
        {
            foreach (var cause in causes)
            {
                foreach (var stop in (StopRequest?[])[null, Kill, Walltime])
                {
                    foreach (var exit in (int?[])[null, 0, 1])
                    {
                        var tes = TesStates.Of(state, cause, stop, exit);
                        Assert.NotEqual(TesState.Unknown, tes);
                        Assert.NotEqual(TesState.Preempted, tes);
                        Assert.Contains(state, TesStates.JobStatesOf(tes));
                    }
                }
            }
        }
    }

    [Fact]
    public void TheWireNames_AreTheSpecifications()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new[] { TesState.ExecutorError, TesState.Queued, TesState.Canceling });

        Assert.Equal("[\"EXECUTOR_ERROR\",\"QUEUED\",\"CANCELING\"]", json);
    }
}
