using GoDocker.Jobs;
using GoDocker.Server.Services;
using GoDocker.Server.Tests.UseCases;
using GoDocker.Storage;
using GoDocker.Usage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Tests.Services;

/// <summary>The leader's sampler with a fake clock and a node whose containers use what the test says.</summary>
public sealed class UsageSamplerTests : UseCaseTest
{
    private readonly MemoryUsageStore usage = new();
    // The container's cpu counter, in seconds, as its engine would report it.
    private double cpu;

    protected override IReadOnlyDictionary<string, string?> Configuration => new Dictionary<string, string?> { ["Monitoring:SampleInterval"] = "1s" };

    private QuietNode Node() => new("n1") { Usage = _ => new UsageSample(Time.GetUtcNow(), (long)(cpu * 1e9), 100, 0, 0, 0, 0, 0, 1) };

    private UsageSampler Sampler() =>
        new(usage, Time, Options.Create(Settings), NullLogger<UsageSampler>.Instance);

    private async Task<int> KeptSamplesAsync(Job job) =>
        (await usage.ReadUsageAsync(job.Id, job.Attempt, null, Ct)).Sum(p => p.Point.Samples);

    [Fact]
    public async Task Watch_TakesAFirstSampleAtOnce_AndKeepsIt()
    {
        var job = await RunningAsync(Alice);
        using var sampler = Sampler();
        cpu = 2;

        sampler.Watch(Node(), job, "c1", Ct);

        await Until(async () => await KeptSamplesAsync(job) == 1);
        Assert.Equal(2, (await sampler.MeasuredAsync(job.Id, job.Attempt, Ct))!.CpuSeconds, 1e-9);
    }

    [Fact]
    public async Task EveryInterval_EachWatchedContainerIsSampled_AndTheRoundIsOneWrite()
    {
        var first = await RunningAsync(Alice);
        var second = await RunningAsync(Bob);
        using var sampler = Sampler();
        using var term = new CancellationTokenSource();
        var run = sampler.RunAsync(new Leadership("leader", "test", 1, Time.GetUtcNow().AddMinutes(1)), term.Token);
        var node = Node();
        sampler.Watch(node, first, "c1", term.Token);
        sampler.Watch(node, second, "c2", term.Token);
        await Until(async () => await KeptSamplesAsync(first) == 1 && await KeptSamplesAsync(second) == 1);
        var writes = usage.Writes;

        cpu = 3;
        Time.Advance(TimeSpan.FromSeconds(1));
        await Until(async () => await KeptSamplesAsync(first) == 2 && await KeptSamplesAsync(second) == 2);

        Assert.Equal(writes + 1, usage.Writes);
        Assert.Equal(3, (await sampler.MeasuredAsync(second.Id, second.Attempt, Ct))!.CpuSeconds, 1e-9);
        await term.CancelAsync();
        await run;
    }

    [Fact]
    public async Task AfterAFailover_TheNewLeadersSeries_ContinuesTheKeptOne()
    {
        var job = await RunningAsync(Alice);
        using (var old = Sampler())
        {
            cpu = 4;
            old.Watch(Node(), job, "c1", Ct);
            await Until(async () => await KeptSamplesAsync(job) == 1);
        }
        using var successor = Sampler();
        Time.Advance(TimeSpan.FromSeconds(30));
        cpu = 10;

        successor.Watch(Node(), job, "c1", Ct);
        await Until(async () => await KeptSamplesAsync(job) == 2);

        var measured = await successor.MeasuredAsync(job.Id, job.Attempt, Ct);
        Assert.Equal((10.0, 2), (measured!.CpuSeconds, measured.Samples));
    }

    [Fact]
    public async Task AForgottenAttempt_IsMeasuredFromTheStore_AndAnAttemptNeverSampled_IsNull()
    {
        var job = await RunningAsync(Alice);
        using var sampler = Sampler();
        cpu = 1.5;
        sampler.Watch(Node(), job, "c1", Ct);
        await Until(async () => await KeptSamplesAsync(job) == 1);

        sampler.Forget(job.Id, job.Attempt);

        Assert.Equal(1.5, (await sampler.MeasuredAsync(job.Id, job.Attempt, Ct))!.CpuSeconds, 1e-9);
        Assert.Null(await sampler.MeasuredAsync(job.Id, job.Attempt + 1, Ct));
        Assert.Null(sampler.Live(job.Id, job.Attempt));
    }

    [Fact]
    public async Task AContainerWithNoSample_KeepsNothing()
    {
        var job = await RunningAsync(Alice);
        using var sampler = Sampler();

        sampler.Watch(new QuietNode("n1"), job, "gone", Ct);
        await Task.Delay(200);

        Assert.Equal(0, await KeptSamplesAsync(job));
        Assert.Null(await sampler.MeasuredAsync(job.Id, job.Attempt, Ct));
    }

    [Fact]
    public async Task WithSamplingOff_NothingIsMeasured_NorReadFromTheStore()
    {
        var job = await RunningAsync(Alice);
        using (var on = Sampler())
        {
            cpu = 1.5;
            on.Watch(Node(), job, "c1", Ct);
            await Until(async () => await KeptSamplesAsync(job) == 1);
        }
        Settings.Monitoring.Interval = null;
        using var off = Sampler();

        Assert.False(off.Enabled);
        Assert.Null(await off.MeasuredAsync(job.Id, job.Attempt, Ct));
    }

    /// <summary>Waits (real time, the sampler's first samples run in the background) until the condition holds.</summary>
    private static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(10);
        }
    }
}

/// <summary>Sampling off: nothing is watched, nothing measured.</summary>
public sealed class UsageSamplerOffTests : UseCaseTest
{
    protected override IReadOnlyDictionary<string, string?> Configuration => new Dictionary<string, string?> { ["Monitoring:SampleInterval"] = "off" };

    [Fact]
    public async Task Off_WatchesNothing()
    {
        var job = await RunningAsync(Alice);
        var usage = new MemoryUsageStore();
        using var sampler = new UsageSampler(usage, Time, Options.Create(Settings), NullLogger<UsageSampler>.Instance);

        sampler.Watch(new QuietNode("n1") { Usage = _ => new UsageSample(Time.GetUtcNow(), 1, 1, 1, 1, 1, 1, 1, 1) }, job, "c1", Ct);
        await Task.Delay(200);

        Assert.False(sampler.Enabled);
        Assert.Equal(0, usage.Writes);
    }
}
