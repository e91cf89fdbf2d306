using System.Net;
using System.Net.Http.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>A client whose submit answer was lost sends the same request with the same Idempotency-Key: one job, not two.</summary>
public sealed class IdempotencyKeyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private GoDockerApi Api => fixture.Server.Api;

    private async Task<HttpResponseMessage> SubmitAsync(JobSpec spec, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs") { Content = JsonContent.Create(spec, GoDockerJson.Default.JobSpec) };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }
        return await Api.Http.SendAsync(request);
    }

    private static JobSpec Held(string tag) => new() { Script = "echo once", Tags = [tag], Hold = true };

    private static string NewTag() => "idem-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task ANumberTooLargeForADouble_WithAKey_IsA400NamingTheField_NotA500()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs")
        {
            Content = new StringContent("""{"script":"true","cpus":1e400}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString());

        using var response = await Api.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("cpus", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TheSameSubmitTwice_WithOneKey_MakesOneJob_AndTheRetryGetsTheFirstAnswer()
    {
        var tag = NewTag();
        var key = Guid.NewGuid().ToString();

        using var first = await SubmitAsync(Held(tag), key);
        using var retry = await SubmitAsync(Held(tag), $"\"{key}\"");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, retry.StatusCode));
        var job = (await first.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
        Assert.Equal(job.Id, (await retry.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!.Id);
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, (await Api.ListAsync($"?tag={tag}")).Total);
    }

    [Fact]
    public async Task ConcurrentSubmits_WithOneKey_MakeOneJob()
    {
        var tag = NewTag();
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => SubmitAsync(Held(tag), key)));

        var ids = new HashSet<long>();
        foreach (var response in responses)
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                ids.Add((await response.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!.Id);
            }
        }
        Assert.Single(ids);
        Assert.Equal(1, (await Api.ListAsync($"?tag={tag}")).Total);
    }

    [Fact]
    public async Task AnArray_WithOneKey_IsSubmittedOnce()
    {
        var tag = NewTag();
        var key = Guid.NewGuid().ToString();
        var spec = Held(tag) with { Array = "1-4" };

        using var first = await SubmitAsync(spec, key);
        using var retry = await SubmitAsync(spec, key);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, retry.StatusCode));
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(4, (await Api.ListAsync($"?tag={tag}")).Total);
    }

    [Fact]
    public async Task TheSameKey_WithAnotherBody_Is422NamingTheHeader_AndMakesNoJob()
    {
        var tag = NewTag();
        var key = Guid.NewGuid().ToString();
        using var first = await SubmitAsync(Held(tag), key);

        using var other = await SubmitAsync(Held(tag) with { Script = "echo another" }, key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Contains("Idempotency-Key", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, (await Api.ListAsync($"?tag={tag}")).Total);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\there")]
    [InlineData("back\\slash")]
    [InlineData("\"\"")]
    public async Task AMalformedKey_Is400NamingTheHeader_AndMakesNoJob(string key)
    {
        var tag = NewTag();

        using var response = await SubmitAsync(Held(tag), key);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Idempotency-Key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await Api.ListAsync($"?tag={tag}")).Total);
    }

    [Fact]
    public async Task AKeyLongerThan255_Is400()
    {
        using var response = await SubmitAsync(Held(NewTag()), new string('k', 256));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task WithoutAKey_TwoSubmitsAreTwoJobs()
    {
        var tag = NewTag();

        (await SubmitAsync(Held(tag), null)).Dispose();
        (await SubmitAsync(Held(tag), null)).Dispose();

        Assert.Equal(2, (await Api.ListAsync($"?tag={tag}")).Total);
    }
}
