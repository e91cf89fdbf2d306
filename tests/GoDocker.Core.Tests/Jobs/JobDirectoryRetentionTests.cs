using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Jobs;

/// <summary>What retention does to a job's directory, when: the pure rule the leader's retention service asks.</summary>
public sealed class JobDirectoryRetentionTests
{
    private static readonly DateTimeOffset Ended = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly JobDirectoryRetention Site = new(TimeSpan.FromDays(7), TimeSpan.FromDays(30));

    [Theory]
    // Hours after the job's end, the directory's state, what is due.
    [InlineData(0, JobDirectoryState.Present, RetentionAction.Keep)]
    [InlineData(7 * 24 - 1, JobDirectoryState.Present, RetentionAction.Keep)]
    [InlineData(7 * 24, JobDirectoryState.Present, RetentionAction.Archive)]
    [InlineData(7 * 24, JobDirectoryState.Archived, RetentionAction.Keep)]
    [InlineData(30 * 24 - 1, JobDirectoryState.Archived, RetentionAction.Keep)]
    [InlineData(30 * 24, JobDirectoryState.Archived, RetentionAction.Remove)]
    // Not archived in time (the server was down, or too large): removed directly, never archived first.
    [InlineData(30 * 24, JobDirectoryState.Present, RetentionAction.Remove)]
    [InlineData(400 * 24, JobDirectoryState.Removed, RetentionAction.Keep)]
    [InlineData(400 * 24, JobDirectoryState.None, RetentionAction.Keep)]
    public void AnEndedJob_IsArchivedThenRemoved_AtTheSitesDurations(int hours, JobDirectoryState state, RetentionAction expected)
    {
        Assert.Equal(expected, Site.Due(JobState.Succeeded, Ended, state, Ended.AddHours(hours)));
    }

    [Theory]
    [InlineData(JobState.Pending)]
    [InlineData(JobState.Scheduled)]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Suspended)]
    public void AJobNotEnded_IsNeverTouched_WhateverItsTimes(JobState state)
    {
        // An end time from an earlier attempt (requeued) must not count.
        Assert.Equal(RetentionAction.Keep, Site.Due(state, Ended, JobDirectoryState.Present, Ended.AddYears(1)));
    }

    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Killed)]
    [InlineData(JobState.Rejected)]
    [InlineData(JobState.Archived)]
    public void EveryEndedState_IsRetained(JobState state)
    {
        Assert.Equal(RetentionAction.Archive, Site.Due(state, Ended, JobDirectoryState.Present, Ended.AddDays(8)));
    }

    [Fact]
    public void AnEndedJobWithoutAnEndTime_IsKept()
    {
        Assert.Equal(RetentionAction.Keep, Site.Due(JobState.Failed, null, JobDirectoryState.Present, Ended.AddYears(1)));
    }

    [Theory]
    [InlineData(null, 30, 10 * 24, RetentionAction.Keep)]
    [InlineData(null, 30, 30 * 24, RetentionAction.Remove)]
    [InlineData(7, null, 8 * 24, RetentionAction.Archive)]
    [InlineData(7, null, 4000 * 24, RetentionAction.Archive)]
    [InlineData(null, null, 4000 * 24, RetentionAction.Keep)]
    public void EitherStep_MayBeOff(int? archiveDays, int? removeDays, int hours, RetentionAction expected)
    {
        var policy = new JobDirectoryRetention(
            archiveDays is { } a ? TimeSpan.FromDays(a) : null, removeDays is { } r ? TimeSpan.FromDays(r) : null);

        Assert.Equal(expected, policy.Due(JobState.Succeeded, Ended, JobDirectoryState.Present, Ended.AddHours(hours)));
        Assert.Equal(archiveDays is null && removeDays is null, policy.IsOff);
    }
}
