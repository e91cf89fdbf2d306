using GoDocker.Jobs;
using static GoDocker.Jobs.JobState;

namespace GoDocker.Core.Tests.Jobs;

public sealed class ArrayStatusTests
{
    public static TheoryData<JobState[], JobState?> Arrays() => new()
    {
        // an array of one task (or none) is the job itself: its own state stands
        { [], null },
        { [Pending], null },
        { [Archived], null },
        // any task not ended: the array runs
        { [Succeeded, Running], Running },
        { [Pending, Failed], Running },
        { [Succeeded, Succeeded, Suspended], Running },
        { [Scheduled, Killed], Running },
        // all succeeded: the array succeeded
        { [Succeeded, Succeeded], Succeeded },
        { [Succeeded, Succeeded, Succeeded], Succeeded },
        // all ended, not all succeeded: the array failed
        { [Succeeded, Failed], Failed },
        { [Killed, Killed], Failed },
        { [Rejected, Succeeded], Failed },
        { [Succeeded, Archived], Failed },
    };

    [Theory]
    [MemberData(nameof(Arrays))]
    public void Of_SumsUpTheTasks(JobState[] tasks, JobState? expected)
    {
        Assert.Equal(expected, ArrayStatus.Of(tasks));
    }

    [Theory]
    [InlineData(DependencyKind.AfterOk, new[] { Succeeded, Succeeded }, DependencyStatus.Met)]
    [InlineData(DependencyKind.AfterOk, new[] { Succeeded, Failed }, DependencyStatus.Never)]
    [InlineData(DependencyKind.AfterOk, new[] { Succeeded, Running }, DependencyStatus.Waiting)]
    [InlineData(DependencyKind.AfterNotOk, new[] { Succeeded, Killed }, DependencyStatus.Met)]
    [InlineData(DependencyKind.AfterNotOk, new[] { Succeeded, Succeeded }, DependencyStatus.Never)]
    [InlineData(DependencyKind.AfterAny, new[] { Failed, Succeeded }, DependencyStatus.Met)]
    [InlineData(DependencyKind.AfterAny, new[] { Pending, Succeeded }, DependencyStatus.Waiting)]
    public void ADependencyOnAnArray_IsOnAllItsTasks(DependencyKind kind, JobState[] tasks, DependencyStatus expected)
    {
        Assert.Equal(expected, new Dependency(kind, 7).Evaluate(ArrayStatus.Of(tasks)));
    }
}
