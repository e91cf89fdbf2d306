using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// GET /metrics on a real server with a scrape token (Metrics:TokenSha256), after a job ran to its end: refused without
/// the token, every metric listed with it; and a real Prometheus (Debian's, scripts/prometheus.sh, its own port and data)
/// scraping the server with the token answers queries about that job.
/// </summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private const string Token = "metrics-test-scrape-token";
    private ServerProcess server = null!;
    private string tokenDir = null!;
    private long jobId;

    public async Task InitializeAsync()
    {
        server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Metrics:TokenSha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Token))),
        });
        var job = await server.Api.SubmitAsync(new JobSpec { Script = "echo measured" });
        jobId = job.Id;
        Assert.Equal(JobState.Succeeded, (await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(90))).State);
        await server.Api.GetAsync(job.Id); // a request on a route with a parameter, for the request histogram
        tokenDir = Directory.CreateTempSubdirectory("godocker-scrape-").FullName;
    }

    public async Task DisposeAsync()
    {
        await PrometheusAsync("stop");
        await server.DisposeAsync();
        Directory.Delete(tokenDir, recursive: true);
    }

    [Fact]
    public async Task Metrics_AreRefusedWithoutTheScrapeToken_AndListEveryMetricWithIt()
    {
        using var anonymous = await server.Api.Http.GetAsync("/metrics");
        using var wrong = await ScrapeAsync("not-the-token");
        using var apiToken = await ScrapeAsync("gd_" + Token);
        using var scraped = await ScrapeAsync(Token);
        var text = await scraped.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, apiToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Equal("text/plain", scraped.Content.Headers.ContentType?.MediaType);
        Assert.Contains("godocker_build_info{version=", text);
        Assert.Contains("godocker_jobs_submitted_total{project=\"default\"} 1", text);
        Assert.Contains("godocker_job_launches_total{node=", text);
        Assert.Contains("godocker_job_ends_total{cause=\"exited\",state=\"succeeded\"} 1", text);
        Assert.Contains("godocker_jobs{state=\"succeeded\",project=\"default\"} 1", text);
        Assert.Contains("godocker_pending_jobs{kind=\"resources\"} 0", text);
        Assert.Contains("godocker_scheduling_cycle_duration_seconds_count", text);
        Assert.Contains("godocker_job_launch_latency_seconds_count 1", text);
        Assert.Contains($"godocker_http_request_duration_seconds_count{{method=\"GET\",route=\"/api/v1/jobs/{{id:long}}\",code=\"200\"}}", text);
        Assert.DoesNotContain($"route=\"/api/v1/jobs/{jobId.ToString(CultureInfo.InvariantCulture)}\"", text);
        Assert.Contains("godocker_store_operation_duration_seconds_count{operation=\"transition\"}", text);
        Assert.Contains("godocker_node_cpus{node=", text);
        Assert.Contains("godocker_node_cpus_used{node=", text);
        Assert.Contains("godocker_node_memory_bytes{node=", text);
        Assert.Contains("godocker_node_gpus{node=", text);
        Assert.Contains("godocker_node_state{node=\"local\",state=\"up\"} 1", text);
        Assert.Contains("godocker_leader 1", text);
        Assert.Contains("godocker_store_write_fault 0", text);
        Assert.DoesNotContain(Token, server.Log);
    }

    [Fact]
    public async Task APrivatePrometheus_ScrapesTheServerWithTheToken_AndAnswersQueriesAboutTheJob()
    {
        var tokenFile = Path.Combine(tokenDir, "token");
        await File.WriteAllTextAsync(tokenFile, Token);
        var started = await PrometheusAsync("start", $"127.0.0.1:{server.BaseUrl.Port}", tokenFile);
        Assert.True(started.ExitCode == 0, $"scripts/prometheus.sh start: {started}");
        using var prometheus = new HttpClient { BaseAddress = new Uri(started.Stdout.Trim().Split('\n')[^1]), Timeout = TimeSpan.FromSeconds(10) };

        double? up = null, exited = null, succeeded = null;
        await Until.TrueAsync(async () => (up = await QueryAsync(prometheus, "up{job=\"godocker\"}")) == 1, TimeSpan.FromSeconds(60),
            () => $"Prometheus to scrape the server (up = {up})");
        await Until.TrueAsync(async () => (exited = await QueryAsync(prometheus, "sum(godocker_job_ends_total{cause=\"exited\"})")) >= 1, TimeSpan.FromSeconds(30),
            () => $"the end counter (last {exited})");
        await Until.TrueAsync(async () => (succeeded = await QueryAsync(prometheus, "max(godocker_jobs{state=\"succeeded\"})")) >= 1, TimeSpan.FromSeconds(30),
            () => $"the jobs gauge (last {succeeded})");
        // The starter alerts load in a real Prometheus too (promtool checks them: AlertRulesCheck_Passes).
        var loaded = await prometheus.GetStringAsync("/api/v1/rules");

        Assert.Equal(1, up);
        Assert.True(exited >= 1);
        Assert.True(succeeded >= 1);
        Assert.Contains("GoDockerNoLeader", loaded);
    }

    [Fact]
    public async Task AlertRulesCheck_Passes()
    {
        var check = await PrometheusAsync("check-rules");

        Assert.True(check.ExitCode == 0, $"promtool check rules deploy/prometheus/alerts.yml: {check}");
        Assert.Contains("SUCCESS", check.Stdout + check.Stderr);
    }

    private async Task<HttpResponseMessage> ScrapeAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await server.Api.Http.SendAsync(request);
    }

    /// <summary>The single value of an instant query, or null while it has none.</summary>
    private static async Task<double?> QueryAsync(HttpClient prometheus, string query)
    {
        using var answer = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query)));
        var result = answer.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0
            ? null
            : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    private static Task<BoundedProcess.Result> PrometheusAsync(params string[] args) =>
        BoundedProcess.RunAsync("bash", [Path.Combine(Paths.RepoRoot, "scripts/prometheus.sh"), .. args], new Dictionary<string, string>(), TimeSpan.FromMinutes(5));
}
