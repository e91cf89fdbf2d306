using GoDocker.Contracts;
using GoDocker.Execution;
using GoDocker.Jobs;

namespace GoDocker.Cli.Scripting;

/// <summary>
/// The one word `godocker status` prints per job, as Snakemake's --cluster-status script must: running, success or
/// failed. Nothing else may come out, since Snakemake reads any other word as an error.
/// </summary>
internal static class StatusWord
{
    public const string Running = "running";
    public const string Success = "success";
    public const string Failed = "failed";

    public static string Of(JobView job) => job.State switch
    {
        // Suspended and held (Pending) jobs have not ended: a workflow manager keeps waiting, as it would for squeue.
        JobState.Pending or JobState.Scheduled or JobState.Running or JobState.Suspended => Running,
        JobState.Succeeded => Success,
        // Archiving removes the directory, not the record: an archived job succeeded if its command exited 0 by itself.
        JobState.Archived when job.ExitCode == 0 && job.EndCause is null or EndCause.Exited => Success,
        _ => Failed,
    };
}
