using System.Text.Json.Serialization;

namespace GoDocker.Jobs;

/// <summary>Where a job is in its life. Only <see cref="JobTransitions"/> says which moves are legal.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
public enum JobState
{
    /// <summary>Waiting for the scheduler; always carries a human-readable reason.</summary>
    Pending,
    /// <summary>Placed on a node by a committed plan; the launch order is in the dispatch queue.</summary>
    Scheduled,
    /// <summary>The container is running.</summary>
    Running,
    /// <summary>Paused; keeps its resources.</summary>
    Suspended,
    /// <summary>Terminal: exited 0.</summary>
    Succeeded,
    /// <summary>Terminal: non-zero exit, out of memory, walltime, launch failure, lost container.</summary>
    Failed,
    /// <summary>Terminal: stopped on request.</summary>
    Killed,
    /// <summary>Terminal: refused after submission (a dependency or quota that can never be met).</summary>
    Rejected,
    /// <summary>After a terminal state: job directory removed, record kept.</summary>
    Archived,
}

public static class JobStateExtensions
{
    public static bool IsTerminal(this JobState state) =>
        state is JobState.Succeeded or JobState.Failed or JobState.Killed or JobState.Rejected or JobState.Archived;

    /// <summary>Holds node resources: counted against capacity by the scheduler.</summary>
    public static bool HoldsResources(this JobState state) =>
        state is JobState.Scheduled or JobState.Running or JobState.Suspended;
}
