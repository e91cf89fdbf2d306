using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Live resource sampling against the real engine, through the HTTP API and the CLI: a server sampling every second.
/// (Another user's /jobs/{id}/usage is 404: AuthorizationTests' matrix.)
/// </summary>
public sealed class UsageSamplingTests(UsageSamplingTests.SamplingServer fixture) : IClassFixture<UsageSamplingTests.SamplingServer>, IDisposable
{
    public sealed class SamplingServer : ServerFixture
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Monitoring:SampleInterval"] = "1s",
        };
    }

    private readonly string workDir = Directory.CreateTempSubdirectory("godocker-top-").FullName;

    public void Dispose() => Directory.Delete(workDir, recursive: true);

    private async Task<JobUsageView> UsageAsync(long id, string query = "") =>
        (await fixture.Api.Http.GetFromJsonAsync($"/api/v1/jobs/{id}/usage{query}", GoDockerJson.Default.JobUsageView))!;

    private async Task<IReadOnlyList<AccountingView>> AccountingAsync(long id) =>
        (await fixture.Api.Http.GetFromJsonAsync($"/api/v1/accounting?job={id}", GoDockerJson.Default.AccountingList))!.Items;

    /// <summary>
    /// A job that, after its work, waits for the test to drop a file in its directory: the test waits (against the real
    /// sampler, however loaded the machine) for what it expects to be sampled, then lets the job end. No assumption on
    /// how many samples a loaded engine answers in a given time.
    /// </summary>
    private const string WaitForRelease = "while [ ! -e \"$GODOCKER_JOB_DIR/release\" ]; do sleep 0.5; done";

    private Task ReleaseAsync(long id) =>
        File.WriteAllTextAsync(Path.Combine(fixture.Server.DataDir, "jobs", id.ToString(CultureInfo.InvariantCulture), "release"), "");

    [Fact]
    public async Task AJobHolding200MiB_ShowsAMaxRssOfAtLeast200MiB()
    {
        // dd fills a 210 MiB buffer from /dev/zero, then blocks writing it into a pipe nobody reads: held until the wait ends.
        var job = await fixture.Api.SubmitAsync(new JobSpec { Script = $"dd if=/dev/zero bs=210M count=1 2>/dev/null | {{ {WaitForRelease}; }}", Memory = "512M" });
        try
        {
            await Until.TrueAsync(async () => (await UsageAsync(job.Id)).Summary is { Samples: >= 3, MaxRssBytes: >= 200L << 20 },
                TimeSpan.FromMinutes(2), "three samples, one of them seeing the 210 MiB held");
        }
        finally
        {
            await ReleaseAsync(job.Id);
        }

        var ended = await fixture.Api.WaitEndAsync(job.Id, TimeSpan.FromMinutes(2));
        var usage = await UsageAsync(job.Id);

        Assert.Equal(JobState.Succeeded, ended.State);
        var summary = Assert.IsType<UsageSummaryView>(usage.Summary);
        Assert.True(summary.MaxRssBytes >= 200L << 20, $"max RSS {summary.MaxRssBytes} bytes, {summary.Samples} samples");
        Assert.True(summary.MaxRssBytes < 512L << 20, $"max RSS {summary.MaxRssBytes} bytes over the 512 MiB limit");
        Assert.Equal(512L << 20, usage.MemoryLimitBytes);
        Assert.Null(usage.Live);
        Assert.Equal(summary.Samples, usage.Points.Sum(p => p.Samples));
        // The end's accounting record holds what was sampled (what `godocker history` prints as MaxRSS).
        var record = Assert.Single(await AccountingAsync(job.Id));
        Assert.Equal(summary.MaxRssBytes, record.MaxRssBytes);
        Assert.Equal(summary.CpuSeconds, record.CpuSeconds!.Value, 6);
    }

    [Fact]
    public async Task ABusyLoop_IsMeasuredAsItsOwnCgroupCountsIt_AboutOneCpuWhenTheMachineGivesIt()
    {
        // The job prints what its own cgroup counted after its busy loop (v1 cpuacct in ns, or v2 usage_usec), then idles
        // until released: the sampler must reach that count (from below: it samples the same cgroup) and not pass it by
        // more than the idle wait's few forks. The machine may be loaded (the tests share two cores), so the loop's cpu is
        // compared with what it really got, not with 12 s.
        var job = await fixture.Api.SubmitAsync(new JobSpec
        {
            Script = $$"""
                yes >/dev/null & p=$!; sleep 12; kill $p; wait $p
                cat /sys/fs/cgroup/cpuacct/cpuacct.usage 2>/dev/null || awk '/usage_usec/ { print $2 * 1000 }' /sys/fs/cgroup/cpu.stat
                {{WaitForRelease}}
                """,
            Cpus = 1,
        });
        double own;
        try
        {
            await Until.TrueAsync(async () => (await fixture.Api.StdoutAsync(job.Id)).Trim().Length > 0, TimeSpan.FromMinutes(2), "the loop's own count");
            own = double.Parse((await fixture.Api.StdoutAsync(job.Id)).Trim(), CultureInfo.InvariantCulture) / 1e9;
            await Until.TrueAsync(async () => (await UsageAsync(job.Id)).Summary is { } s && s.CpuSeconds >= own * 0.97,
                TimeSpan.FromMinutes(1), $"the sampler reaching the cgroup's own {own} cpu seconds");
        }
        finally
        {
            await ReleaseAsync(job.Id);
        }

        var ended = await fixture.Api.WaitEndAsync(job.Id, TimeSpan.FromMinutes(2));
        var usage = await UsageAsync(job.Id);

        Assert.Equal(JobState.Succeeded, ended.State);
        Assert.True(own > 0.2, $"the loop got {own} cpu seconds in 12 s: nothing to compare");
        var summary = Assert.IsType<UsageSummaryView>(usage.Summary);
        Assert.InRange(summary.CpuSeconds, own * 0.97, own + 0.25);
        Assert.InRange(summary.AverageCpu!.Value, 0.001, 1.3);
        var record = Assert.Single(await AccountingAsync(job.Id));
        Assert.Equal(summary.CpuSeconds, record.CpuSeconds!.Value, 6);
        // Between samples, a job limited to one cpu uses at most about one (the first point counts from the start, where the
        // container's setup also runs in its cgroup and a tenth of a second can show more: only never negative).
        Assert.All(usage.Points, p => Assert.True(p.CpuCores is null or >= 0, $"{p.CpuCores} cores at {p.At}"));
        Assert.All(usage.Points.Skip(1), p => Assert.True(p.CpuCores is null or <= 1.5, $"{p.CpuCores} cores at {p.At}"));
    }

    [Fact]
    public async Task WhileAJobRuns_TopAndShowPrintItsUsage_AndSinceGivesOnlyLaterPoints()
    {
        var job = await fixture.Api.SubmitAsync(new JobSpec { Script = "sleep 600", Name = "top-me" });
        try
        {
            await fixture.Api.WaitForAsync(job.Id, j => j.State == JobState.Running, TimeSpan.FromMinutes(1));
            await Until.TrueAsync(async () => (await UsageAsync(job.Id)).Points.Count >= 2, TimeSpan.FromMinutes(1), "two points of a running job");
            var id = job.Id.ToString(CultureInfo.InvariantCulture);

            var top = await Cli.RunAsync(fixture.Server.BaseUrl, workDir, "top", "--no-stream");
            var topById = await Cli.RunAsync(fixture.Server.BaseUrl, workDir, "top", "--no-stream", id);
            var show = await Cli.RunAsync(fixture.Server.BaseUrl, workDir, "show", id);
            var usage = await UsageAsync(job.Id);
            var later = await UsageAsync(job.Id, "?since=" + Uri.EscapeDataString(usage.Points[0].At.ToString("O", CultureInfo.InvariantCulture)));

            Assert.Equal(0, top.ExitCode);
            var row = Assert.Single(top.Stdout.Split('\n'), l => l.TrimStart().StartsWith(id + " ", StringComparison.Ordinal));
            Assert.Contains("top-me", row, StringComparison.Ordinal);
            Assert.Contains("% ", row, StringComparison.Ordinal);
            Assert.Contains("/ 64 MiB", row, StringComparison.Ordinal);
            Assert.Contains("CPU %", top.Stdout, StringComparison.Ordinal);
            Assert.Contains(topById.Stdout.Split('\n'), l => l.TrimStart().StartsWith(id + " ", StringComparison.Ordinal));
            Assert.Contains("Max RSS:", show.Stdout, StringComparison.Ordinal);
            Assert.Contains("Using now:", show.Stdout, StringComparison.Ordinal);
            Assert.NotNull(usage.Live);
            Assert.Equal(usage.Points.Skip(1).Select(p => p.At), later.Points.Select(p => p.At).Take(usage.Points.Count - 1));
        }
        finally
        {
            await fixture.Api.KillAsync(job.Id);
        }
    }

    [Fact]
    public async Task AfterTheServerIsKilled_TheSeriesGoesOnFromTheStore_LosingOnlyTheGap()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Monitoring:SampleInterval"] = "1s" });
        var job = await server.Api.SubmitAsync(new JobSpec { Script = "yes >/dev/null & sleep 600; kill $!", Cpus = 1 });
        await server.Api.WaitForAsync(job.Id, j => j.State == JobState.Running, TimeSpan.FromMinutes(1));
        async Task<UsageSummaryView?> SummaryAsync() =>
            (await server.Api.Http.GetFromJsonAsync($"/api/v1/jobs/{job.Id}/usage", GoDockerJson.Default.JobUsageView))!.Summary;
        await Until.TrueAsync(async () => await SummaryAsync() is { Samples: >= 3 }, TimeSpan.FromMinutes(1), "three samples");
        var before = (await SummaryAsync())!;

        await server.KillHardAsync();
        await server.StartAgainAsync();
        // The first sample after the restart: it continues the kept series (a new one would start again at one sample).
        UsageSummaryView? after = null;
        await Until.TrueAsync(async () => (after = await SummaryAsync()) is { } s && s.LastSampleAt > before.LastSampleAt, TimeSpan.FromMinutes(1),
            "a sample after the restart");
        await server.Api.KillAsync(job.Id);

        Assert.True(after!.Samples > before.Samples, $"samples {before.Samples} then {after.Samples}");
        Assert.True(after.CpuSeconds > before.CpuSeconds, $"cpu seconds {before.CpuSeconds} then {after.CpuSeconds}");
        Assert.Equal(before.Attempt, after.Attempt);
    }

    [Theory]
    [InlineData("?attempt=x", "attempt")]
    [InlineData("?attempt=0", "attempt")]
    [InlineData("?since=yesterday", "since")]
    public async Task BadQueryValues_Are400_NamingTheParameter(string query, string field)
    {
        var job = await fixture.Api.SubmitAsync(new JobSpec { Script = "true" });

        using var response = await fixture.Api.Http.GetAsync($"/api/v1/jobs/{job.Id}/usage{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownJob_Is404()
    {
        using var response = await fixture.Api.Http.GetAsync("/api/v1/jobs/999999/usage");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
