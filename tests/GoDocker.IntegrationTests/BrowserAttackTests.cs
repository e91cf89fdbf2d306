using System.Net;
using System.Net.Http.Json;
using System.Text;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// The requests a web page the operator opens could make against a server without authentication (Auth:Provider none):
/// each is refused and changes nothing, while the same request from a client that is not a browser succeeds.
/// </summary>
public sealed class BrowserAttackTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private GoDockerApi Api => fixture.Server.Api;

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData(null)]
    public async Task SubmitWithoutJsonContentType_IsRefused415_AndCreatesNoJob(string? contentType)
    {
        var tag = "page-" + Guid.NewGuid().ToString("N")[..8];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs")
        {
            // A form or a text/plain fetch is a "simple" request: the browser sends it cross-origin without asking.
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes($$"""{"script":"echo pwned","tags":["{{tag}}"],"hold":true}""")),
        };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await Api.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("Content-Type", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await Api.ListAsync($"?tag={tag}")).Total);
    }

    [Fact]
    public async Task SubmitWithJsonContentType_FromTheCli_Succeeds()
    {
        using var response = await Api.PostRawAsync("/api/v1/jobs", """{"script":"echo hi","hold":true}""", "application/json");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("kill", "http://evil.example")]
    [InlineData("kill", "null")]
    [InlineData("release", "http://127.0.0.1:1")]
    [InlineData("release", "null")]
    public async Task BodilessPost_FromAnotherOrigin_IsRefused403_AndLeavesTheJobAlone(string action, string origin)
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "echo held", Hold = true });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/jobs/{job.Id}/{action}");
        request.Headers.TryAddWithoutValidation("Origin", origin);

        using var response = await Api.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Origin", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var after = await Api.GetAsync(job.Id);
        Assert.Equal(JobState.Pending, after.State);
        Assert.Equal("user", after.HeldBy);
    }

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    public async Task Requeue_WithCrossSiteFetchMetadata_IsRefused403_AndTheJobKeepsRunning(string fetchSite)
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "sleep 300" });
        var running = await Api.WaitForAsync(job.Id, j => j.State == JobState.Running);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/jobs/{job.Id}/requeue");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", fetchSite);

        using var response = await Api.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var after = await Api.GetAsync(job.Id);
        Assert.Equal(JobState.Running, after.State);
        Assert.Equal(running.Attempt, after.Attempt);
        await Api.KillAsync(job.Id);
    }

    [Fact]
    public async Task Kill_FromTheServersOwnOrigin_OrWithoutOrigin_Succeeds()
    {
        var first = await Api.SubmitAsync(new JobSpec { Script = "echo held", Hold = true });
        var second = await Api.SubmitAsync(new JobSpec { Script = "echo held", Hold = true });
        using var sameOrigin = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/jobs/{first.Id}/kill");
        sameOrigin.Headers.TryAddWithoutValidation("Origin", fixture.Server.BaseUrl.GetLeftPart(UriPartial.Authority));
        sameOrigin.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");

        using var fromOwnPage = await Api.Http.SendAsync(sameOrigin);
        using var fromCli = await Api.Http.PostAsync($"/api/v1/jobs/{second.Id}/kill", null);

        Assert.Equal(HttpStatusCode.Accepted, fromOwnPage.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, fromCli.StatusCode);
        Assert.Equal(JobState.Killed, (await Api.GetAsync(first.Id)).State);
    }

    [Fact]
    public async Task DnsRebinding_HostOfTheAttackersName_IsRefused421_ForReadsAndWrites()
    {
        // The page at http://evil.example:PORT had its name re-pointed at 127.0.0.1: its requests are same-origin for the
        // browser, with Host and Origin both naming evil.example.
        var authority = $"evil.example:{fixture.Server.BaseUrl.Port}";
        var tag = "rebind-" + Guid.NewGuid().ToString("N")[..8];
        using var submit = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs")
        {
            Content = JsonContent.Create(new JobSpec { Script = "echo pwned", Tags = [tag], Hold = true }, GoDockerJson.Default.JobSpec),
        };
        submit.Headers.Host = authority;
        submit.Headers.TryAddWithoutValidation("Origin", "http://" + authority);
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/v1/jobs");
        read.Headers.Host = authority;

        using var submitted = await Api.Http.SendAsync(submit);
        using var listed = await Api.Http.SendAsync(read);

        Assert.Equal(HttpStatusCode.MisdirectedRequest, submitted.StatusCode);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, listed.StatusCode);
        Assert.Contains("Host", await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await Api.ListAsync($"?tag={tag}")).Total);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    public async Task LoopbackNamesAndAddresses_AreThisServer(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/health");
        request.Headers.Host = $"{host}:{fixture.Server.BaseUrl.Port}";

        using var response = await Api.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary>Auth:Provider none on an address other jobs and machines can reach is refused unless the operator says so.</summary>
public sealed class NoneOnNetworkTests
{
    [Fact]
    public async Task NoneMode_OnEveryAddress_RefusesToStart_NamingTheKey()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(listenHost: "0.0.0.0"));

        Assert.Contains("Auth:AllowNoneOnNetwork", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoneMode_OnEveryAddress_StartsWhenAllowed_AndStillRefusesRebinding()
    {
        await using var server = await ServerProcess.StartAsync(
            new Dictionary<string, string> { ["Auth:AllowNoneOnNetwork"] = "true", ["Server:PublicUrls:0"] = "http://godocker.test:9999" },
            listenHost: "0.0.0.0");
        using var named = new HttpRequestMessage(HttpMethod.Get, "/api/v1/health");
        named.Headers.Host = "godocker.test:9999";
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/v1/health");
        rebound.Headers.Host = $"evil.example:{server.BaseUrl.Port}";

        using var byPublicName = await server.Api.Http.SendAsync(named);
        using var byOtherName = await server.Api.Http.SendAsync(rebound);

        Assert.Equal(HttpStatusCode.OK, byPublicName.StatusCode);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, byOtherName.StatusCode);
    }
}
