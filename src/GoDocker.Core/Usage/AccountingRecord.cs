using GoDocker.Execution;
using GoDocker.Jobs;

namespace GoDocker.Usage;

/// <summary>
/// What one ended attempt of a job was and used, as Slurm's sacct lists it: kept for good when the attempt ends, in the
/// transaction of the change that ends it. Decided by <see cref="JobLifecycle"/>: one record per attempt that ran and
/// left its node (ended, or requeued), and one for a job that ended without its attempt running (killed while pending,
/// rejected, refused or failed at launch), so every ended job has at least one (sacct lists cancelled pending jobs too).
/// </summary>
public sealed record AccountingRecord
{
    public required long JobId { get; init; }
    /// <summary>The array the job is a task of (its first task's id).</summary>
    public long? ArrayId { get; init; }
    public required string Name { get; init; }
    public required string Owner { get; init; }
    public required string Project { get; init; }
    /// <summary>The job's attempt (0: it was never placed).</summary>
    public int Attempt { get; init; }
    public required AccountedState State { get; init; }
    /// <summary>Why the attempt ended, as a closed value; null for a rejection (the reason says why).</summary>
    public EndCause? Cause { get; init; }
    /// <summary>The sentence people read.</summary>
    public string? Reason { get; init; }
    public int? ExitCode { get; init; }
    /// <summary>The node the attempt was placed on; null when it was never placed.</summary>
    public string? Node { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    /// <summary>When the attempt's container started; null when it never did.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    public required DateTimeOffset EndedAt { get; init; }
    /// <summary>Allocated cpus, memory and gpus (what the job asked for and held).</summary>
    public required double Cpus { get; init; }
    public required long MemoryBytes { get; init; }
    public int Gpus { get; init; }
    /// <summary>What the attempt's container was measured to use; null when nothing was measured.</summary>
    public MeasuredUsage? Measured { get; init; }

    /// <summary>From start to end; zero for an attempt that never started.</summary>
    public TimeSpan Elapsed => StartedAt is { } started && EndedAt > started ? EndedAt - started : TimeSpan.Zero;

    /// <summary>Average cpus used (measured cpu time / elapsed), as sacct's AveCPU read as a rate; null when not measured or no time passed.</summary>
    public double? AverageCpus => Measured is { } measured && Elapsed > TimeSpan.Zero ? measured.CpuSeconds / Elapsed.TotalSeconds : null;
}

/// <summary>What an ended attempt became: the job's terminal state, or <see cref="Requeued"/> when it went back to the queue.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<AccountedState>))]
public enum AccountedState
{
    Succeeded,
    Failed,
    Killed,
    Rejected,
    /// <summary>The attempt ran and the job went back to the queue for another (a requeue, a node down): sacct's REQUEUED.</summary>
    Requeued,
}

/// <summary>What an attempt's usage charge (fair share, quota windows) counts as its cpu time: the site's Usage:Charge.</summary>
public enum ChargeBasis
{
    /// <summary>Allocated cpus × elapsed, as Slurm bills by default.</summary>
    Allocated,

    /// <summary>The cpu time measured in the attempt's container; allocated cpus × elapsed when nothing was measured.</summary>
    Measured,
}
