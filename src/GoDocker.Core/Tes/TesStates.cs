using System.Text.Json.Serialization;
using GoDocker.Execution;
using GoDocker.Jobs;

namespace GoDocker.Tes;

/// <summary>A GA4GH TES 1.1 task's state (tesState), spelled on the wire as the specification does.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TesState>))]
public enum TesState
{
    [JsonStringEnumMemberName("UNKNOWN")] Unknown,
    [JsonStringEnumMemberName("QUEUED")] Queued,
    [JsonStringEnumMemberName("INITIALIZING")] Initializing,
    [JsonStringEnumMemberName("RUNNING")] Running,
    [JsonStringEnumMemberName("PAUSED")] Paused,
    [JsonStringEnumMemberName("COMPLETE")] Complete,
    [JsonStringEnumMemberName("EXECUTOR_ERROR")] ExecutorError,
    [JsonStringEnumMemberName("SYSTEM_ERROR")] SystemError,
    [JsonStringEnumMemberName("CANCELED")] Canceled,
    [JsonStringEnumMemberName("CANCELING")] Canceling,
    [JsonStringEnumMemberName("PREEMPTED")] Preempted,
}

/// <summary>
/// A task's TES state from its job's (docs/notes/tes-design.md §3). Whatever the task's own commands did wrong is an
/// EXECUTOR_ERROR (a non-zero exit, out of memory, its walltime): workflow managers retry those by the exit code;
/// whatever the system did is a SYSTEM_ERROR (refused or failed launch, engine faults, lost or interfered-with
/// containers, a node down, a rejection, files not staged). PREEMPTED never: GoDocker does not preempt, and a client
/// that does not know it as an end would wait forever. Pure: no I/O.
/// </summary>
public static class TesStates
{
    /// <param name="systemError">the task's runner reported a failure of its own (staging inputs or outputs), not of a command.</param>
    public static TesState Of(JobState state, EndCause? cause, StopRequest? stop, int? exitCode, bool systemError = false) => state switch
    {
        JobState.Pending => TesState.Queued,
        JobState.Scheduled or JobState.Running or JobState.Suspended when stop?.EndState == JobState.Killed => TesState.Canceling,
        JobState.Scheduled => TesState.Initializing,
        JobState.Running => TesState.Running,
        JobState.Suspended => TesState.Paused,
        JobState.Succeeded => TesState.Complete,
        JobState.Failed => cause switch
        {
            EndCause.Exited => systemError ? TesState.SystemError : TesState.ExecutorError,
            EndCause.OutOfMemory or EndCause.StopRequested or EndCause.Walltime or EndCause.DirectoryLimit => TesState.ExecutorError,
            _ => TesState.SystemError,
        },
        JobState.Killed => TesState.Canceled,
        JobState.Rejected => TesState.SystemError,
        JobState.Archived => exitCode == 0 ? TesState.Complete : TesState.ExecutorError,
        _ => TesState.Unknown,
    };

    /// <summary>
    /// The job states a task in <paramref name="state"/> can be in: what a store narrows a list by (`?state=`) before
    /// <see cref="Of"/> decides each job. Empty for the states no task is ever in.
    /// </summary>
    public static IReadOnlyList<JobState> JobStatesOf(TesState state) => state switch
    {
        TesState.Queued => [JobState.Pending],
        TesState.Initializing => [JobState.Scheduled],
        TesState.Running => [JobState.Running],
        TesState.Paused => [JobState.Suspended],
        TesState.Canceling => [JobState.Scheduled, JobState.Running, JobState.Suspended],
        TesState.Complete => [JobState.Succeeded, JobState.Archived],
        TesState.ExecutorError => [JobState.Failed, JobState.Archived],
        TesState.SystemError => [JobState.Failed, JobState.Rejected],
        TesState.Canceled => [JobState.Killed],
        _ => [],
    };
}
