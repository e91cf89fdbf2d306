using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Usage;

namespace GoDocker.Execution;

/// <summary>
/// Runs jobs on one node's container engine. Contract:
/// <list type="bullet">
/// <item><see cref="LaunchAsync"/> is idempotent per (job, attempt): a second call for a container that exists adopts it.</item>
/// <item>Expected refusals (image absent, engine refuses the config) are a <see cref="LaunchOutcome.Refused"/> value;
/// exceptions mean the engine could not be reached and the launch may be retried.</item>
/// <item><see cref="RecoverAsync"/> lists every container this GoDocker instance owns on the node, running or exited,
/// so the caller can re-attach or resolve each (DESIGN invariant 5).</item>
/// </list>
/// </summary>
public interface IExecutor
{
    /// <summary>The executor plugin's name (docker, swarm).</summary>
    string Name { get; }

    /// <summary>The node this executor serves, known without reaching the engine.</summary>
    string NodeName { get; }

    /// <summary>
    /// The node this executor serves, with its capacity. Throws <see cref="NodeUnreachableException"/> when the engine
    /// does not answer (what makes a node down in time); any other exception means it answers but cannot take jobs.
    /// </summary>
    ValueTask<NodeInfo> DescribeAsync(CancellationToken cancellationToken);

    ValueTask<LaunchOutcome> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Waits until the container exits and reports how, checked against the engine before it is believed: the
    /// container is inspected (removed? started again after <paramref name="startedAt"/>, the start GoDocker recorded?)
    /// and its events read (stopped, killed by someone), and an end GoDocker did not cause comes back as
    /// <see cref="ContainerExit.Interference"/>. Waits through engine outages; an engine restart that ended the
    /// container says so.
    /// </summary>
    ValueTask<ContainerExit> WaitAsync(string containerId, DateTimeOffset startedAt, CancellationToken cancellationToken);

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>. A container already gone is not an error.</summary>
    ValueTask StopAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>Freezes every process of the container (suspend); it keeps its resources.</summary>
    ValueTask PauseAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Thaws a paused container (resume).</summary>
    ValueTask UnpauseAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Removes the container. A container already gone is not an error.</summary>
    ValueTask RemoveAsync(string containerId, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<RecoveredContainer>> RecoverAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reports, as they happen, pauses and unpauses of this instance's containers on the node (GoDocker's own
    /// and anyone else's: the caller knows which it asked for). Returns when cancelled; throws when the engine
    /// cannot be reached or its event stream breaks, and the caller watches again.
    /// </summary>
    Task WatchAsync(Func<ContainerSignal, ValueTask> report, CancellationToken cancellationToken);

    /// <summary>
    /// One reading of the container's usage from its engine (cpu, memory, block and network IO, pids), taken now; one
    /// engine request, no streaming. Null when there is nothing to read: the container is gone or not running, or this
    /// executor cannot read usage where its containers run (the default). Throws only when the engine cannot be reached
    /// or answers with a fault; a sampler skips that reading and tries again at its next.
    /// </summary>
    ValueTask<UsageSample?> SampleAsync(string containerId, CancellationToken cancellationToken) => ValueTask.FromResult<UsageSample?>(null);

    /// <summary>
    /// Starts a command in a running container (docker exec), as <see cref="ExecRequest.User"/>, in the container's
    /// namespaces and limits. Expected refusals are values: the container is not running (<see cref="ExecOutcome.NotRunning"/>),
    /// or this executor cannot reach its containers' engines (<see cref="ExecOutcome.NotSupported"/>, the default).
    /// Throws when the engine cannot be reached.
    /// </summary>
    ValueTask<ExecOutcome> ExecAsync(ExecRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ExecOutcome>(new ExecOutcome.NotSupported($"the {Name} executor cannot run commands in its jobs' containers"));

    /// <summary>
    /// Joins an interactive job's terminal (docker attach): the session's input is the job's terminal input, its output
    /// the terminal's. Disposing the session detaches and leaves the job running; its output ends when the job does,
    /// and <see cref="IExecSession.ExitCodeAsync"/> then tells the job's exit code. Refusals as <see cref="ExecAsync"/>.
    /// </summary>
    ValueTask<ExecOutcome> AttachAsync(AttachRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ExecOutcome>(new ExecOutcome.NotSupported($"the {Name} executor cannot attach to its jobs' terminals"));
}

/// <summary>Something that happened to a job's container on its engine.</summary>
public sealed record ContainerSignal(long JobId, int Attempt, string ContainerId, ContainerAction Action, DateTimeOffset At);

public enum ContainerAction
{
    Paused,
    Unpaused,
}

/// <summary>What to run: the job, its attempt, and the host path of its job directory.</summary>
public sealed record LaunchRequest(long JobId, int Attempt, string Owner, ResolvedJobSpec Spec, string JobDirectory)
{
    /// <summary>The array the job is a task of (GODOCKER_ARRAY_JOB_ID).</summary>
    public long? ArrayId { get; init; }
    /// <summary>Each offered volume's allowed root by volume name, as configured now: the spec's mounts are checked against it at launch.</summary>
    public IReadOnlyDictionary<string, string> VolumeRoots { get; init; } = new Dictionary<string, string>();
}

public abstract record LaunchOutcome
{
    private LaunchOutcome() { }

    /// <summary>Running; <see cref="StartedAt"/> is the engine's own start time, what <see cref="IExecutor.WaitAsync"/> compares a restart against.</summary>
    public sealed record Started(string ContainerId, DateTimeOffset StartedAt) : LaunchOutcome
    {
        /// <summary>Where it runs, for the job's timeline: "on cpus 0-1" when pinned (and whether it shares them); null when not pinned.</summary>
        public string? Cpus { get; init; }
    }

    /// <summary>The launch can never succeed as asked (e.g. the image is not on the node).</summary>
    public sealed record Refused(string Reason) : LaunchOutcome;
}

/// <summary>How a container ended. <see cref="OutOfMemory"/>: the kernel killed it for exceeding its limit.</summary>
public sealed record ContainerExit(int ExitCode, bool OutOfMemory, DateTimeOffset? FinishedAt, string? Error)
{
    /// <summary>What was done to the container outside GoDocker, if anything: then the exit code is not the command's verdict.</summary>
    public Interference? Interference { get; init; }
}

/// <summary>A container found on the node that belongs to this instance. Not running and no exit: created, never started.</summary>
public sealed record RecoveredContainer(long JobId, int Attempt, string ContainerId, bool Running, DateTimeOffset? StartedAt, ContainerExit? Exit);
