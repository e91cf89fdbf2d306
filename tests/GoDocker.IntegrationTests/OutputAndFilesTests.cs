using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>Following output live, and serving the job directory without ever leaving it.</summary>
public sealed class OutputAndFilesTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private GoDockerApi Api => fixture.Api;

    [Fact]
    public async Task FollowingStdout_StreamsLinesAsTheyAreWritten_AndEndsWithTheJob()
    {
        // Each line after the first waits for a file the test drops once it read the one before: only a stream that
        // delivers lines as they are written gets past the first.
        var job = await Api.SubmitAsync(new JobSpec { Script = $"echo line 1; {JobRelease.WaitFor("next-1")}; echo line 2; {JobRelease.WaitFor("next-2")}; echo line 3" });

        using var response = await Api.Http.GetAsync($"/api/v1/jobs/{job.Id}/stdout?follow=true", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();
        var stateAtFirstLine = (await Api.GetAsync(job.Id)).State;
        await JobRelease.DropAsync(fixture.Server, job.Id, "next-1");
        var second = await reader.ReadLineAsync();
        await JobRelease.DropAsync(fixture.Server, job.Id, "next-2");
        var rest = await reader.ReadToEndAsync();

        Assert.Equal("line 1", first);
        // Streamed while the job runs: the container may print before its start is recorded (Scheduled), never after its end.
        Assert.Contains(stateAtFirstLine, new[] { JobState.Scheduled, JobState.Running });
        Assert.Equal("line 2", second);
        Assert.Equal("line 3\n", rest);
        Assert.True((await Api.GetAsync(job.Id)).State.IsTerminal(), "the stream ended before the job");
    }

    [Fact]
    public async Task DownloadingStdout_WhileTheJobWritesIt_GivesWhatWasThereAsAnnounced()
    {
        // The job writes as fast as it can; each download announces a length (Content-Length) and must
        // serve exactly that many bytes, never a 500 because the file grew under the response. It writes in four runs,
        // each after the first waiting for a file the test drops once a download saw the run before end ("paused k"):
        // downloads see the output grow at least twice, however fast the job or slow the machine.
        var job = await Api.SubmitAsync(new JobSpec
        {
            Script = $"i=0; for k in 1 2 3 4; do while [ $i -lt $((k * 100000)) ]; do echo line $i; i=$((i+1)); done; [ $k = 4 ] || {{ echo paused $k; {JobRelease.WaitFor("go-$k")}; }}; done",
        });
        var downloads = 0;
        var grew = 0;
        var last = -1L;
        while (!(await Api.GetAsync(job.Id)).State.IsTerminal() || downloads == 0)
        {
            using var response = await Api.Http.GetAsync($"/api/v1/jobs/{job.Id}/stdout");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(response.Content.Headers.ContentLength, body.Length);
            Assert.True(body.Length >= last, $"a download went backwards ({last} then {body.Length} bytes)");
            grew += body.Length > last && last >= 0 ? 1 : 0;
            last = body.Length;
            downloads++;
            if (Regex.Match(Encoding.ASCII.GetString(body[Math.Max(0, body.Length - 10)..]), "paused ([1-3])\n$") is { Success: true } paused)
            {
                await JobRelease.DropAsync(fixture.Server, job.Id, "go-" + paused.Groups[1].Value);
            }
        }

        Assert.True(grew >= 2, $"the output never grew between {downloads} downloads: the job did not write while they ran");
        var done = await Api.Http.GetStringAsync($"/api/v1/jobs/{job.Id}/stdout");
        Assert.EndsWith("line 399999\n", done, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FollowingAnEndedJob_ReturnsItsWholeOutput()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "echo one; echo two" });
        await Api.WaitEndAsync(job.Id);

        var text = await Api.Http.GetStringAsync($"/api/v1/jobs/{job.Id}/stdout?follow=true");

        Assert.Equal("one\ntwo\n", text);
    }

    [Fact]
    public async Task Files_AreListedAndDownloadable()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "mkdir -p out && printf 'result 42' > out/result.txt" });
        await Api.WaitEndAsync(job.Id);

        var root = await Api.Http.GetFromJsonAsync($"/api/v1/jobs/{job.Id}/files", GoDockerJson.Default.IReadOnlyListFileEntry);
        var sub = await Api.Http.GetFromJsonAsync($"/api/v1/jobs/{job.Id}/files?path=out", GoDockerJson.Default.IReadOnlyListFileEntry);
        var content = await Api.Http.GetStringAsync($"/api/v1/jobs/{job.Id}/files/out/result.txt");

        Assert.Equal(["job.sh", "out", "stderr", "stdout"], root!.Select(e => e.Name));
        Assert.Equal("dir", root!.Single(e => e.Name == "out").Type);
        Assert.Equal([("out/result.txt", "file", 9L)], sub!.Select(e => (e.Path, e.Type, e.Size)));
        Assert.Equal("result 42", content);
    }

    [Fact]
    public async Task SymlinksLeavingTheJobDirectory_AreNotServed()
    {
        var job = await Api.SubmitAsync(new JobSpec
        {
            Script = "ln -s /etc/shadow shadow; ln -s / root; ln -s ../.. up; echo inside > ok.txt; ln -s ok.txt alias",
        });
        await Api.WaitEndAsync(job.Id);

        var shadow = await Api.Http.GetAsync($"/api/v1/jobs/{job.Id}/files/shadow");
        var viaRoot = await Api.Http.GetAsync($"/api/v1/jobs/{job.Id}/files/root/etc/passwd");
        var viaUp = await Api.Http.GetAsync($"/api/v1/jobs/{job.Id}/files/up/godocker.db");
        var listUp = await Api.Http.GetAsync($"/api/v1/jobs/{job.Id}/files?path=up");
        var alias = await Api.Http.GetStringAsync($"/api/v1/jobs/{job.Id}/files/alias");

        Assert.Equal(HttpStatusCode.Forbidden, shadow.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viaRoot.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viaUp.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, listUp.StatusCode);
        Assert.Equal("application/problem+json", shadow.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("root:", await shadow.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("inside\n", alias);
    }

    [Theory]
    [InlineData("../..")]
    [InlineData("../../godocker.db")]
    [InlineData("/etc")]
    [InlineData("out/../../..")]
    public async Task TraversalPaths_AreRefused_NamingThePathField(string path)
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "mkdir out" });
        await Api.WaitEndAsync(job.Id);

        using var response = await Api.Http.GetAsync($"/api/v1/jobs/{job.Id}/files?path={Uri.EscapeDataString(path)}");
        var problem = await response.Content.ReadFromJsonAsync(GoDockerJson.Default.Problem);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem!.Errors!.ContainsKey("path"));
    }

    [Fact]
    public async Task EncodedTraversal_InTheDownloadPath_IsRefused()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "true" });
        await Api.WaitEndAsync(job.Id);

        // %2F keeps the slashes from being normalised away before routing.
        using var response = await Api.Http.GetAsync($"/api/v1/jobs/{job.Id}/files/..%2F..%2Fgodocker.db");

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"got {response.StatusCode}");
        Assert.NotEqual("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
    }
}
