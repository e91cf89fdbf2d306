using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Server.Monitoring;

namespace GoDocker.Server.Tests.Monitoring;

public sealed class ServerMetricsTests
{
    private static async Task<string> ExportAsync(ServerMetrics metrics)
    {
        using var text = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(text, CancellationToken.None);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    [Theory]
    [InlineData(EndCause.Exited, "exited")]
    [InlineData(EndCause.OutOfMemory, "out_of_memory")]
    [InlineData(EndCause.RefusedAtLaunch, "refused_at_launch")]
    [InlineData(EndCause.NodeDown, "node_down")]
    public void Label_IsTheEnumNameInSnakeCase(EndCause cause, string label) => Assert.Equal(label, ServerMetrics.Label(cause));

    [Fact]
    public async Task TheExport_CarriesWhatWasCounted_InThePrometheusTextFormat()
    {
        var metrics = new ServerMetrics("1.2.3");

        metrics.Submitted("physics", 3);
        metrics.Ended(EndCause.Exited, JobState.Succeeded);
        metrics.Ended(EndCause.NodeDown, JobState.Pending);
        metrics.Request("GET", "/api/v1/jobs/{id}", 404, TimeSpan.FromMilliseconds(3));
        metrics.PendingKinds(new Dictionary<PendingKind, int> { [PendingKind.Quota] = 2 });
        var text = await ExportAsync(metrics);

        Assert.Contains("godocker_build_info{version=\"1.2.3\"} 1", text);
        Assert.Contains("godocker_jobs_submitted_total{project=\"physics\"} 3", text);
        Assert.Contains("godocker_job_ends_total{cause=\"exited\",state=\"succeeded\"} 1", text);
        Assert.Contains("godocker_job_ends_total{cause=\"node_down\",state=\"pending\"} 1", text);
        Assert.Contains("godocker_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/jobs/{id}\",code=\"404\"} 1", text);
        Assert.Contains("godocker_pending_jobs{kind=\"quota\"} 2", text);
        Assert.Contains("godocker_pending_jobs{kind=\"held\"} 0", text);
        Assert.Contains("process_cpu_seconds_total", text);
    }

    [Fact]
    public async Task NoPendingKinds_RemovesTheLeadersFigures()
    {
        var metrics = new ServerMetrics("1.2.3");
        metrics.PendingKinds(new Dictionary<PendingKind, int> { [PendingKind.Quota] = 2 });

        metrics.NoPendingKinds();

        Assert.DoesNotContain("godocker_pending_jobs{", await ExportAsync(metrics));
    }
}
