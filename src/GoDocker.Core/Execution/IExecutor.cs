using GoDocker.Jobs;
using GoDocker.Scheduling;

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

    /// <summary>The node this executor serves, with its capacity.</summary>
    ValueTask<NodeInfo> DescribeAsync(CancellationToken cancellationToken);

    ValueTask<LaunchOutcome> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken);

    /// <summary>Waits until the container exits and reports how.</summary>
    ValueTask<ContainerExit> WaitAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>. A container already gone is not an error.</summary>
    ValueTask StopAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>Freezes every process of the container (suspend); it keeps its resources.</summary>
    ValueTask PauseAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Thaws a paused container (resume).</summary>
    ValueTask UnpauseAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Removes the container. A container already gone is not an error.</summary>
    ValueTask RemoveAsync(string containerId, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<RecoveredContainer>> RecoverAsync(CancellationToken cancellationToken);
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

    public sealed record Started(string ContainerId, DateTimeOffset StartedAt) : LaunchOutcome;

    /// <summary>The launch can never succeed as asked (e.g. the image is not on the node).</summary>
    public sealed record Refused(string Reason) : LaunchOutcome;
}

/// <summary>How a container ended. <see cref="OutOfMemory"/>: the kernel killed it for exceeding its limit.</summary>
public sealed record ContainerExit(int ExitCode, bool OutOfMemory, DateTimeOffset? FinishedAt, string? Error);

/// <summary>A container found on the node that belongs to this instance. Not running and no exit: created, never started.</summary>
public sealed record RecoveredContainer(long JobId, int Attempt, string ContainerId, bool Running, DateTimeOffset? StartedAt, ContainerExit? Exit);
