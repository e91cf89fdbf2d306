using GoDocker.Execution;
using GoDocker.Usage;

namespace GoDocker.Contracts;

/// <summary>
/// One accounting record as GET /accounting shows it (v1), sacct's columns: times as ISO 8601, durations in seconds,
/// sizes in bytes; the measured figures are absent when nothing was measured.
/// </summary>
public sealed record AccountingView
{
    public required long JobId { get; init; }
    public long? ArrayId { get; init; }
    public required string Name { get; init; }
    public required string Owner { get; init; }
    public required string Project { get; init; }
    public int Attempt { get; init; }
    /// <summary>Succeeded, Failed, Killed, Rejected, or Requeued (the attempt ended and the job went back to the queue).</summary>
    public required AccountedState State { get; init; }
    public EndCause? EndCause { get; init; }
    public string? Reason { get; init; }
    public int? ExitCode { get; init; }
    public string? Node { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public required DateTimeOffset EndedAt { get; init; }
    public double ElapsedSeconds { get; init; }
    public required double Cpus { get; init; }
    public required long MemoryBytes { get; init; }
    public int Gpus { get; init; }
    /// <summary>Cpu time used (user + system) by the container's processes.</summary>
    public double? CpuSeconds { get; init; }
    /// <summary>Cpus used on average: <see cref="CpuSeconds"/> / <see cref="ElapsedSeconds"/>.</summary>
    public double? AverageCpus { get; init; }
    public long? MaxRssBytes { get; init; }
    public long? MaxPids { get; init; }
    public long? ReadBytes { get; init; }
    public long? WriteBytes { get; init; }
    public long? NetworkReceivedBytes { get; init; }
    public long? NetworkSentBytes { get; init; }
    /// <summary>How many samples the measured figures come from.</summary>
    public int? Samples { get; init; }

    public static AccountingView From(AccountingRecord record) => new()
    {
        JobId = record.JobId,
        ArrayId = record.ArrayId,
        Name = record.Name,
        Owner = record.Owner,
        Project = record.Project,
        Attempt = record.Attempt,
        State = record.State,
        EndCause = record.Cause,
        Reason = record.Reason,
        ExitCode = record.ExitCode,
        Node = record.Node,
        SubmittedAt = record.SubmittedAt,
        StartedAt = record.StartedAt,
        EndedAt = record.EndedAt,
        ElapsedSeconds = record.Elapsed.TotalSeconds,
        Cpus = record.Cpus,
        MemoryBytes = record.MemoryBytes,
        Gpus = record.Gpus,
        CpuSeconds = record.Measured?.CpuSeconds,
        AverageCpus = record.AverageCpus,
        MaxRssBytes = record.Measured?.MaxRssBytes,
        MaxPids = record.Measured?.MaxPids,
        ReadBytes = record.Measured?.BlockReadBytes,
        WriteBytes = record.Measured?.BlockWriteBytes,
        NetworkReceivedBytes = record.Measured?.NetworkReceivedBytes,
        NetworkSentBytes = record.Measured?.NetworkSentBytes,
        Samples = record.Measured?.Samples,
    };
}

/// <summary>A page of accounting records, with the total that match.</summary>
public sealed record AccountingList(IReadOnlyList<AccountingView> Items, long Total, int Offset, int Limit);
