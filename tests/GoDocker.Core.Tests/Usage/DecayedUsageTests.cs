using GoDocker.Usage;

namespace GoDocker.Core.Tests.Usage;

public sealed class DecayedUsageTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan HalfLife = TimeSpan.FromDays(7);

    public static TheoryData<double, double, double> Factors() => new()
    {
        // elapsed (half-lives), half-life (days), factor
        { 0, 7, 1 },
        { 1, 7, 0.5 },
        { 2, 7, 0.25 },
        { 0.5, 7, 1 / Math.Sqrt(2) },
        { 10, 7, 1 / 1024.0 },
        { -1, 7, 1 },   // a time before: never grows
        { 1, 0, 1 },    // no half-life: no decay
    };

    [Theory]
    [MemberData(nameof(Factors))]
    public void Factor_HalvesPerHalfLife(double halfLives, double halfLifeDays, double expected)
    {
        var halfLife = TimeSpan.FromDays(halfLifeDays);
        var elapsed = TimeSpan.FromDays(7 * halfLives);

        Assert.Equal(expected, DecayedUsage.Factor(elapsed, halfLife), 1e-12);
    }

    [Fact]
    public void At_DecaysEveryComponent_AndMovesAsOf()
    {
        var usage = new DecayedUsage(1000, 400, 8, T0);

        var later = usage.At(T0 + HalfLife, HalfLife);

        Assert.Equal(new DecayedUsage(500, 200, 4, T0 + HalfLife), later);
    }

    [Fact]
    public void At_AnEarlierTime_KeepsTheValueAndItsDate()
    {
        var usage = new DecayedUsage(1000, 400, 8, T0);

        Assert.Equal(usage, usage.At(T0.AddDays(-3), HalfLife));
    }

    [Fact]
    public void Add_DecaysToTheJobsEnd_ThenAddsTheJob()
    {
        var job = new JobConsumption(100, 10, 1);

        var usage = DecayedUsage.Zero(T0).Add(job, T0 + HalfLife, HalfLife).Add(job, T0 + 2 * HalfLife, HalfLife);

        Assert.Equal(new DecayedUsage(150, 15, 1.5, T0 + 2 * HalfLife), usage);
        // Decaying the sum equals summing the decayed parts: another half-life halves both jobs.
        Assert.Equal(75, usage.At(T0 + 3 * HalfLife, HalfLife).CpuSeconds, 1e-9);
    }

    [Fact]
    public void Add_AtAnEarlierTime_AddsWithoutDecayingOrGrowing()
    {
        var usage = new DecayedUsage(100, 0, 0, T0).Add(new JobConsumption(50, 0, 0), T0.AddHours(-1), HalfLife);

        Assert.Equal(new DecayedUsage(150, 0, 0, T0), usage);
    }

    public static TheoryData<double, string, int, double, double, double, double> Consumptions() => new()
    {
        // cpus, memory, gpus, seconds -> cpu-s, GiB-s, gpu-s
        { 2, "3G", 1, 100, 200, 300, 100 },
        { 0.5, "512M", 0, 10, 5, 5, 0 },
        { 4, "0", 2, 0, 0, 0, 0 },
        { 4, "8G", 2, -30, 0, 0, 0 },  // a clock that went back bills nothing, never negative
    };

    [Theory]
    [MemberData(nameof(Consumptions))]
    public void JobConsumption_IsAllocationTimesWallTime(double cpus, string memory, int gpus, double seconds, double cpuSeconds, double gibSeconds, double gpuSeconds)
    {
        Assert.True(GoDocker.Jobs.ByteSize.TryParse(memory, out var bytes));

        var consumed = JobConsumption.Of(cpus, bytes, gpus, TimeSpan.FromSeconds(seconds));

        Assert.Equal(new JobConsumption(cpuSeconds, gibSeconds, gpuSeconds), consumed);
    }

    [Fact]
    public void Billing_ByDefault_FourGibHeldAnHour_CostAsMuchAsOneCpuHour_AndAGpuTenCpus()
    {
        var billing = new UsageBilling();

        Assert.Equal(3600, billing.Bill(3600, 0, 0));
        Assert.Equal(3600, billing.Bill(0, 4 * 3600, 0));
        Assert.Equal(36_000, billing.Bill(0, 0, 3600));
        Assert.Equal(3600 + 3600 + 36_000, billing.Bill(3600, 4 * 3600, 3600));
    }

    [Fact]
    public void Billing_UsesTheConfiguredWeights()
    {
        var billing = new UsageBilling { Cpu = 2, MemoryGib = 0, Gpu = 100 };

        Assert.Equal(2 * 10 + 100 * 3, billing.Bill(10, 1000, 3));
    }
}
