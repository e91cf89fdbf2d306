namespace GoDocker.Jobs;

/// <summary>Where a job's directory is in its life after the job: as the job left it, one archive, or gone.</summary>
public enum JobDirectoryState
{
    /// <summary>Nothing on disk and the job has not ended (not launched yet).</summary>
    None,
    Present,
    Archived,
    /// <summary>Nothing on disk and the job has ended: removed by retention or purge (or never created: killed while pending).</summary>
    Removed,
}

/// <summary>What retention does to one job's directory now.</summary>
public enum RetentionAction
{
    Keep,
    Archive,
    Remove,
}

/// <summary>
/// The site's retention of ended jobs' directories (JobDirectories:ArchiveAfter, RemoveAfter): durations after the job's
/// end; null turns the step off. A pure rule: the leader's retention service asks it for each kept directory.
/// </summary>
public sealed record JobDirectoryRetention(TimeSpan? ArchiveAfter, TimeSpan? RemoveAfter)
{
    public static readonly JobDirectoryRetention Off = new(null, null);

    public bool IsOff => ArchiveAfter is null && RemoveAfter is null;

    /// <summary>
    /// What is due for a directory in <paramref name="state"/> of a job in <paramref name="jobState"/> that ended at
    /// <paramref name="endedAt"/>. A job still holding (or waiting for) resources is never touched, whatever its times.
    /// Removal wins over archiving once both are due (archiving what is about to go is wasted work).
    /// </summary>
    public RetentionAction Due(JobState jobState, DateTimeOffset? endedAt, JobDirectoryState state, DateTimeOffset now)
    {
        if (!jobState.IsTerminal() || endedAt is not { } ended || state is not (JobDirectoryState.Present or JobDirectoryState.Archived))
        {
            return RetentionAction.Keep;
        }
        var age = now - ended;
        if (RemoveAfter is { } remove && age >= remove)
        {
            return RetentionAction.Remove;
        }
        if (ArchiveAfter is { } archive && age >= archive && state == JobDirectoryState.Present)
        {
            return RetentionAction.Archive;
        }
        return RetentionAction.Keep;
    }
}
