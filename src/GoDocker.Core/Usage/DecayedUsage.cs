namespace GoDocker.Usage;

/// <summary>
/// Past consumption with exponential decay, as Slurm's PriorityDecayHalfLife: usage recorded at time t counts
/// 2^-((now - t) / half-life) at now. Kept per user and per project as a value at <see cref="AsOf"/>, so adding a
/// finished job is O(1): decay the value to the job's end, add the job.
/// </summary>
public sealed record DecayedUsage(double CpuSeconds, double MemoryGibSeconds, double GpuSeconds, DateTimeOffset AsOf)
{
    public static DecayedUsage Zero(DateTimeOffset at) => new(0, 0, 0, at);

    /// <summary>This usage decayed to <paramref name="at"/> (never grown: a time before <see cref="AsOf"/> keeps it as is).</summary>
    public DecayedUsage At(DateTimeOffset at, TimeSpan halfLife)
    {
        var factor = Factor(at - AsOf, halfLife);
        return new DecayedUsage(CpuSeconds * factor, MemoryGibSeconds * factor, GpuSeconds * factor, at > AsOf ? at : AsOf);
    }

    /// <summary>Adds a job's consumption recorded at <paramref name="at"/>.</summary>
    public DecayedUsage Add(JobConsumption consumption, DateTimeOffset at, TimeSpan halfLife)
    {
        var decayed = At(at, halfLife);
        return decayed with
        {
            CpuSeconds = decayed.CpuSeconds + consumption.CpuSeconds,
            MemoryGibSeconds = decayed.MemoryGibSeconds + consumption.MemoryGibSeconds,
            GpuSeconds = decayed.GpuSeconds + consumption.GpuSeconds,
        };
    }

    public static double Factor(TimeSpan elapsed, TimeSpan halfLife) =>
        elapsed <= TimeSpan.Zero || halfLife <= TimeSpan.Zero ? 1 : Math.Pow(2, -(elapsed / halfLife));
}

/// <summary>What one job consumed (allocated resources × wall time, as Slurm bills), from its start to its end.</summary>
public sealed record JobConsumption(double CpuSeconds, double MemoryGibSeconds, double GpuSeconds)
{
    public static JobConsumption Of(double cpus, long memoryBytes, int gpus, TimeSpan wall)
    {
        var seconds = Math.Max(0, wall.TotalSeconds);
        return new JobConsumption(cpus * seconds, memoryBytes / (double)(1L << 30) * seconds, gpus * seconds);
    }
}

/// <summary>How usage components are weighed into one figure for fair share (Slurm's TRESBillingWeights).</summary>
public sealed record UsageBilling
{
    public double Cpu { get; init; } = 1;
    /// <summary>Per GiB of memory: 0.25 makes 4 GiB held for an hour cost as much as one cpu for an hour.</summary>
    public double MemoryGib { get; init; } = 0.25;
    public double Gpu { get; init; } = 10;

    public double Bill(double cpuSeconds, double memoryGibSeconds, double gpuSeconds) =>
        Cpu * cpuSeconds + MemoryGib * memoryGibSeconds + Gpu * gpuSeconds;
}
