using GoDocker.Contracts;
using GoDocker.Execution;
using GoDocker.Jobs;

namespace GoDocker.Drmaa.Tests;

public sealed class JobStatusTests
{
    private static readonly DateTimeOffset Submitted = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    private static JobView Job(JobState state, int? exitCode = null, EndCause? cause = null, bool started = true, string? heldBy = null) => new()
    {
        Id = 7,
        Name = "j",
        Owner = "alice",
        Project = "default",
        State = state,
        Image = "busybox",
        Cpus = 1,
        MemoryBytes = 1 << 20,
        SubmittedAt = Submitted,
        StartedAt = started ? Submitted.AddSeconds(2) : null,
        EndedAt = state.IsTerminal() ? Submitted.AddSeconds(12.5) : null,
        ExitCode = exitCode,
        EndCause = cause,
        HeldBy = heldBy,
    };

    [Fact]
    public void Succeeded_IsStatZero_Exited()
    {
        var stat = JobStatus.StatOf(Job(JobState.Succeeded, 0, EndCause.Exited));

        Assert.Equal(0, stat);
        Assert.True(JobStatus.IfExited(stat));
        Assert.Equal(0, JobStatus.ExitStatus(stat));
        Assert.False(JobStatus.IfSignaled(stat) || JobStatus.IfAborted(stat));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(137)]
    [InlineData(255)]
    public void AFailedExit_KeepsItsCode(int code)
    {
        var stat = JobStatus.StatOf(Job(JobState.Failed, code, EndCause.Exited));

        Assert.True(JobStatus.IfExited(stat));
        Assert.Equal(code, JobStatus.ExitStatus(stat));
    }

    [Theory]
    [InlineData(JobState.Killed, 143, null, "SIGTERM")]
    [InlineData(JobState.Killed, 137, null, "SIGKILL")]
    [InlineData(JobState.Killed, null, null, "SIGKILL")]
    [InlineData(JobState.Failed, 137, EndCause.OutOfMemory, "SIGKILL")]
    [InlineData(JobState.Failed, 137, EndCause.Walltime, "SIGKILL")]
    public void KillsOfARunningJob_AreSignals(JobState state, int? code, EndCause? cause, string signal)
    {
        var stat = JobStatus.StatOf(Job(state, code, cause));

        Assert.False(JobStatus.IfExited(stat));
        Assert.True(JobStatus.IfSignaled(stat));
        Assert.Equal(signal, JobStatus.TermSignal(stat));
        Assert.False(JobStatus.IfAborted(stat));
    }

    [Theory]
    [InlineData(JobState.Killed)]
    [InlineData(JobState.Rejected)]
    [InlineData(JobState.Failed)]
    public void AJobThatNeverRan_IsAborted(JobState state)
    {
        var stat = JobStatus.StatOf(Job(state, started: false));

        Assert.True(JobStatus.IfAborted(stat));
        Assert.False(JobStatus.IfExited(stat) || JobStatus.IfSignaled(stat));
    }

    [Theory]
    [InlineData(JobState.Pending, null, JobStatus.QueuedActive)]
    [InlineData(JobState.Pending, "alice", JobStatus.UserOnHold)]
    [InlineData(JobState.Pending, "admin", JobStatus.SystemOnHold)]
    [InlineData(JobState.Scheduled, null, JobStatus.QueuedActive)]
    [InlineData(JobState.Running, null, JobStatus.Running)]
    [InlineData(JobState.Suspended, null, JobStatus.UserSuspended)]
    [InlineData(JobState.Succeeded, null, JobStatus.Done)]
    [InlineData(JobState.Failed, null, JobStatus.Failed)]
    [InlineData(JobState.Killed, null, JobStatus.Failed)]
    public void JobPs_MapsTheStates(JobState state, string? heldBy, int ps) =>
        Assert.Equal(ps, JobStatus.PsOf(Job(state, heldBy: heldBy)));

    [Fact]
    public void Rusage_OfAJobNeverSampled_SaysNoCpuNorMemory() =>
        Assert.Contains("cpu=0", JobStatus.Rusage(Job(JobState.Succeeded, 0), usage: null));

    [Fact]
    public void Rusage_IsNameEqualsValue_InSecondsAndBytes()
    {
        var usage = new UsageSummaryView(1, 4.25, null, 1_048_576, 3, 0, 0, 0, 0, 5, Submitted.AddSeconds(12));

        var rusage = JobStatus.Rusage(Job(JobState.Failed, 3, EndCause.Exited), usage);

        Assert.Equal(
            ["submission_time=1796378400", "start_time=1796378402", "end_time=1796378412.5", "wallclock=10.5", "cpu=4.25", "mem=1048576", "exit_status=3"],
            rusage);
    }
}
