using System.Net;
using System.Net.Http.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>Bad input gets a 4xx problem naming the field, and nothing is stored.</summary>
public sealed class ValidationTests(ValidationTests.Fixture fixture) : IClassFixture<ValidationTests.Fixture>
{
    public sealed class Fixture : ServerFixture
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Server:MaxRequestBodyBytes"] = "65536",
            ["Jobs:MaxWalltime"] = "1-00:00:00",
        };
    }

    private GoDockerApi Api => fixture.Api;

    [Theory]
    [InlineData("""{"script": "echo hi", """, "body")]
    [InlineData("""not json""", "body")]
    [InlineData("""{"script": "echo", "cpus": "two"}""", "cpus")]
    [InlineData("""{"script": "echo", "cpu": 2}""", "cpu")]
    [InlineData("""{"script": "   "}""", "script")]
    [InlineData("""{}""", "script")]
    [InlineData("""{"script": "echo", "command": ["echo"]}""", "script")]
    [InlineData("""{"command": []}""", "command")]
    [InlineData("""{"script": "echo", "image": "Not A/Valid:Image!"}""", "image")]
    [InlineData("""{"script": "echo", "image": "a:b:c"}""", "image")]
    [InlineData("""{"script": "echo", "cpus": 0}""", "cpus")]
    [InlineData("""{"script": "echo", "cpus": -1}""", "cpus")]
    [InlineData("""{"script": "echo", "cpus": 100000}""", "cpus")]
    [InlineData("""{"script": "echo", "memory": "0"}""", "memory")]
    [InlineData("""{"script": "echo", "memory": "-5M"}""", "memory")]
    [InlineData("""{"script": "echo", "memory": "lots"}""", "memory")]
    [InlineData("""{"script": "echo", "memory": "100T"}""", "memory")]
    [InlineData("""{"script": "echo", "walltime": "soon"}""", "walltime")]
    [InlineData("""{"script": "echo", "walltime": "3-00:00:00"}""", "walltime")]
    [InlineData("""{"script": "echo", "env": {"1BAD": "x"}}""", "env.1BAD")]
    [InlineData("""{"script": "echo", "env": {"GODOCKER_JOB_ID": "7"}}""", "env.GODOCKER_JOB_ID")]
    [InlineData("""{"script": "echo", "workdir": "relative/dir"}""", "workdir")]
    [InlineData("""{"script": "echo", "tags": ["has space"]}""", "tags")]
    [InlineData("""{"script": "echo", "project": "../etc"}""", "project")]
    [InlineData("""{"script": "echo", "labels": {"godocker.job": "1"}}""", "labels.godocker.job")]
    public async Task BadSubmission_Is400_NamingTheField_AndStoresNothing(string body, string field)
    {
        var before = (await Api.ListAsync("?limit=1")).Total;

        using var response = await Api.PostRawAsync("/api/v1/jobs", body);
        var problem = await response.Content.ReadFromJsonAsync(GoDockerJson.Default.Problem);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(problem!.Errors);
        Assert.True(problem.Errors!.ContainsKey(field), $"expected an error on '{field}', got: {string.Join(", ", problem.Errors.Keys)}");
        Assert.Equal(before, (await Api.ListAsync("?limit=1")).Total);
    }

    [Fact]
    public async Task OversizedBody_Is413_AndStoresNothing()
    {
        var before = (await Api.ListAsync("?limit=1")).Total;
        var body = $$"""{"script": "{{new string('x', 100_000)}}"}""";

        using var response = await Api.PostRawAsync("/api/v1/jobs", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(before, (await Api.ListAsync("?limit=1")).Total);
    }

    [Theory]
    [InlineData("GET", "/api/v1/jobs/999999")]
    [InlineData("POST", "/api/v1/jobs/999999/kill")]
    [InlineData("GET", "/api/v1/jobs/999999/stdout")]
    [InlineData("GET", "/api/v1/jobs/999999/stderr?follow=true")]
    [InlineData("GET", "/api/v1/jobs/999999/files")]
    [InlineData("GET", "/api/v1/jobs/999999/files/stdout")]
    public async Task UnknownJob_Is404Problem(string method, string path)
    {
        using var response = await Api.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        var problem = await response.Content.ReadFromJsonAsync(GoDockerJson.Default.Problem);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("999999", problem!.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?state=Sleeping", "state")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=5000", "limit")]
    [InlineData("?offset=-1", "offset")]
    [InlineData("?sort=newest", "sort")]
    [InlineData("?sort=-", "sort")]
    [InlineData("?sort=Submitted", "sort")]
    [InlineData("?sort=submitted_at", "sort")]
    [InlineData("?sort=id;DROP%20TABLE%20jobs", "sort")]
    [InlineData("?state=Pending&sort=--id", "sort")]
    public async Task BadListQuery_Is400_NamingTheParameter(string query, string field)
    {
        using var response = await Api.Http.GetAsync("/api/v1/jobs" + query);
        var problem = await response.Content.ReadFromJsonAsync(GoDockerJson.Default.Problem);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem!.Errors!.ContainsKey(field));
    }

    [Fact]
    public async Task ANameFilterLongerThanAnyJobName_Is400_NamingTheParameter()
    {
        using var response = await Api.Http.GetAsync("/api/v1/jobs?name=" + new string('x', 201));
        var problem = await response.Content.ReadFromJsonAsync(GoDockerJson.Default.Problem);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem!.Errors!.ContainsKey("name"));
    }

    [Fact]
    public async Task ListQuery_SearchesNames_WildcardsLiterally_AndSorts()
    {
        var token = "t" + Guid.NewGuid().ToString("N")[..7];   // a letter first: its upper case sorts before it
        var percent = await Api.SubmitAsync(new JobSpec { Name = $"{token}-100%", Script = "true" });
        var upper = await Api.SubmitAsync(new JobSpec { Name = $"{token.ToUpperInvariant()}-B", Script = "true" });
        var underscore = await Api.SubmitAsync(new JobSpec { Name = $"{token}_a", Script = "true" });

        Assert.Equal([underscore.Id, upper.Id, percent.Id], (await Api.ListAsync($"?name={token}&sort=-id")).Items.Select(j => j.Id));
        Assert.Equal([percent.Id, upper.Id, underscore.Id], (await Api.ListAsync($"?name={token}")).Items.Select(j => j.Id));
        Assert.Equal([percent.Id], (await Api.ListAsync($"?name={token}-100%25")).Items.Select(j => j.Id));
        Assert.Equal([underscore.Id], (await Api.ListAsync($"?name={token}_")).Items.Select(j => j.Id));
        var byName = await Api.ListAsync($"?name={token}&sort=-name&limit=2");
        Assert.Equal(3, byName.Total);
        Assert.Equal([underscore.Id, percent.Id], byName.Items.Select(j => j.Id));   // '_' > '-' > upper case: code point order
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheJobEndpoints()
    {
        var document = await Api.Http.GetStringAsync("/api/v1/openapi.json");

        Assert.Contains("\"/api/v1/jobs\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/api/v1/jobs/{id}/kill\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/api/v1/jobs/{id}/files/{path}\"", document, StringComparison.Ordinal);
        Assert.Contains("SubmitJob", document, StringComparison.Ordinal);
    }
}
