using GoDocker.Jobs;

namespace GoDocker.Execution;

/// <summary>
/// Why an attempt ended, as a closed set a UI filter, a TES state or a DRMAA status can read; the job's reason
/// text is derived from it (<see cref="JobEnd.Of"/>), never parsed back.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<EndCause>))]
public enum EndCause
{
    /// <summary>The command ended by itself: exit 0 is Succeeded, anything else Failed.</summary>
    Exited,

    /// <summary>The kernel killed it for exceeding its memory limit.</summary>
    OutOfMemory,

    /// <summary>The engine reported an error running the container.</summary>
    EngineError,

    /// <summary>GoDocker stopped it as asked (kill, requeue); the request says by whom and why.</summary>
    StopRequested,

    /// <summary>GoDocker stopped it for running past its walltime (Slurm's TIMEOUT).</summary>
    Walltime,

    /// <summary>GoDocker stopped it for writing more than Jobs:MaxJobDirectorySize into its job directory.</summary>
    DirectoryLimit,

    /// <summary>Someone restarted the container behind GoDocker's back: the command ran more than once.</summary>
    RestartedOutside,

    /// <summary>Someone removed the container behind GoDocker's back.</summary>
    RemovedOutside,

    /// <summary>Someone stopped the container (docker stop) behind GoDocker's back.</summary>
    StoppedOutside,

    /// <summary>Someone sent the container a signal (docker kill) behind GoDocker's back.</summary>
    KilledOutside,

    /// <summary>The engine went down (stopped, restarted, crashed) and took the container with it.</summary>
    EngineRestart,

    /// <summary>The container is gone and nothing says how it ended.</summary>
    Lost,

    /// <summary>The launch was refused: it can never run as asked (image absent, not authorized, engine refused the config).</summary>
    RefusedAtLaunch,

    /// <summary>The launch kept failing on a node that answers, until its deliveries ran out.</summary>
    LaunchFailed,

    /// <summary>
    /// The node's engine stopped answering for longer than the site's Executor:NodeDownAfter: the attempt's fate is unknown,
    /// so it was requeued (the job allows it) or failed (it does not); the reason names the node and since when.
    /// </summary>
    NodeDown,
}

/// <summary>
/// Something done to a container that GoDocker did not do, found by the executor when it checked an exit against
/// the engine (inspection, the engine's events). <see cref="Signal"/>: the signal sent, when one was.
/// </summary>
public sealed record Interference(EndCause Cause, int? Signal = null);

/// <summary>The one terminal record of an attempt: its state, its cause, and the reason people read.</summary>
public sealed record JobEnd(JobState State, EndCause Cause, string Reason)
{
    /// <summary>
    /// Classifies how an attempt ended. A stop GoDocker was asked for comes first (the container's end is then the
    /// stop's doing); then anything done outside GoDocker (a restart means the command ran twice, so its exit code
    /// cannot be believed); then the kernel's OOM kill, an engine error, and last the exit code itself.
    /// </summary>
    public static JobEnd Of(StopRequest? stop, long memoryLimitBytes, ContainerExit exit)
    {
        if (stop is not null)
        {
            return new JobEnd(stop.EndState, stop.EndCause, stop.Reason);
        }
        if (exit.Interference is { } outside)
        {
            return new JobEnd(JobState.Failed, outside.Cause, Describe(outside));
        }
        if (exit.OutOfMemory)
        {
            return new JobEnd(JobState.Failed, EndCause.OutOfMemory, $"out of memory (limit {ByteSize.Format(memoryLimitBytes)})");
        }
        if (exit.Error is { } error && exit.ExitCode != 0)
        {
            return new JobEnd(JobState.Failed, EndCause.EngineError, error);
        }
        return exit.ExitCode == 0
            ? new JobEnd(JobState.Succeeded, EndCause.Exited, "exited 0")
            : new JobEnd(JobState.Failed, EndCause.Exited, $"exit code {exit.ExitCode}");
    }

    /// <summary>The sentence for an end GoDocker did not cause: it names what happened.</summary>
    public static string Describe(Interference outside) => outside.Cause switch
    {
        EndCause.RestartedOutside => "container restarted outside GoDocker: the command ran more than once",
        EndCause.RemovedOutside => "container removed outside GoDocker",
        EndCause.StoppedOutside => "container stopped outside GoDocker (docker stop)",
        EndCause.KilledOutside => outside.Signal is { } signal
            ? $"container killed outside GoDocker (signal {signal})"
            : "container killed outside GoDocker",
        EndCause.EngineRestart => "ended by an engine restart",
        EndCause.Lost => "the container was lost while GoDocker was not watching it",
        var cause => $"ended outside GoDocker ({cause})",
    };
}
