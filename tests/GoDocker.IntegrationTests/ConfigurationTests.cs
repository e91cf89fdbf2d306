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

    // Each of these once fell back silently (1 GiB, unlimited, hold, read-write) or threw on every cycle.
    public static TheoryData<string, string, string> BadSettings() => new()
    {
        { "Jobs:DefaultMemory", "lots", "Jobs:DefaultMemory: 'lots' is not a size" },
        { "Jobs:DefaultMemory", "8000000T", "Jobs:DefaultMemory: '8000000T' must be from 6 MiB to 1024 TiB" },
        { "Jobs:DefaultWalltime", "forever", "Jobs:DefaultWalltime: 'forever' is not a duration" },
        { "Jobs:MaxWalltime", "5000000d", "Jobs:MaxWalltime: '5000000d' is above the longest walltime" },
        { "Jobs:DefaultCpus", "NaN", "Jobs:DefaultCpus: 'NaN' is not a finite number" },
        { "Quotas:OverCpuHours", "maybe", "Quotas:OverCpuHours: 'maybe' is not one of reject, hold" },
        { "Quotas:User:MaxMemory", "huge", "Quotas:User:MaxMemory: 'huge' is not a size" },
        { "Quotas:Project:MaxCpus", "-1", "Quotas:Project:MaxCpus: -1 must be from 0 to 1000000000" },
        { "Scheduler:Policy", "lifo", "Scheduler:Policy: 'lifo' is not one of fifo, fairshare" },
        { "Scheduler:Policy", "1", "Scheduler:Policy: '1' is not one of fifo, fairshare" },
        { "Scheduler:Placement", "random", "Scheduler:Placement: 'random' is not one of spread, pack" },
        { "Scheduler:Interval", "soon", "Scheduler:Interval: 'soon' is not a duration" },
        { "Executor:Type", "kubernetes", "Executor:Type: 'kubernetes' is not one of docker, swarm" },
        { "Auth:Provider", "kerberos", "Auth:Provider: 'kerberos' is not one of none, local, ldap" },
        { "Auth:MaxFailedLogins", "many", "Auth:MaxFailedLogins: 'many' is not a whole number" },
        { "Auth:FailedLoginBackoff", "00:00:00", "Auth:FailedLoginBackoff: 00:00:00 must be more than 0" },
        { "Jobs:MaxJobDirectorySize", "big", "Jobs:MaxJobDirectorySize: 'big' is not a size" },
        { "Jobs:JobDirectoryCheckInterval", "-00:00:01", "Jobs:JobDirectoryCheckInterval: -00:00:01 must be more than 0" },
        { "Server:PublicUrls:0", "example.org", "Server:PublicUrls:0: 'example.org' is not an absolute http:// or https:// URL" },
        { "Store:Provider", "mysql", "Store:Provider: 'mysql' is not one of sqlite, postgres" },
        { "Store:Provider", "postgres", "Store:ConnectionString: is missing: Store:Provider postgres needs one" },
        { "Executor:NodeDownAfter", "00:00:00", "Executor:NodeDownAfter: 00:00:00 must be from 1 second to 7 days" },
        { "Executor:NodeDownAfter", "later", "Executor:NodeDownAfter: 'later' is not a duration" },
        { "Jobs:Requeue", "sometimes", "Jobs:Requeue: 'sometimes' is not true or false" },
        { "Jobs:CpuSets", "auto", "Jobs:CpuSets: 'auto' is not true or false" },
        // The token itself where its hash belongs: refused, and never echoed (it may be a secret).
        { "Metrics:TokenSha256", "my-scrape-token", "Metrics:TokenSha256: must be the token's SHA-256 as 64 hex digits" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task ABadSetting_StopsTheServerAtStart_NamingTheKey(string key, string value, string message)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServerProcess.StartAsync(new Dictionary<string, string> { [key] = value }));

        Assert.Contains("exited with 2", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("readonly")]
    [InlineData("r")]
    [InlineData("")]
    public async Task AVolumeModeOtherThanRoOrRw_StopsTheServerAtStart(string mode)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Volumes:0:Name"] = "scratch",
            ["Volumes:0:HostPath"] = "/tmp",
            ["Volumes:0:AllowedRoot"] = "/tmp",
            ["Volumes:0:Mode"] = mode,
        }));

        Assert.Contains($"Volumes:0:Mode: '{mode}' is not one of rw, ro", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABadPostgresConnectionString_IsNamed_ButNeverQuoted()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Store:Provider"] = "postgres",
            ["Store:ConnectionString"] = "Host=127.0.0.1;Password=hunter2-secret;Colour=blue",
        }));

        Assert.Contains("exited with 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("Store:ConnectionString: is not a PostgreSQL connection string", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeveralBadSettings_AreAllNamed_AtOnce()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Jobs:DefaultMemory"] = "lots",
            ["Jobs:DefaultWalltime"] = "forever",
            ["Quotas:OverCpuHours"] = "maybe",
            ["Quotas:User:MaxMemory"] = "huge",
            ["Scheduler:Policy"] = "lifo",
            ["Executor:Type"] = "kubernetes",
            ["Scheduler:CpuOvercommit"] = "0",
        }));

        foreach (var key in (string[])["Jobs:DefaultMemory", "Jobs:DefaultWalltime", "Quotas:OverCpuHours", "Quotas:User:MaxMemory",
            "Scheduler:Policy", "Executor:Type", "Scheduler:CpuOvercommit"])
        {
            Assert.Contains($"\n  {key}: ", error.Message, StringComparison.Ordinal);
        }
    }
}
