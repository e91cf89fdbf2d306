using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>The commented sample configuration is valid, and environment variables override the file.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task SampleConfiguration_Loads_AndEnvironmentOverridesIt()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["CONFIG"] = Path.Combine(Paths.RepoRoot, "config/godocker.sample.jsonc"),
            // The sample says 4096; the environment wins.
            ["Executor:Docker:PidsLimit"] = "321",
        }, testDefaults: false);

        var job = await server.Api.SubmitAsync(new JobSpec { Script = "cat /sys/fs/cgroup/pids/pids.max", Image = "godocker/busybox" });
        var done = await server.Api.WaitEndAsync(job.Id);

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("321\n", await server.Api.StdoutAsync(job.Id));
        // The sample's defaults apply where nothing overrides them: 1 cpu, 1 GiB.
        Assert.Equal(1, done.Cpus);
        Assert.Equal(1L << 30, done.MemoryBytes);
    }

    [Fact]
    public async Task HostNetwork_IsRefusedAtStart()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServerProcess.StartAsync(new Dictionary<string, string> { ["Executor:Docker:Network"] = "host" }));

        Assert.Contains("network 'host' is refused", error.Message, StringComparison.Ordinal);
    }
}
