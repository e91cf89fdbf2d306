using GoDocker.Jobs;
using GoDocker.Scheduling;

namespace GoDocker.Core.Tests.Scheduling.Simulation;

/// <summary>What a simulated user submits, and how the job behaves once started (its runtime and exit code).</summary>
internal sealed record SimJobSpec(string Owner, string Project, double Cpus, long MemoryBytes, TimeSpan Runtime)
{
    public int Gpus { get; init; }
    /// <summary>Null: none asked (the cycle assumes its default); the executor stops the job at its walltime.</summary>
    public TimeSpan? Walltime { get; init; }
    /// <summary>Non-zero: the job ends Failed.</summary>
    public int ExitCode { get; init; }
    public IReadOnlyList<Dependency> Dependencies { get; init; } = [];
    public long? ArrayId { get; init; }
    public int? ArrayMaxRunning { get; init; }
}

/// <summary>A job in the simulated store: its spec, and what happened to it.</summary>
internal sealed class SimJob(long id, SimJobSpec spec, DateTimeOffset submittedAt)
{
    public long Id => id;
    public SimJobSpec Spec => spec;
    public DateTimeOffset SubmittedAt => submittedAt;
    public bool Submitted { get; set; }
    public JobState State { get; set; } = JobState.Pending;
    public long Version { get; set; } = 1;
    public string? Reason { get; set; }
    public string? Node { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    public PendingJob ToPending() => new(id, Version, spec.Owner, spec.Project, new GoDocker.Jobs.Resources(spec.Cpus, spec.MemoryBytes, spec.Gpus), submittedAt, Reason)
    {
        WalltimeSeconds = spec.Walltime is { } w ? (long)w.TotalSeconds : null,
        Dependencies = spec.Dependencies,
        ArrayId = spec.ArrayId,
        ArrayMaxRunning = spec.ArrayMaxRunning,
    };

    public RunningJob ToRunning() => new(id, spec.Owner, spec.Project, Node!, new GoDocker.Jobs.Resources(spec.Cpus, spec.MemoryBytes, spec.Gpus), StartedAt!.Value)
    {
        WalltimeSeconds = spec.Walltime is { } w ? (long)w.TotalSeconds : null,
        ArrayId = spec.ArrayId,
    };

    /// <summary>Cpu-seconds this job held within [from, to).</summary>
    public double CpuSecondsWithin(DateTimeOffset from, DateTimeOffset to)
    {
        if (StartedAt is not { } start)
        {
            return 0;
        }
        var end = EndedAt ?? to;
        var overlap = (end < to ? end : to) - (start > from ? start : from);
        return overlap > TimeSpan.Zero ? spec.Cpus * overlap.TotalSeconds : 0;
    }

    public override string ToString() => $"job {id} ({spec.Owner}/{spec.Project}, {State})";
}
