using GoDocker.Jobs;
using GoDocker.Scheduling;

namespace GoDocker.Core.Tests.Scheduling;

/// <summary>Fluent builders for cycle inputs: <c>Job(1).Cpus(2).Mem("1G")</c>, <c>Node("n1").Cpus(4).Used(1, "2G")</c>.</summary>
internal static class SchedulingBuilders
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A pending job of 1 cpu and 1 GiB, submitted <paramref name="id"/> seconds after <see cref="T0"/>.</summary>
    public static PendingJobBuilder Job(long id) => new(id);

    /// <summary>An empty, schedulable node of 4 cpus and 16 GiB.</summary>
    public static NodeLoadBuilder Node(string name) => new(name);

    public static SchedulingSnapshot Snapshot(IEnumerable<PendingJobBuilder> jobs, IEnumerable<NodeLoadBuilder> nodes) =>
        new([.. jobs.Select(j => j.Build())], [.. nodes.Select(n => n.Build())], T0.AddHours(1));

    public static long Bytes(string size) =>
        ByteSize.TryParse(size, out var bytes) ? bytes : throw new ArgumentException($"not a size: {size}", nameof(size));
}

internal sealed class PendingJobBuilder(long id)
{
    private long version = 1;
    private string owner = "alice";
    private string project = "default";
    private double cpus = 1;
    private long memoryBytes = 1L << 30;
    private DateTimeOffset submittedAt = SchedulingBuilders.T0.AddSeconds(id);
    private string? currentReason;

    public long Id => id;

    public PendingJobBuilder Cpus(double value) { cpus = value; return this; }
    public PendingJobBuilder Mem(string size) { memoryBytes = SchedulingBuilders.Bytes(size); return this; }
    public PendingJobBuilder SubmittedAt(DateTimeOffset at) { submittedAt = at; return this; }
    public PendingJobBuilder Version(long value) { version = value; return this; }
    public PendingJobBuilder Owner(string value) { owner = value; return this; }
    public PendingJobBuilder Project(string value) { project = value; return this; }
    public PendingJobBuilder Reason(string? value) { currentReason = value; return this; }

    public PendingJob Build() => new(id, version, owner, project, cpus, memoryBytes, submittedAt, currentReason);
}

internal sealed class NodeLoadBuilder(string name)
{
    private double cpus = 4;
    private long memoryBytes = 16L << 30;
    private double usedCpus;
    private long usedMemoryBytes;
    private bool schedulable = true;

    public NodeLoadBuilder Cpus(double value) { cpus = value; return this; }
    public NodeLoadBuilder Mem(string size) { memoryBytes = SchedulingBuilders.Bytes(size); return this; }
    public NodeLoadBuilder Used(double usedCpus, string usedMemory = "0")
    {
        this.usedCpus = usedCpus;
        usedMemoryBytes = SchedulingBuilders.Bytes(usedMemory);
        return this;
    }
    public NodeLoadBuilder Drained() { schedulable = false; return this; }

    public NodeLoad Build() => new(new NodeInfo(name, cpus, memoryBytes) { Schedulable = schedulable }, usedCpus, usedMemoryBytes);
}
